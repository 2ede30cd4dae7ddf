/**
 * What information-flow control costs (docs/ifc.md), each figure beside its
 * baseline measured in the same run, with the ratio:
 *
 * - labels: lookup, 4 KiB blob rounds and 4 KiB reads by a labelled task on
 *   labelled objects (labels ON) beside the same calls by an unlabelled task
 *   on unlabelled objects (labels OFF), in one kernel, samples interleaved.
 *   Target: ON at most 10% slower (ratio ON/OFF >= 0.909). A control with
 *   no labels on either side shows the run's noise floor (its ratio should be 1).
 * - provenance: WordCount (as `dios wordcount FILE --all` runs it) with the
 *   kernel's provenance log on (the default) beside the same job with
 *   `provenance: false`, each run a child process timed end to end, runs
 *   interleaved. Target: at most 5% slower.
 * - provenance memory: heap bytes per record of a full log, at the default
 *   bound and a larger one, and the heap after ten times the bound more
 *   records (it must stay at the bound's).
 *
 *   npm run bench:ifc                      full run (a few minutes: WordCount on 256 MB)
 *   BENCH_QUICK=1 npm run bench:ifc        short run (16 MB, one WordCount run per side)
 *   BENCH_ONLY=0,1 npm run bench:ifc       only some label measures (0-based, in table order)
 *   BENCH_IFC_WORDCOUNT_MB=0 ...           skips WordCount; BENCH_IFC_WORDCOUNT_RUNS=5 runs it more
 *   BENCH_IFC_CLOCK=cpu ...                label measures in process CPU time, not wall time
 *
 * Each label measure runs in a fresh child process, as in kernel.bench.ts.
 * @module
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kernel, ObjectType, type CreateResult, type LabelChange, type TaskContext } from '@dios/kernel';
import {
  formatOps,
  measurePair,
  median,
  printTable,
  reportResult,
  runInChild,
  spread,
  type RunOptions,
  type Stats,
} from './harness.js';
import { collectGarbage, provenanceMemory, type ProvenanceMemory } from './ifc-memory.js';
import { runMeasured, type RunCost } from './peak-rss.js';
import { writeCorpus } from './wordcount-corpus.js';

const QUICK = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
const ONLY = process.env.BENCH_ONLY?.split(',').map(Number);
const CHILD = process.env.BENCH_CHILD;
const MB = Number(process.env.BENCH_IFC_WORDCOUNT_MB ?? (QUICK ? 16 : 256));
const RUNS = Number(process.env.BENCH_IFC_WORDCOUNT_RUNS ?? (QUICK ? 1 : 3));
const options: RunOptions = QUICK
  ? { samples: 5, sampleMs: 60, warmupMs: 100 }
  : // Many short samples: on a shared machine, the medians of short interleaved samples resist bursts of load best.
    { samples: 25, sampleMs: 150, warmupMs: 1000 };
/** BENCH_IFC_CLOCK=cpu: label measures time the process's CPU time instead of wall time (steadier on a loaded machine). */
const CPU_CLOCK = process.env.BENCH_IFC_CLOCK === 'cpu';
const clock = CPU_CLOCK
  ? (): number => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    }
  : (): number => performance.now();
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORDCOUNT = join(ROOT, 'bench/wordcount-provenance.mjs');

/** ON may be at most this much slower than OFF (labels). */
const LABEL_SLOWDOWN = 0.1;
/** ... and this much (provenance, WordCount). */
const PROVENANCE_SLOWDOWN = 0.05;

const LOOKUP_BATCH = 4096;
const BLOB_BYTES = 4096;

// Results the benchmarks compute, kept live so no work is optimised away.
let sink = 0;

/** A label measure: `on` and `off` each time `units` calls of the same work. */
interface LabelMeasure {
  name: string;
  /** The labels of the ON side. */
  on: string;
  run: (kernel: Kernel) => Promise<{ on: (units: number) => Promise<number>; off: (units: number) => Promise<number> }>;
}

/** Writes a label change to the task's own task object. */
async function changeLabel(sys: TaskContext, change: LabelChange): Promise<void> {
  const bytes = new TextEncoder().encode(JSON.stringify(change));
  const buf = await sys.beginWrite(sys.self, bytes.length, { truncate: true });
  buf.set(bytes);
  await sys.endWrite(sys.self, buf);
}

/** Two host tasks: `plain` unlabelled; `secret` made 2 secrecy tags and 1 integrity tag and raised itself to all three. */
async function tasks(kernel: Kernel): Promise<{ plain: TaskContext; secret: TaskContext; tags: number[] }> {
  const plain = await kernel.attachTask(['plain']);
  const secret = await kernel.attachTask(['secret']);
  const tags: number[] = [];
  for (let i = 0; i < 3; i++) tags.push((await secret.create(ObjectType.TAG)).ref);
  await changeLabel(secret, { addSecrecy: [tags[0]!, tags[1]!], addIntegrity: [tags[2]!] });
  return { plain, secret, tags };
}

// A 4 KiB blob written once by `sys`, with `label` given at create (a Label of its own, not the task's).
async function blob(sys: TaskContext, label?: { secrecy: number[]; integrity: number[] }): Promise<CreateResult> {
  const made = await sys.create(ObjectType.SHARED_MEMORY_BLOB, {
    capacity: BLOB_BYTES,
    ...(label === undefined ? {} : { label }),
  });
  const first = await sys.beginWrite(made.ref, BLOB_BYTES);
  await sys.endWrite(made.ref, first);
  return made;
}

function lookups(sys: TaskContext, name: Parameters<TaskContext['lookup']>[0]): (units: number) => Promise<number> {
  const found: number[][] = [];
  return async (units) => {
    let ms = 0;
    for (let done = 0; done < units;) {
      const n = Math.min(LOOKUP_BATCH, units - done);
      const t0 = clock();
      for (let i = 0; i < n; i++) found.push(await sys.lookup(name));
      ms += clock() - t0;
      for (const handles of found) for (const h of handles) await sys.delete(h);
      found.length = 0;
      done += n;
    }
    return ms;
  };
}

const src = new Uint8Array(BLOB_BYTES).map((_, i) => (i * 31) & 0xff);
const out = new Uint8Array(BLOB_BYTES);

function rounds(sys: TaskContext, ref: number): (units: number) => Promise<number> {
  return async (units) => {
    let sum = 0;
    const t0 = clock();
    for (let i = 0; i < units; i++) {
      const w = await sys.beginWrite(ref, BLOB_BYTES);
      w.set(src);
      await sys.endWrite(ref, w);
      const r = await sys.beginRead(ref);
      out.set(r);
      sum += out[0]! + out[4095]!;
      await sys.endRead(ref, r);
    }
    const ms = clock() - t0;
    sink += sum;
    return ms;
  };
}

function reads(sys: TaskContext, ref: number): (units: number) => Promise<number> {
  return async (units) => {
    let sum = 0;
    const t0 = clock();
    for (let i = 0; i < units; i++) {
      const r = await sys.beginRead(ref);
      out.set(r);
      sum += out[0]! + out[4095]!;
      await sys.endRead(ref, r);
    }
    const ms = clock() - t0;
    sink += sum;
    return ms;
  };
}

const SAME = '{s: a, b; i: c} on both';

const MEASURES: LabelMeasure[] = [
  {
    name: 'control: 4 KiB blob round, both OFF',
    on: 'no labels either (a second unlabelled task and blob): the noise floor of this run, the ratio should be 1',
    run: async (kernel) => {
      const { plain } = await tasks(kernel);
      const other = await kernel.attachTask(['plain']);
      return { off: rounds(plain, (await blob(plain)).ref), on: rounds(other, (await blob(other)).ref) };
    },
  },
  {
    name: 'lookup (local object by Name)',
    on: `${SAME} (lookup checks no flow: names are public)`,
    run: async (kernel) => {
      const { plain, secret, tags } = await tasks(kernel);
      const offBlob = await blob(plain);
      const onBlob = await blob(secret, { secrecy: [tags[0]!, tags[1]!], integrity: [tags[2]!] });
      return { off: lookups(plain, offBlob.name), on: lookups(secret, onBlob.name) };
    },
  },
  {
    name: '4 KiB blob round, same label',
    on: `${SAME}, the blob's label given at create (equal sets, not the same Label: the first check walks them, the rest hit canFlow's memo)`,
    run: async (kernel) => {
      const { plain, secret, tags } = await tasks(kernel);
      const offBlob = await blob(plain);
      const onBlob = await blob(secret, { secrecy: [tags[0]!, tags[1]!], integrity: [tags[2]!] });
      return { off: rounds(plain, offBlob.ref), on: rounds(secret, onBlob.ref) };
    },
  },
  {
    name: '4 KiB blob round, label inherited',
    on: `${SAME}, the blob created with the task's label (the same Label: the identity check)`,
    run: async (kernel) => {
      const { plain, secret } = await tasks(kernel);
      return { off: rounds(plain, (await blob(plain)).ref), on: rounds(secret, (await blob(secret)).ref) };
    },
  },
  {
    name: '4 KiB read, lower label to higher',
    on: 'task {s: a, b; i: c} reads a blob {s: a; i: c} (allowed; both sets walked)',
    run: async (kernel) => {
      const { plain, secret, tags } = await tasks(kernel);
      return { off: reads(plain, (await blob(plain)).ref), on: reads(secret, await lowerBlob(secret, tags)) };
    },
  },
];

// A blob labelled {s: a; i: c}: created by `secret` with that label would be refused (a write down), so the task
// lowers itself for the create and the first write, then raises itself again.
async function lowerBlob(secret: TaskContext, tags: number[]): Promise<number> {
  await changeLabel(secret, { removeSecrecy: [tags[1]!] });
  const { ref } = await blob(secret, { secrecy: [tags[0]!], integrity: [tags[2]!] });
  await changeLabel(secret, { addSecrecy: [tags[1]!] });
  return ref;
}

/** Both sides of a label measure. */
interface LabelResult {
  on: Stats;
  off: Stats;
}

/** Memory bounds measured, each in its own child (index MEMORY_CHILD + i). */
const MEMORY_BOUNDS = QUICK ? [65536] : [65536, 262144];
const MEMORY_CHILD = 100;

async function child(index: number): Promise<void> {
  if (index >= MEMORY_CHILD) {
    reportResult(await provenanceMemory(MEMORY_BOUNDS[index - MEMORY_CHILD]!));
    return;
  }
  const measure = MEASURES[index];
  if (measure === undefined) throw new Error(`no measure ${index}`);
  const kernel = await Kernel.boot({ id: 'bench' });
  const { on, off } = await measure.run(kernel);
  const { dios, baseline } = await measurePair({ dios: on, baseline: off, startUnits: 256 }, options);
  kernel.checkInvariants();
  collectGarbage();
  reportResult({ on: dios, off: baseline, sink: sink & 0xffff });
}

async function labels(): Promise<number> {
  const table: string[][] = [
    [
      'measure',
      'labels ON (median)',
      'spread',
      'labels OFF (median)',
      'spread',
      'ON/OFF',
      'paired',
      'target',
      'result',
    ],
  ];
  const legend: string[] = [];
  let failed = 0;
  for (const [index, measure] of MEASURES.entries()) {
    if (ONLY !== undefined && !ONLY.includes(index)) continue;
    const { on, off } = await runInChild<LabelResult>(index);
    const ratio = on.median / off.median;
    // Each ON sample over the OFF sample taken beside it: load that comes and goes hits both of a pair alike.
    const paired = median(on.rates.map((r, i) => r / off.rates[i]!));
    const met = ratio >= 1 / (1 + LABEL_SLOWDOWN);
    if (!met) failed++;
    table.push([
      measure.name,
      formatOps(on.median),
      spread(on),
      formatOps(off.median),
      spread(off),
      ratio.toFixed(4),
      paired.toFixed(4),
      `>= ${(1 / (1 + LABEL_SLOWDOWN)).toFixed(3)}`,
      met ? 'PASS' : 'FAIL',
    ]);
    legend.push(`  ${measure.name}: ON = ${measure.on}`);
  }
  console.log('');
  printTable(table);
  console.log('');
  console.log('labels OFF: an unlabelled host task on unlabelled objects, in the same kernel, samples interleaved;');
  console.log('labels ON, with tags a, b, c made by the task:');
  for (const line of legend) console.log(line);
  console.log(
    `target: ON at most ${LABEL_SLOWDOWN * 100}% slower than OFF; rates in ${CPU_CLOCK ? 'process CPU' : 'wall'} time; ` +
      'paired: median of each ON sample over the OFF sample beside it; spread: half the range of the samples',
  );
  return failed;
}

async function wordcount(): Promise<number> {
  if (MB <= 0) return 0;
  const size = MB * 1e6;
  const file = join(tmpdir(), `dios-wordcount-bench-${MB}mb-v1.txt`);
  // The WordCount bench's text (same generator and name; kept there with BENCH_WORDCOUNT_KEEP=1).
  const made = !existsSync(file) || readFileSync(file).length !== size;
  if (made) writeCorpus(file, size);
  const dir = mkdtempSync(join(tmpdir(), 'dios-ifc-wordcount-'));
  const sides = ['on', 'off'] as const;
  const costs: RunCost[][] = [[], []];
  try {
    for (let run = 0; run < RUNS; run++) {
      for (let k = 0; k < 2; k++) {
        const i = (k + run) % 2;
        const load = loadavg()[0]!;
        const cost = await runMeasured([process.execPath, WORDCOUNT, file, sides[i]!], join(dir, `out-${i}`));
        costs[i]!.push(cost);
        console.log(
          `  run ${run + 1}/${RUNS}: provenance ${sides[i]}: ${(cost.ms / 1000).toFixed(2)} s, CPU ${(cost.cpuMs / 1000).toFixed(2)} s ` +
            `(load average before: ${load.toFixed(1)})`,
        );
      }
      if (!readFileSync(join(dir, 'out-0')).equals(readFileSync(join(dir, 'out-1'))))
        throw new Error(`the outputs differ (see ${dir}; kept)`);
    }
    rmSync(dir, { recursive: true, force: true });
  } finally {
    if (made && process.env.BENCH_WORDCOUNT_KEEP !== '1') rmSync(file, { force: true });
  }
  const ms = costs.map((c) => median(c.map((x) => x.ms)));
  const cpu = costs.map((c) => median(c.map((x) => x.cpuMs)));
  const slower = ms[0]! / ms[1]! - 1;
  const met = slower <= PROVENANCE_SLOWDOWN;
  console.log('');
  printTable([
    ['WordCount', 'provenance ON (median)', 'provenance OFF (median)', 'ON/OFF time', 'ON/OFF CPU', 'target', 'result'],
    [
      `${MB} MB, ${RUNS} run(s) per side`,
      `${(ms[0]! / 1000).toFixed(2)} s (CPU ${(cpu[0]! / 1000).toFixed(2)} s)`,
      `${(ms[1]! / 1000).toFixed(2)} s (CPU ${(cpu[1]! / 1000).toFixed(2)} s)`,
      (ms[0]! / ms[1]!).toFixed(4),
      Number.isNaN(cpu[0]) ? '-' : (cpu[0]! / cpu[1]!).toFixed(4),
      `<= ${(1 + PROVENANCE_SLOWDOWN).toFixed(2)} (time)`,
      met ? 'PASS' : 'FAIL',
    ],
  ]);
  console.log(
    'wall time: process start to exit (node bench/wordcount-provenance.mjs: the dios wordcount steps, the kernel booted with ' +
      'provenance on or false; PROVENANCE: the records it made); CPU: user + system of all its threads; outputs equal byte for byte',
  );
  return met ? 0 : 1;
}

async function memory(): Promise<number> {
  const rows: string[][] = [
    ['bound (records)', 'bytes/record', 'heap at bound', 'heap after +10x bound', 'held', 'result'],
  ];
  let failed = 0;
  for (const [i, bound] of MEMORY_BOUNDS.entries()) {
    const m = await runInChild<ProvenanceMemory>(MEMORY_CHILD + i);
    // Bounded: ten times the records more leave the heap where the full log had it (GC noise: 10% or 1 MiB).
    const met = m.held === bound && m.afterTenTimes <= m.atBound * 1.1 + 2 ** 20;
    if (!met) failed++;
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
    rows.push([
      bound.toLocaleString('en'),
      (m.atBound / m.filled).toFixed(1),
      mib(m.atBound),
      mib(m.afterTenTimes),
      `${m.held.toLocaleString('en')} of ${m.total.toLocaleString('en')}`,
      met ? 'PASS' : 'FAIL',
    ]);
  }
  console.log('');
  printTable(rows);
  console.log(
    'heap: process.memoryUsage().heapUsed after a full GC, growth from a warmed-up kernel; records: 1-byte end_reads of one ' +
      'blob by init (name keys and argv[0] are strings the kernel already holds); bounded: heap after +10x <= at bound +10% +1 MiB',
  );
  return failed;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const cpus = availableParallelism();
  console.log(
    `DIOS information-flow benchmarks (${QUICK ? 'quick' : 'full'} run: ${options.samples} samples of ~${options.sampleMs} ms ` +
      `per side, ${options.warmupMs} ms warm-up, one process per measure; node ${process.version})`,
  );
  const load = loadavg()[0]!;
  if (load > cpus / 2) console.log(`  note: load average ${load.toFixed(1)} on ${cpus} CPUs; expect noisy figures`);
  let failed = await labels();
  failed += await memory();
  failed += await wordcount();
  console.log('');
  console.log(
    `${failed === 0 ? 'all targets met' : `${failed} target(s) missed`} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}

if (CHILD !== undefined) await child(Number(CHILD));
else await main();
