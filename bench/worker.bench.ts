/**
 * Worker-task benchmark: the rate of system calls a task in a worker thread
 * makes over the shared-memory channel, beside a postMessage ping-pong
 * between the kernel's thread and a worker thread, measured in the same
 * process with samples interleaved. Target: the system-call rate at least
 * twice the ping-pong rate. Also the start cost of a task (run to exit of a
 * task making two calls): a pure task (a fresh locked-down thread per task,
 * from the pool's warm spares) beside a non-pure one (a pooled thread), both
 * measured here, interleaved.
 *
 *   npm run bench:worker            (also part of npm run bench)
 *   BENCH_QUICK=1 npm run bench:worker
 * @module
 */
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Kernel, ObjectType, RunFlags, type SystemCalls } from '@dios/kernel';
import { useWorkers } from '@dios/kernel/node';
import {
  formatOps,
  measurePair,
  median,
  printTable,
  spread,
  type RunOptions,
  type Stats,
  type Timed,
} from './harness.js';

const QUICK = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
const options: RunOptions = QUICK
  ? { samples: 5, sampleMs: 100, warmupMs: 200 }
  : { samples: 9, sampleMs: 400, warmupMs: 1000 };
const PROGRAMS = new URL('./worker-programs.ts', import.meta.url).href;
const ROUND_BYTES = 4096;

async function writeAll(sys: SystemCalls, ref: number, bytes: Uint8Array): Promise<void> {
  const buf = await sys.beginWrite(ref, bytes.length, { truncate: true });
  buf.set(bytes);
  await sys.endWrite(ref, buf);
}

async function readText(sys: SystemCalls, ref: number): Promise<string> {
  const view = await sys.beginRead(ref);
  const text = new TextDecoder().decode(view.slice());
  await sys.endRead(ref, view);
  return text;
}

// The same two kinds of thread as a worker task's calls: the main thread and one worker, one message each way per round.
function pingPong(): { timed: Timed; close: () => Promise<number> } {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => parentPort.postMessage(m));`,
    { eval: true },
  );
  let answer: (() => void) | undefined;
  worker.on('message', () => answer?.());
  const timed: Timed = async (units) => {
    const t0 = performance.now();
    for (let i = 0; i < units; i++) {
      await new Promise<void>((resolve) => {
        answer = resolve;
        worker.postMessage(i);
      });
    }
    return performance.now() - t0;
  };
  return { timed, close: () => worker.terminate() };
}

async function main(): Promise<void> {
  const cpus = availableParallelism();
  console.log(
    `DIOS worker-task benchmark (${QUICK ? 'quick' : 'full'} run: ${options.samples} samples of ~${options.sampleMs} ms per side; node ${process.version})`,
  );
  const load = loadavg()[0]!;
  if (load > cpus / 2) console.log(`  note: load average ${load.toFixed(1)} on ${cpus} CPUs; expect noisy figures`);
  const kernel = await Kernel.boot();
  const pool = useWorkers(kernel, { size: 1 });
  const sys = kernel.init;
  const binary = async (exportName: string): Promise<number> => {
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    await writeAll(sys, ref, kernel.registerProgram(`bench-${exportName}`, { module: PROGRAMS, export: exportName }));
    return ref;
  };
  const { name: target } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
  const { ref: blob } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
  const { ref: result } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
  const lookupBin = await binary('lookupLoop');
  const roundBin = await binary('roundLoop');
  // One sample = one worker task (a pooled thread) timing its own loop.
  const inWorker =
    (bin: number, argv: (units: number) => string[], outputs: number[]): Timed =>
    async (units) => {
      const task = await sys.run(bin, { argv: argv(units), outputs });
      await sys.select([task]);
      const status = sys.ref(task).task?.exitStatus;
      await sys.delete(task);
      if (status !== 0) throw new Error(`the benchmark task failed with status ${String(status)}`);
      return Number(await readText(sys, result));
    };
  const ping = pingPong();
  const rows: string[][] = [
    [
      'measure',
      'worker task (median)',
      'spread',
      'postMessage ping-pong (median)',
      'spread',
      'ratio',
      'target',
      'result',
    ],
  ];
  let failed = 0;
  const add = (name: string, dios: Stats, baseline: Stats, perUnit = 1) => {
    const rate = dios.median * perUnit;
    const ratio = rate / baseline.median;
    const met = ratio >= 2;
    if (!met) failed++;
    rows.push([
      name,
      formatOps(rate),
      spread(dios),
      formatOps(baseline.median),
      spread(baseline),
      ratio.toFixed(2),
      'ratio >= 2',
      met ? 'PASS' : 'FAIL',
    ]);
  };
  const lookups = await measurePair(
    {
      dios: inWorker(lookupBin, (u) => ['lookupLoop', target.key, String(u)], [result]),
      baseline: ping.timed,
      startUnits: 1000,
    },
    options,
  );
  add('lookup (local object) from a worker task', lookups.dios, lookups.baseline);
  const rounds = await measurePair(
    {
      dios: inWorker(roundBin, (u) => ['roundLoop', String(u), String(ROUND_BYTES)], [blob, result]),
      baseline: ping.timed,
      startUnits: 500,
    },
    options,
  );
  add('4 KiB write+read round: calls (4 per round)', rounds.dios, rounds.baseline, 4);
  rows.push([
    '4 KiB write+read round: rounds',
    formatOps(rounds.dios.median),
    spread(rounds.dios),
    formatOps(rounds.baseline.median),
    spread(rounds.baseline),
    (rounds.dios.median / rounds.baseline.median).toFixed(2),
    '-',
    'info',
  ]);
  await ping.close();
  const starts = await startCosts(kernel, sys, lookupBin, target.key, result);
  await pool.close();
  console.log('');
  printTable(rows);
  console.log('');
  printTable(starts);
  console.log(
    `task start: run() to the task's exit, the task making two calls; ratio = pure / non-pure (lower is better, 1 = no cost).`,
  );
  console.log(
    'back-to-back: each pure task takes a warm spare started while the previous task ran; spare ready: the spare had 1 s to start.',
  );
  console.log('');
  console.log(
    'ping-pong: the main thread posts a message to a worker thread and awaits its echo (one round trip per unit).',
  );
  console.log(
    `worker threads started by the pool: ${pool.threadsStarted} (one sample = one task; plain threads are reused, a pure thread runs one task)`,
  );
  console.log(failed === 0 ? 'all targets met' : `${failed} target(s) missed`);
}

// A program written as plain JavaScript (no TypeScript loader in the thread): writes one byte to its output.
const JS_PROGRAM = `data:text/javascript,${encodeURIComponent(
  'export default async function (sys) { const b = await sys.beginWrite(sys.outputs[0], 1, { truncate: true }); b[0] = 1; await sys.endWrite(sys.outputs[0], b); return 0; }',
)}`;

// Start cost of a task, pure and not: medians (ms) of interleaved samples, with their spread.
async function startCosts(
  kernel: Kernel,
  sys: SystemCalls,
  tsBin: number,
  target: string,
  result: number,
): Promise<string[][]> {
  const { ref: jsBin } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
  await writeAll(sys, jsBin, kernel.registerProgram('bench-js-start', { module: JS_PROGRAM, export: 'default' }));
  const programs = [
    { label: 'JavaScript program', bin: jsBin, argv: ['js'] },
    { label: 'TypeScript program (tsx in each new thread)', bin: tsBin, argv: ['lookupLoop', target, '0'] },
  ];
  const once = async (bin: number, argv: string[], flags: number): Promise<number> => {
    const t0 = performance.now();
    const task = await sys.run(bin, { argv, outputs: [result] }, flags);
    await sys.select([task]);
    const ms = performance.now() - t0;
    const status = sys.ref(task).task?.exitStatus;
    await sys.delete(task);
    if (status !== 0) throw new Error(`the start-cost task failed with status ${String(status)}`);
    return ms;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const samples = QUICK ? 7 : 21;
  const ms = (xs: number[]) => `${median(xs).toFixed(1)} ms`;
  const range = (xs: number[]) => `${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)} ms`;
  const rows = [['task start (median of ' + samples + ')', 'pure', 'spread', 'non-pure', 'spread', 'ratio']];
  for (const { label, bin, argv } of programs) {
    for (let i = 0; i < 3; i++) {
      await once(bin, argv, 0);
      await once(bin, argv, RunFlags.PURE);
    }
    const plain: number[] = [];
    const pure: number[] = [];
    const ready: number[] = [];
    for (let i = 0; i < samples; i++) {
      plain.push(await once(bin, argv, 0));
      pure.push(await once(bin, argv, RunFlags.PURE));
      await sleep(1000);
      ready.push(await once(bin, argv, RunFlags.PURE));
    }
    rows.push([
      `${label}: back-to-back`,
      ms(pure),
      range(pure),
      ms(plain),
      range(plain),
      (median(pure) / median(plain)).toFixed(1),
    ]);
    rows.push([
      `${label}: spare ready`,
      ms(ready),
      range(ready),
      ms(plain),
      range(plain),
      (median(ready) / median(plain)).toFixed(1),
    ]);
  }
  return rows;
}

await main();
