/**
 * The deterministic simulation of @dios/kernel/testing, each figure beside
 * its baseline measured in the same run, with the ratio:
 *
 * - steps: simulated events per second of real time, for a workload of
 *   blob and stream calls by tasks on two kernels (every call, message,
 *   reply and timer is one event), with the kernels' invariants checked
 *   after every event (the default) and without. Baseline: the same
 *   workload on the same kernels over the loopback transport in real time,
 *   as system calls per second. Target: at least 10,000 simulated steps/s.
 * - wordcount: MapReduce WordCount on a small input under 100 random
 *   schedules, each with a random node loss (checkSimulations with
 *   nodeLossArb). Baseline: the same 100 jobs on a loopback cluster in real
 *   time, with no faults. Target: under 60 s.
 *
 *   npm run bench:testing
 *   BENCH_QUICK=1 npm run bench:testing     fewer samples, 20 schedules
 * @module
 */
import { ANY_KERNEL, Kernel, LoopbackNetwork, ObjectType, programBinary, type SystemCalls } from '@dios/kernel';
import { checkSimulations, nodeLossArb, simulate, type SimCluster } from '@dios/kernel/testing';
import { installMapReducePrograms, wordCount, wordCountSync } from '@dios/apps';
import { median, printTable } from './harness.js';

const QUICK = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
const SAMPLES = QUICK ? 3 : 7;
const SCHEDULES = QUICK ? 20 : 100;
const WORDCOUNT_SAMPLES = QUICK ? 1 : 3;
const ROUNDS = 200;

/** Writes `bytes` into a new blob of `sys`; returns its handle. */
async function blobWith(sys: SystemCalls, bytes: Uint8Array): Promise<number> {
  const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
  const buf = await sys.beginWrite(ref, bytes.length);
  buf.set(bytes);
  await sys.endWrite(ref, buf);
  return ref;
}

/** A worker program: ROUNDS rounds of a 64-byte blob write and read, then a message on the stream. */
function registerWorker(kernel: Kernel): void {
  kernel.registerProgram('worker', async (sys) => {
    const [blob, stream] = sys.outputs;
    for (let i = 0; i < ROUNDS; i++) {
      const w = await sys.beginWrite(blob!, 64);
      w.fill(i & 0xff);
      await sys.endWrite(blob!, w);
      const r = await sys.beginRead(blob!);
      await sys.endRead(blob!, r);
    }
    const m = await sys.beginWrite(stream!, 1);
    await sys.endWrite(stream!, m);
    return 0;
  });
}

/** Four workers, two on each kernel, each with a blob of its own on `a`; init waits for their messages. Returns the calls made. */
async function workload(init: SystemCalls): Promise<number> {
  const binary = await blobWith(init, programBinary('worker'));
  const stream = await init.create(ObjectType.SHARED_MEMORY_STREAM);
  const tasks: number[] = [];
  for (const kernel of ['a', 'a', 'b', 'b']) {
    const blob = await blobWith(init, new Uint8Array(64));
    tasks.push(await init.run(binary, { argv: ['worker'], outputs: [blob, stream.ref], kernel }));
  }
  for (let got = 0; got < tasks.length; got++) {
    const r = await init.beginRead(stream.ref, { length: 1 });
    await init.endRead(stream.ref, r);
  }
  for (const t of tasks) await init.select([t]);
  return tasks.length * (ROUNDS * 4 + 2) + 4 * 3 + 2 * tasks.length + 3;
}

/** The workload in real time over loopback: system calls per second. */
async function plainCallsPerSecond(): Promise<number> {
  const net = new LoopbackNetwork();
  const cluster = `bench-${Math.random()}`;
  const kernels: Kernel[] = [];
  for (const id of ['a', 'b']) {
    const k = await Kernel.boot({ id, cluster });
    registerWorker(k);
    k.join(net.connect(id));
    kernels.push(k);
  }
  const t0 = performance.now();
  const calls = await workload(kernels[0]!.init);
  return calls / ((performance.now() - t0) / 1000);
}

/** The workload simulated: events per second of real time, and the events. */
async function simulatedStepsPerSecond(
  invariants: 'step' | 'off',
  seed: number,
): Promise<{ rate: number; steps: number }> {
  const t0 = performance.now();
  const r = await simulate({
    nodes: ['a', 'b'],
    seed,
    invariants,
    durable: false,
    prepare: registerWorker,
    run: (c: SimCluster) => workload(c.init('a')),
  });
  const ms = performance.now() - t0;
  if (r.outcome !== 'ok') throw new Error(`the simulated workload ended ${r.outcome}: ${String(r.error)}`);
  return { rate: r.steps / (ms / 1000), steps: r.steps };
}

const text = new TextEncoder().encode(
  'the quick brown fox jumps over the lazy dog\n'.repeat(40) + 'pack my box with five dozen liquor jugs\n'.repeat(30),
);
const NODES = ['client', 'b', 'c', 'd'];
const bootNode = (o: Parameters<typeof Kernel.boot>[0] = {}) => Kernel.boot({ ...o, schedulable: o.id !== 'client' });
const prepareNode = async (k: Kernel) => {
  k.onTaskFailure = () => {};
  await installMapReducePrograms(k);
};
async function countWords(sys: SystemCalls) {
  const input = await blobWith(sys, text);
  return wordCount(sys, [input], { maps: 3, reduces: 2, kernel: ANY_KERNEL, job: 'wc' });
}
const expected = JSON.stringify(wordCountSync(text));

/** SCHEDULES simulated WordCount jobs with a node loss each: seconds, and events. */
async function wordCountSimulated(seed: number): Promise<{ seconds: number; steps: number }> {
  const t0 = performance.now();
  const report = await checkSimulations({
    runs: SCHEDULES,
    seed,
    nodes: NODES,
    boot: bootNode,
    prepare: prepareNode,
    faults: nodeLossArb(NODES, ['client'], 300),
    run: (c) => countWords(c.init('client')),
    check: (counts) => {
      if (JSON.stringify(counts) !== expected) throw new Error('the counts differ from wordCountSync');
    },
  });
  return { seconds: (performance.now() - t0) / 1000, steps: report.steps };
}

/** SCHEDULES WordCount jobs on a loopback cluster in real time, no faults: seconds. */
async function wordCountPlain(): Promise<number> {
  const net = new LoopbackNetwork();
  const cluster = `bench-wc-${Math.random()}`;
  let client: Kernel | undefined;
  for (const id of NODES) {
    const k = await bootNode({ id, cluster });
    k.join(net.connect(id));
    await prepareNode(k);
    if (id === 'client') client = k;
  }
  const t0 = performance.now();
  for (let i = 0; i < SCHEDULES; i++) {
    const counts = await countWords(client!.init);
    if (JSON.stringify(counts) !== expected) throw new Error('the counts differ from wordCountSync');
  }
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  console.log(`bench:testing${QUICK ? ' (quick)' : ''}: ${SAMPLES} samples per side, medians`);
  // Warm up both paths (JIT, module imports) before the samples.
  await plainCallsPerSecond();
  await simulatedStepsPerSecond('off', 0);
  const plain: number[] = [];
  const checked: number[] = [];
  const unchecked: number[] = [];
  let steps = 0;
  for (let i = 0; i < SAMPLES; i++) {
    plain.push(await plainCallsPerSecond());
    const c = await simulatedStepsPerSecond('step', i + 1);
    checked.push(c.rate);
    steps = c.steps;
    unchecked.push((await simulatedStepsPerSecond('off', i + 1)).rate);
  }
  const p = median(plain);
  const k = median(checked);
  const u = median(unchecked);
  const fmt = (x: number) => `${Math.round(x).toLocaleString('en')}/s`;
  printTable([
    ['measure', 'rate', 'baseline (loopback, real time)', 'ratio', 'target'],
    ['simulated steps, invariants after every step', fmt(k), `${fmt(p)} calls`, (k / p).toFixed(2), '>= 10,000/s'],
    ['simulated steps, invariants off', fmt(u), `${fmt(p)} calls`, (u / p).toFixed(2), ''],
  ]);
  console.log(`(${steps} events per simulated run; ${k >= 10_000 ? 'target met' : 'TARGET MISSED'})`);

  const simulated: number[] = [];
  const baseline: number[] = [];
  let wcSteps = 0;
  for (let i = 0; i < WORDCOUNT_SAMPLES; i++) {
    const s = await wordCountSimulated(1000 + i);
    simulated.push(s.seconds);
    wcSteps = s.steps;
    baseline.push(await wordCountPlain());
  }
  const sim = median(simulated);
  const base = median(baseline);
  printTable([
    ['measure', 'time', 'baseline (loopback, real time, no faults)', 'ratio', 'target'],
    [
      `WordCount, ${SCHEDULES} random schedules with node loss`,
      `${sim.toFixed(2)} s`,
      `${base.toFixed(2)} s`,
      (sim / base).toFixed(2),
      '< 60 s',
    ],
  ]);
  console.log(
    `(${wcSteps} events over the ${SCHEDULES} schedules of the last sample; ${sim < 60 ? 'target met' : 'TARGET MISSED'})`,
  );
}

await main();
