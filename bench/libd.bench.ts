/**
 * libd stdio benchmarks: writing then reading SIZE bytes through a FILE with
 * 64 KiB buffers (fopen by path 'w', fwrite 64 KiB chunks, fclose; fopen
 * 'r', fread 64 KiB chunks to the end, fclose), in memory (a kernel without
 * a store: a shared-memory blob) and durable (a kernel with a FileBlobStore
 * in a temporary directory, once per fsync policy: always, batch, none),
 * beside Node's fs streams doing the same in the same run, with and without
 * an fsync at close; and a raw loop of 64 KiB write + fdatasync on one file,
 * the device's flush rate that caps policy 'always'.
 *
 *   npm run bench:libd                     full run (1 GiB per round), against the built packages (dist/)
 *   BENCH_QUICK=1 npm run bench:libd       64 MiB per round
 *   BENCH_LIBD_BYTES=268435456 ...         any size (rounded up to a whole 64 KiB chunk)
 *   BENCH_LIBD_SAMPLES=5 ...               rounds per measure (default 3)
 *   BENCH_ONLY=0,2 ...                     only some measures (0-based, in table order; targets then need theirs)
 *
 * Targets: durable with fsync 'batch' and 'none' >= 0.8 of Node's fs streams
 * (write+read). 'always' is shown against the flush loop, its floor.
 *
 * Each round runs in a fresh child process (a short untimed warm-up round
 * first), and the rounds of the measures are interleaved, so drift hits all
 * of them alike; the table shows the median of the rounds. The timed read
 * loop sums a few bytes of each chunk and counts the bytes; after it, an
 * untimed pass reads everything again and compares its CRC-32 with the CRC-32
 * of the bytes written.
 * @module
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { Kernel, type SystemCalls } from '@dios/kernel';
import { FileBlobStore, type FsyncPolicy } from '@dios/kernel/node';
import { fclose, fopen, fread, fwrite } from '@dios/libd';
import { formatBytes, median, printTable, reportResult, runInChild } from './harness.js';

const QUICK = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
/** Bytes of one write / read, and of the FILE buffers. */
const CHUNK = 64 * 1024;
const requested = Number(process.env.BENCH_LIBD_BYTES ?? (QUICK ? 64 * 2 ** 20 : 2 ** 30));
if (!Number.isSafeInteger(requested) || requested <= 0)
  throw new Error(`BENCH_LIBD_BYTES: expected a positive integer, got ${process.env.BENCH_LIBD_BYTES}`);
const CHUNKS = Math.ceil(requested / CHUNK);
const SIZE = CHUNKS * CHUNK;
const SAMPLES = Number(process.env.BENCH_LIBD_SAMPLES ?? 3);
/** Bytes of the untimed warm-up round each child makes first (lets the JIT settle). */
const WARMUP_BYTES = Math.min(SIZE, 16 * 2 ** 20);
/** Set in the child process that runs one round: the measure's index. */
const CHILD = process.env.BENCH_CHILD;
const ONLY = process.env.BENCH_ONLY?.split(',').map(Number);

/** What one round of a measure reports. */
interface Round {
  writeMs: number;
  readMs: number;
  /** Bytes the timed read loop saw, and its sum of a few bytes per chunk. */
  readBytes: number;
  sum: number;
  /** CRC-32 of the bytes written and of the bytes read back (untimed pass). */
  crcWritten: number;
  crcRead: number;
  /** Peak resident set size of the child, in bytes. */
  maxRss: number;
  /** Set by a measure that only writes (the flush loop): `writeBytes` bytes in `commits` write + fdatasync steps. */
  writeOnly?: { writeBytes: number; commits: number };
}

/** One side of the comparison: writes then reads `chunks` chunks, timing each half. */
type Run = (chunks: number) => Promise<Round>;

interface Measure {
  name: string;
  what: string;
  run: Run;
}

// The bytes of chunk i: a fixed pseudo-random pattern with the chunk's index stamped at its start and end, so a
// lost, repeated or misplaced chunk changes the CRC.
const PATTERN = new Uint8Array(CHUNK);
{
  let x = 0x9e3779b9;
  for (let i = 0; i < CHUNK; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    PATTERN[i] = x & 0xff;
  }
}

function stamp(buf: Uint8Array, i: number): Uint8Array {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  v.setUint32(0, i, true);
  v.setUint32(CHUNK - 4, i ^ 0xa5a5a5a5, true);
  return buf;
}

/** CRC-32 of the bytes a round writes (computed before the timed part). */
function expectedCrc(chunks: number): number {
  const buf = PATTERN.slice();
  let crc = 0;
  for (let i = 0; i < chunks; i++) crc = crc32(stamp(buf, i), crc);
  return crc;
}

const maxRss = (): number => process.resourceUsage().maxRSS * 1024;

// ---- libd ----

const PATH = '/bench/data';

async function libdRound(sys: SystemCalls, chunks: number): Promise<Round> {
  const crcWritten = expectedCrc(chunks);
  const src = PATTERN.slice();
  let t0 = performance.now();
  const out = await fopen(sys, PATH, 'w');
  for (let i = 0; i < chunks; i++) await fwrite(out, stamp(src, i));
  await fclose(out);
  const writeMs = performance.now() - t0;

  const dest = new Uint8Array(CHUNK);
  let sum = 0;
  let readBytes = 0;
  t0 = performance.now();
  const input = await fopen(sys, PATH, 'r');
  for (let n; (n = await fread(input, dest)) > 0;) {
    sum += dest[0]! + dest[n - 1]!;
    readBytes += n;
  }
  await fclose(input);
  const readMs = performance.now() - t0;

  // Untimed: everything again, through a CRC.
  let crcRead = 0;
  const check = await fopen(sys, PATH, 'r');
  for (let n; (n = await fread(check, dest)) > 0;) crcRead = crc32(dest.subarray(0, n), crcRead);
  await fclose(check);
  return { writeMs, readMs, readBytes, sum, crcWritten, crcRead, maxRss: 0 };
}

function libd(fsync: FsyncPolicy | undefined): Run {
  return async (chunks) => {
    const dir = fsync !== undefined ? await mkdtemp(join(tmpdir(), 'dios-libd-bench-')) : undefined;
    try {
      // A fresh kernel per round (fresh store directory too): each round starts from an empty blob.
      const store = dir === undefined ? undefined : new FileBlobStore(dir, { fsync });
      const kernel = await Kernel.boot({ id: 'bench', bufferSize: CHUNK, ...(store === undefined ? {} : { store }) });
      const round = await libdRound(kernel.init, chunks);
      kernel.checkInvariants();
      // Untimed, like the missing fsync of the Node streams row ('batch' syncs here).
      await store?.close();
      return round;
    } finally {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    }
  };
}

// ---- Node fs streams ----

function nodeStreams(fsync: boolean): Run {
  return async (chunks) => {
    const crcWritten = expectedCrc(chunks);
    const dir = await mkdtemp(join(tmpdir(), 'dios-node-bench-'));
    const path = join(dir, 'data');
    // A few chunk buffers in turn: a stream may still hold a buffer it was given until its write is done.
    const bufs = Array.from({ length: 4 }, () => PATTERN.slice());
    try {
      let t0 = performance.now();
      const ws = createWriteStream(path, { highWaterMark: CHUNK, flush: fsync });
      const failed = new Promise<never>((_, reject) => ws.once('error', reject));
      for (let i = 0; i < chunks; i++) {
        if (!ws.write(stamp(bufs[i % bufs.length]!, i)))
          await Promise.race([new Promise<void>((r) => ws.once('drain', () => r())), failed]);
      }
      await Promise.race([new Promise<void>((r) => ws.end(() => r())), failed]);
      if (!ws.closed) await new Promise<void>((r) => ws.once('close', () => r()));
      const writeMs = performance.now() - t0;

      let sum = 0;
      let readBytes = 0;
      t0 = performance.now();
      for await (const chunk of createReadStream(path, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
        sum += chunk[0]! + chunk[chunk.length - 1]!;
        readBytes += chunk.length;
      }
      const readMs = performance.now() - t0;

      let crcRead = 0;
      for await (const chunk of createReadStream(path, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>)
        crcRead = crc32(chunk, crcRead);
      return { writeMs, readMs, readBytes, sum, crcWritten, crcRead, maxRss: 0 };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

// ---- the device's flush rate ----

/** Chunks of the flush loop: enough for a steady rate, without spending minutes on a slow disk. */
const FLUSH_CHUNKS = Math.min(CHUNKS, 2048);

/** 64 KiB write + fdatasync, appended to one file, FLUSH_CHUNKS times: what one durable commit per flush costs at least. */
const flushLoop: Run = async (chunks) => {
  const n = Math.min(chunks, FLUSH_CHUNKS);
  const dir = await mkdtemp(join(tmpdir(), 'dios-flush-bench-'));
  const buf = PATTERN.slice();
  try {
    const file = await open(join(dir, 'data'), 'w');
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      await file.write(stamp(buf, i), 0, CHUNK, i * CHUNK);
      await file.datasync();
    }
    const writeMs = performance.now() - t0;
    await file.close();
    return {
      writeMs,
      readMs: 0,
      readBytes: 0,
      sum: 0,
      crcWritten: 0,
      crcRead: 0,
      maxRss: 0,
      writeOnly: { writeBytes: n * CHUNK, commits: n },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

const MEASURES: Measure[] = [
  {
    name: 'libd FILE, in memory',
    what: 'kernel without a store: the path makes a shared-memory blob',
    run: libd(undefined),
  },
  {
    name: 'libd FILE, durable, fsync always',
    what: 'FileBlobStore in a temp dir, each 64 KiB flush one commit: bytes written into the base file, a 48-byte log record, both fdatasynced',
    run: libd('always'),
  },
  {
    name: 'libd FILE, durable, fsync batch',
    what: 'the same, commits written (write(2)) but fdatasynced at most once a second and at close (untimed)',
    run: libd('batch'),
  },
  { name: 'libd FILE, durable, fsync none', what: 'the same, no fdatasync (the OS writes back)', run: libd('none') },
  {
    name: 'node fs streams',
    what: 'fs.createWriteStream / createReadStream, highWaterMark 64 KiB, no fsync',
    run: nodeStreams(false),
  },
  { name: 'node fs streams + fsync', what: 'the same, with flush: true (fsync before close)', run: nodeStreams(true) },
  {
    name: 'write + fdatasync loop',
    what: `64 KiB pwrite then fdatasync, ${FLUSH_CHUNKS} times on one file (write only): the flush rate that caps 'always'`,
    run: flushLoop,
  },
];

/** In the child: a warm-up round, then the timed round of measure `index`, printed as one JSON line. */
async function child(index: number): Promise<void> {
  const measure = MEASURES[index];
  if (measure === undefined) throw new Error(`no measure ${index}`);
  await measure.run(WARMUP_BYTES / CHUNK);
  const round = await measure.run(CHUNKS);
  round.maxRss = maxRss();
  reportResult(round);
}

const MB = 1e6;
const mbps = (bytes: number, ms: number): number => bytes / MB / (ms / 1000);
const fmt = (rate: number): string => `${rate.toFixed(0)} MB/s`;
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** The expected sum of the timed read loop: first and last byte of each chunk. */
function expectedSum(chunks: number): number {
  const buf = PATTERN.slice();
  let sum = 0;
  for (let i = 0; i < chunks; i++) {
    stamp(buf, i);
    sum += buf[0]! + buf[CHUNK - 1]!;
  }
  return sum;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const cpus = availableParallelism();
  console.log(
    `libd stdio benchmarks (${QUICK ? 'quick' : 'full'} run: write then read ${mib(SIZE)} in 64 KiB chunks, ${SAMPLES} rounds per measure, ` +
      `one process per round, rounds interleaved; node ${process.version}; temp dir ${tmpdir()})`,
  );
  const load = loadavg()[0]!;
  if (load > cpus / 2) console.log(`  note: load average ${load.toFixed(1)} on ${cpus} CPUs; expect noisy figures`);

  const sumWanted = expectedSum(CHUNKS);
  const rounds: Round[][] = MEASURES.map(() => []);
  for (let s = 0; s < SAMPLES; s++) {
    // Rotate the order, so no measure always follows the same one (page cache, writeback of the previous files).
    for (let k = 0; k < MEASURES.length; k++) {
      const index = (k + s) % MEASURES.length;
      if (ONLY !== undefined && !ONLY.includes(index)) continue;
      const round = await runInChild<Round>(index);
      const name = MEASURES[index]!.name;
      if (round.writeOnly !== undefined) {
        rounds[index]!.push(round);
        console.log(
          `  round ${s + 1}/${SAMPLES}: ${name}: ${round.writeOnly.commits} commits in ${(round.writeMs / 1000).toFixed(2)} s`,
        );
        continue;
      }
      if (round.crcRead !== round.crcWritten)
        throw new Error(`${name}: CRC-32 of the bytes read back ${round.crcRead} != written ${round.crcWritten}`);
      if (round.readBytes !== SIZE) throw new Error(`${name}: read ${round.readBytes} bytes, wrote ${SIZE}`);
      if (round.sum !== sumWanted) throw new Error(`${name}: checksum of the timed read ${round.sum} != ${sumWanted}`);
      rounds[index]!.push(round);
      console.log(
        `  round ${s + 1}/${SAMPLES}: ${name}: write ${(round.writeMs / 1000).toFixed(2)} s, read ${(round.readMs / 1000).toFixed(2)} s, peak RSS ${mib(round.maxRss)}`,
      );
    }
  }

  interface Rates {
    write: number;
    read: number;
    combined: number;
    maxRss: number;
  }
  const rates: Rates[] = rounds.map((rs) => ({
    write: median(rs.map((r) => mbps(r.writeOnly?.writeBytes ?? SIZE, r.writeMs))),
    read: median(rs.map((r) => mbps(SIZE, r.readMs))),
    // Combined: the bytes written plus the bytes read, over the time of both (2 x SIZE / (write + read)).
    combined: median(rs.map((r) => mbps(2 * SIZE, r.writeMs + r.readMs))),
    maxRss: Math.max(...rs.map((r) => r.maxRss)),
  }));
  const [mem, always, batch, none, streams, streamsSync, flush] = rates as [
    Rates,
    Rates,
    Rates,
    Rates,
    Rates,
    Rates,
    Rates,
  ];
  const flushRounds = rounds[6]!;
  const commitsPerSecond = median(flushRounds.map((r) => (r.writeOnly!.commits * 1000) / r.writeMs));

  console.log('');
  printTable([
    ['measure', 'write', 'read', 'write+read', 'peak RSS'],
    ...MEASURES.flatMap((m, i) =>
      rounds[i]!.length === 0
        ? []
        : rounds[i]![0]!.writeOnly !== undefined
          ? [[m.name, `${fmt(rates[i]!.write)} (${commitsPerSecond.toFixed(0)}/s)`, '-', '-', mib(rates[i]!.maxRss)]]
          : [[m.name, fmt(rates[i]!.write), fmt(rates[i]!.read), fmt(rates[i]!.combined), mib(rates[i]!.maxRss)]],
    ),
  ]);

  const ratio = (a: number, b: number): string => (a / b).toFixed(3);
  const targets: { name: string; value: string; target: string; met: boolean }[] = [
    ...(
      [
        ['batch', batch],
        ['none', none],
      ] as const
    ).map(([policy, r]) => ({
      name: `durable ${policy} / node fs streams (write+read)`,
      value: ratio(r.combined, streams.combined),
      target: '>= 0.8',
      met: r.combined >= 0.8 * streams.combined,
    })),
    {
      name: 'in memory (write+read)',
      value: formatBytes(mem.combined * MB),
      target: '>= 2 GB/s',
      met: mem.combined * MB >= 2e9,
    },
  ];
  const info: [string, string][] = [
    ['durable always / node fs streams (write+read)', ratio(always.combined, streams.combined)],
    ['durable always / write + fdatasync loop (write)', ratio(always.write, flush.write)],
    ['durable always / node fs streams + fsync (write)', ratio(always.write, streamsSync.write)],
    ['durable batch / node fs streams (write)', ratio(batch.write, streams.write)],
    ['durable none / node fs streams (write)', ratio(none.write, streams.write)],
    ['durable batch / node fs streams (read)', ratio(batch.read, streams.read)],
    ['node fs streams + fsync / node fs streams (write+read)', ratio(streamsSync.combined, streams.combined)],
    ['in memory / node fs streams (write+read)', ratio(mem.combined, streams.combined)],
  ];
  console.log('');
  printTable([
    ['comparison', 'value', 'target', 'result'],
    // A comparison with a measure left out (BENCH_ONLY) has a NaN value, and is skipped.
    ...targets.map((t) => [t.name, t.value, t.target, t.value.startsWith('NaN') ? 'skipped' : t.met ? 'PASS' : 'FAIL']),
    ...info.filter(([, value]) => value !== 'NaN').map(([name, value]) => [name, value, '-', 'info']),
  ]);
  console.log('');
  for (const m of MEASURES) console.log(`  ${m.name}: ${m.what}`);
  console.log('MB/s: 10^6 bytes per second, median of the rounds; write+read: 2 x size over the time of both halves');
  console.log(`every round read back ${mib(SIZE)} with the CRC-32 of the bytes written`);
  const failed = targets.filter((t) => !t.met && !t.value.startsWith('NaN')).length;
  console.log('');
  console.log(
    `${failed === 0 ? 'all targets met' : `${failed} target(s) missed`} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}

if (CHILD !== undefined) await child(Number(CHILD));
else await main();
