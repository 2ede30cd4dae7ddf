/**
 * Kernel benchmarks: each DIOS measure runs beside a baseline doing the
 * equivalent work on a plain Map / Uint8Array in the same process, and the
 * table shows the median rates, their ratio and the target.
 *
 *   npm run bench                 full run (about a minute)
 *   BENCH_QUICK=1 npm run bench   short run (a few seconds)
 *   BENCH_ONLY=2,3 npm run bench  only some measures (0-based, in table order)
 *
 * @module
 */
import { availableParallelism, loadavg } from 'node:os';
import { Kernel, ObjectType, type Name, type TaskContext } from '@dios/kernel';
import { formatBytes, formatOps, measurePair, printTable, spread, type RunOptions, type Stats } from './harness.js';

const QUICK = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
/** BENCH_ONLY=0,2: run only these measures (0-based, in table order). */
const ONLY = process.env.BENCH_ONLY?.split(',').map(Number);
const options: RunOptions = QUICK ? { samples: 5, sampleMs: 60, warmupMs: 100 } : { samples: 9, sampleMs: 400, warmupMs: 1000 };

/** Lookups made before their references are deleted (the deletes are not timed). */
const LOOKUP_BATCH = 4096;
/** Bytes of a blob round. */
const BLOB_BYTES = 4096;
/** Bytes of one stream write. */
const CHUNK = 64 * 1024;
/** Bytes moved through the stream in the timed samples of the full run (the quick run moves less). */
const STREAM_TOTAL = QUICK ? 2 ** 28 : 2 ** 30;

interface Row {
  measure: string;
  /** What the baseline does, for the legend under the table. */
  baselineIs: string;
  dios: Stats;
  baseline: Stats;
  format: (rate: number) => string;
  /** The target's text, and whether the DIOS median (or the ratio) meets it. */
  target?: { text: string; met: (dios: number, ratio: number) => boolean };
}

// Results the benchmarks compute, kept live so no work is optimised away.
let sink = 0;

async function benchLookup(kernel: Kernel): Promise<Row> {
  const sys = kernel.init;
  const { name } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
  const found: number[][] = [];
  const dios = async (units: number): Promise<number> => {
    let ms = 0;
    for (let done = 0; done < units; ) {
      const n = Math.min(LOOKUP_BATCH, units - done);
      const t0 = performance.now();
      for (let i = 0; i < n; i++) found.push(await sys.lookup(name));
      ms += performance.now() - t0;
      // Each lookup opened a reference: delete them outside the timed part.
      for (const handles of found) for (const h of handles) await sys.delete(h);
      found.length = 0;
      done += n;
    }
    return ms;
  };
  // The kernel's own object table has a few entries; the baseline map gets as many.
  const map = new Map<string, Uint8Array>();
  for (const key of kernel.objects.keys()) map.set(key, new Uint8Array(0));
  const key: string = name.key;
  const got: (Uint8Array | undefined)[] = [];
  const baseline = (units: number): number => {
    let ms = 0;
    for (let done = 0; done < units; ) {
      const n = Math.min(LOOKUP_BATCH, units - done);
      const t0 = performance.now();
      for (let i = 0; i < n; i++) got.push(map.get(key));
      ms += performance.now() - t0;
      sink += got.length;
      got.length = 0;
      done += n;
    }
    return ms;
  };
  const r = await measurePair({ dios, baseline, startUnits: 1024 }, options);
  return {
    measure: 'lookup (local object by Name)',
    baselineIs: 'Map.get by the name key + push into an array',
    ...r,
    format: formatOps,
    target: { text: '>= 1 M ops/s', met: (d) => d >= 1e6 },
  };
}

async function benchCreateDelete(kernel: Kernel): Promise<Row> {
  const sys = kernel.init;
  const dios = async (units: number): Promise<number> => {
    const t0 = performance.now();
    for (let i = 0; i < units; i++) {
      const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
      await sys.delete(ref);
    }
    return performance.now() - t0;
  };
  const map = new Map<number, Uint8Array>();
  let next = 0;
  const baseline = (units: number): number => {
    const t0 = performance.now();
    for (let i = 0; i < units; i++) {
      const key = next++;
      map.set(key, new Uint8Array(0));
      map.delete(key);
    }
    return performance.now() - t0;
  };
  const r = await measurePair({ dios, baseline, startUnits: 256 }, options);
  return { measure: 'create + delete shared blob', baselineIs: 'Map.set of a new Uint8Array(0) + Map.delete', ...r, format: formatOps };
}

// The consuming work both sides do on the 4 KiB they read: copy it out and checksum a few words.
function consume(view: Uint8Array, out: Uint8Array): number {
  out.set(view);
  return out[0]! + out[1024]! + out[2048]! + out[4095]!;
}

async function benchBlobRound(kernel: Kernel, type: typeof ObjectType.SHARED_MEMORY_BLOB | typeof ObjectType.PRIVATE_MEMORY_BLOB): Promise<Row> {
  const sys = kernel.init;
  const src = new Uint8Array(BLOB_BYTES);
  for (let i = 0; i < src.length; i++) src[i] = (i * 31) & 0xff;
  const out = new Uint8Array(BLOB_BYTES);
  const { ref } = await sys.create(type, { capacity: BLOB_BYTES });
  const first = await sys.beginWrite(ref, BLOB_BYTES);
  await sys.endWrite(ref, first);

  const dios = async (units: number): Promise<number> => {
    let sum = 0;
    const t0 = performance.now();
    for (let i = 0; i < units; i++) {
      const w = await sys.beginWrite(ref, BLOB_BYTES);
      w.set(src);
      await sys.endWrite(ref, w);
      const r = await sys.beginRead(ref);
      sum += consume(r, out);
      await sys.endRead(ref, r);
    }
    const ms = performance.now() - t0;
    sink += sum;
    return ms;
  };
  const map = new Map<string, Uint8Array>([['blob', new Uint8Array(BLOB_BYTES)]]);
  const baseline = (units: number): number => {
    let sum = 0;
    const t0 = performance.now();
    for (let i = 0; i < units; i++) {
      const b = map.get('blob')!;
      b.set(src);
      sum += consume(b, out);
    }
    const ms = performance.now() - t0;
    sink += sum;
    return ms;
  };
  const r = await measurePair({ dios, baseline, startUnits: 256 }, options);
  return {
    measure: `4 KiB ${type === ObjectType.SHARED_MEMORY_BLOB ? 'shared' : 'private'} blob round`,
    baselineIs: 'Map.get of a Uint8Array, .set 4 KiB, then the same consume (copy out 4 KiB + sum 4 bytes)',
    ...r,
    format: formatOps,
    target: { text: 'ratio >= 0.3', met: (_, ratio) => ratio >= 0.3 },
  };
}

async function benchStream(kernel: Kernel): Promise<Row> {
  const sys = kernel.init;
  const { name, ref } = await sys.create(ObjectType.SHARED_MEMORY_STREAM);
  // Two host tasks drive the stream concurrently; each finds it by name in the root group.
  const writer: TaskContext = await kernel.attachTask(['writer']);
  const reader: TaskContext = await kernel.attachTask(['reader']);
  const [w] = await writer.lookup(name as Name);
  const [r] = await reader.lookup(name as Name);
  await sys.delete(ref);
  const src = new Uint8Array(CHUNK);
  for (let i = 0; i < src.length; i++) src[i] = i & 0xff;

  const write = async (bytes: number): Promise<void> => {
    for (let left = bytes; left > 0; left -= CHUNK) {
      const buf = await writer.beginWrite(w!, CHUNK);
      buf.set(src);
      await writer.endWrite(w!, buf);
    }
  };
  // The reader takes whatever is there (up to the ring's contiguous end) and checksums a few words of it.
  const read = async (bytes: number): Promise<number> => {
    let sum = 0;
    for (let left = bytes; left > 0; ) {
      const view = await reader.beginRead(r!);
      sum += view[0]! + view[view.length - 1]!;
      left -= view.length;
      await reader.endRead(r!, view);
    }
    return sum;
  };
  const dios = async (units: number): Promise<number> => {
    const t0 = performance.now();
    const [, sum] = await Promise.all([write(units), read(units)]);
    const ms = performance.now() - t0;
    sink += sum;
    return ms;
  };
  // Baseline: the same bytes moved by plain memcpy of 64 KiB chunks into a ring of the stream's size.
  const ring = new Uint8Array(256 * 1024);
  const slots = ring.length / CHUNK;
  const baseline = (units: number): number => {
    let sum = 0;
    const t0 = performance.now();
    for (let i = 0, left = units; left > 0; i++, left -= CHUNK) {
      const at = (i % slots) * CHUNK;
      ring.set(src, at);
      sum += ring[at]! + ring[at + CHUNK - 1]!;
    }
    const ms = performance.now() - t0;
    sink += sum;
    return ms;
  };
  const samples = Math.max(options.samples, Math.ceil(STREAM_TOTAL / (256 * 2 ** 20)));
  const perSample = Math.max(CHUNK, Math.round(STREAM_TOTAL / samples / CHUNK) * CHUNK);
  const r2 = await measurePair({ dios, baseline, quantum: CHUNK, startUnits: 64 * CHUNK, diosUnits: perSample }, { ...options, samples });
  return {
    measure: 'stream 64 KiB writes, 2 tasks',
    baselineIs: 'memcpy of 64 KiB chunks into a 256 KiB ring (same bytes, same checksum)',
    ...r2,
    format: formatBytes,
    target: { text: '>= 1 GB/s', met: (d) => d >= 1e9 },
  };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  console.log(
    `DIOS kernel benchmarks (${QUICK ? 'quick' : 'full'} run: ${options.samples} samples of ~${options.sampleMs} ms per side, ` +
      `${options.warmupMs} ms warm-up; node ${process.version})`,
  );
  const load = loadavg()[0]!;
  // The kernel and its tasks run on this one thread; other processes competing for the CPUs make figures noisy.
  if (load > availableParallelism() / 2) console.log(`  note: load average ${load.toFixed(1)} on ${availableParallelism()} CPUs; expect noisy figures`);
  const rows: Row[] = [];
  const benches: ((kernel: Kernel) => Promise<Row>)[] = [
    benchLookup,
    benchCreateDelete,
    (kernel) => benchBlobRound(kernel, ObjectType.SHARED_MEMORY_BLOB),
    (kernel) => benchBlobRound(kernel, ObjectType.PRIVATE_MEMORY_BLOB),
    benchStream,
  ];
  for (const bench of benches) {
    if (ONLY !== undefined && !ONLY.some((k) => bench === benches[k])) continue;
    // A fresh kernel per measure, so one measure's garbage and tables do not weigh on the next.
    const kernel = await Kernel.boot({ id: 'bench' });
    const row = await bench(kernel);
    kernel.checkInvariants();
    rows.push(row);
    console.log(`  done: ${row.measure}`);
  }
  const table: string[][] = [['measure', 'DIOS (median)', 'spread', 'baseline (median)', 'spread', 'ratio', 'target', 'result']];
  let failed = 0;
  for (const row of rows) {
    const ratio = row.dios.median / row.baseline.median;
    const met = row.target?.met(row.dios.median, ratio);
    if (met === false) failed++;
    table.push([
      row.measure,
      row.format(row.dios.median),
      spread(row.dios),
      row.format(row.baseline.median),
      spread(row.baseline),
      ratio.toFixed(4),
      row.target?.text ?? '-',
      met === undefined ? 'info' : met ? 'PASS' : 'FAIL',
    ]);
  }
  console.log('');
  printTable(table);
  console.log('');
  console.log('baselines (same process, same run):');
  for (const row of rows) console.log(`  ${row.measure}: ${row.baselineIs}`);
  console.log('spread: half the range of the samples, relative to the median');
  console.log('');
  console.log(`${failed === 0 ? 'all targets met' : `${failed} target(s) missed`} in ${((performance.now() - t0) / 1000).toFixed(1)} s (checksum ${sink & 0xffff})`);
}

await main();
