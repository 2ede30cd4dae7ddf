/**
 * Legacy-process benchmark, every figure beside its baselines measured in
 * the same run:
 *
 * - SQLite: the sqlite-shell wasm on DIOS (`dios exec`, its database a
 *   durable blob in a FileBlobStore in a temporary directory, every POSIX
 *   call carried by the system calls), the same wasm under node:wasi on the
 *   host file system (a temporary directory preopened as `/`), and native
 *   SQLite (better-sqlite3, same SQL text). Rows inserted in transactions,
 *   then point queries through an index; each phase is timed by SQLite's
 *   own clock inside the run (wasi-sql.ts), so process start, module
 *   compile and kernel boot are not in the rates. Target: DIOS at least 0.5
 *   of node:wasi.
 * - wc: the C wc over a generated text on stdin, through `dios exec` (the
 *   file piped into a DIOS stream the task reads), under node:wasi, and
 *   coreutils wc; each a process timed end to end, outputs compared.
 *
 *   npm run bench:wasi
 *   BENCH_QUICK=1 npm run bench:wasi           (fewer rows, 16 MB, one run)
 *   BENCH_WASI_RUNS=5 BENCH_WASI_WC_MB=512 npm run bench:wasi
 *   BENCH_WASI_EXCLUSIVE=1 npm run bench:wasi  (PRAGMA locking_mode=EXCLUSIVE, all three)
 * @module
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { median, printTable } from './harness.js';
import { expectedSelectSum, parseRun, sqlPhases, type SqlWorkload } from './wasi-sql.js';
import { writeCorpus } from './wordcount-corpus.js';

const QUICK = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
const RUNS = Number(process.env.BENCH_WASI_RUNS ?? (QUICK ? 1 : 5));
const WC_MB = Number(process.env.BENCH_WASI_WC_MB ?? (QUICK ? 16 : 256));
const EXCLUSIVE = process.env.BENCH_WASI_EXCLUSIVE === '1';
const WORKLOAD: SqlWorkload = QUICK
  ? { rows: 2_000, batch: 500, selects: 1_000, exclusive: EXCLUSIVE }
  : { rows: 20_000, batch: 1_000, selects: 5_000, exclusive: EXCLUSIVE };
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'packages/apps/dist/cli/main.js');
const NODE_WASI = join(ROOT, 'bench/wasi-node.mjs');
const WASM = join(ROOT, 'packages/apps/wasm');
const SQLITE = join(WASM, 'sqlite-shell.wasm');
const WC = join(WASM, 'wc.wasm');
const DB = 'bench.db';

/** What a child process gave back. */
interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `argv` with stdin from the file `input`; resolves when it exits. */
function run(argv: readonly string[], input: string): Promise<Ran> {
  const fd = openSync(input, 'r');
  const t0 = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), { stdio: [fd, 'pipe', 'pipe'] });
  closeSync(fd);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  child.stderr!.on('data', (b: Buffer) => err.push(b));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) =>
      resolve({
        status,
        stdout: Buffer.concat(out).toString('latin1'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: performance.now() - t0,
      }),
    );
  });
}

/** Rows per second of the inserts and of the selects of one run. */
interface SqlRates {
  inserts: number;
  selects: number;
}

function ratesOf(name: string, r: Ran): SqlRates {
  if (r.status !== 0) throw new Error(`${name} exited with ${r.status}: ${r.stderr.trim()}`);
  const { marks, sum } = parseRun(r.stdout);
  if (marks.length !== 3)
    throw new Error(`${name}: expected 3 time marks, got ${marks.length}:\n${r.stdout.slice(0, 500)}`);
  if (sum !== expectedSelectSum(WORKLOAD))
    throw new Error(`${name}: the selects' rows add up to ${sum}, expected ${expectedSelectSum(WORKLOAD)}`);
  return {
    inserts: WORKLOAD.rows / ((marks[1]! - marks[0]!) / 1000),
    selects: WORKLOAD.selects / ((marks[2]! - marks[1]!) / 1000),
  };
}

/** Native SQLite on the same SQL: each phase timed around better-sqlite3's exec. */
function nativeRun(dir: string, sql: ReturnType<typeof sqlPhases>): SqlRates {
  const db = new Database(join(dir, DB));
  try {
    db.exec(sql.setup.replace(/^SELECT 'mark'.*$/m, ''));
    const t0 = performance.now();
    db.exec(sql.inserts.replace(/^SELECT 'mark'.*$/m, ''));
    const t1 = performance.now();
    // exec runs every statement but returns no rows; the selects' answers are checked on the wasm runs.
    db.exec(sql.selects.replace(/^SELECT 'mark'.*$/m, ''));
    const t2 = performance.now();
    const rows = (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
    if (rows !== WORKLOAD.rows) throw new Error(`native: ${rows} rows, expected ${WORKLOAD.rows}`);
    return { inserts: WORKLOAD.rows / ((t1 - t0) / 1000), selects: WORKLOAD.selects / ((t2 - t1) / 1000) };
  } finally {
    db.close();
  }
}

const fmt = (rate: number): string => `${Math.round(rate).toLocaleString('en')} rows/s`;
const ratio = (a: number, b: number): string => (a / b).toFixed(2);

async function sqliteBench(tmp: string): Promise<void> {
  const sql = sqlPhases(WORKLOAD);
  const script = join(tmp, 'workload.sql');
  writeFileSync(script, sql.setup + sql.inserts + sql.selects);
  const names = ['SQLite on DIOS (dios exec)', 'SQLite wasm on node:wasi', 'native SQLite (better-sqlite3)'];
  const rates: SqlRates[][] = [[], [], []];
  for (let i = 0; i < RUNS; i++) {
    // A fresh directory per run and contender: every run creates its database.
    const dirs = [0, 1, 2].map((k) => mkdtempSync(join(tmp, `sql-${i}-${k}-`)));
    const contenders: (() => Promise<SqlRates>)[] = [
      async () =>
        ratesOf(names[0]!, await run([process.execPath, CLI, 'exec', '--data', dirs[0]!, SQLITE, `/${DB}`], script)),
      async () => ratesOf(names[1]!, await run([process.execPath, NODE_WASI, SQLITE, dirs[1]!, `/${DB}`], script)),
      () => Promise.resolve(nativeRun(dirs[2]!, sql)),
    ];
    for (let j = 0; j < contenders.length; j++) {
      // Rotate the order, so no contender always follows the same one.
      const k = (j + i) % contenders.length;
      const r = await contenders[k]!();
      rates[k]!.push(r);
      console.log(
        `  run ${i + 1}/${RUNS}: ${names[k]}: inserts ${fmt(r.inserts)}, selects ${fmt(r.selects)} (load ${loadavg()[0]!.toFixed(1)})`,
      );
    }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  const med = rates.map((rs) => ({
    inserts: median(rs.map((r) => r.inserts)),
    selects: median(rs.map((r) => r.selects)),
  }));
  console.log('');
  printTable([
    ['SQLite', 'inserts (median)', 'indexed selects (median)'],
    ...names.map((n, k) => [n, fmt(med[k]!.inserts), fmt(med[k]!.selects)]),
    ['DIOS / node:wasi', ratio(med[0]!.inserts, med[1]!.inserts), ratio(med[0]!.selects, med[1]!.selects)],
    ['DIOS / native', ratio(med[0]!.inserts, med[2]!.inserts), ratio(med[0]!.selects, med[2]!.selects)],
  ]);
  const worst = Math.min(med[0]!.inserts / med[1]!.inserts, med[0]!.selects / med[1]!.selects);
  console.log(
    `  target DIOS / node:wasi >= 0.5: ${worst >= 0.5 ? 'met' : 'NOT met'} (worst phase ${worst.toFixed(2)})`,
  );
}

/** The three counts of a wc output line. */
const counts = (out: string): string => out.trim().split(/\s+/).slice(0, 3).join(' ');

async function wcBench(tmp: string): Promise<void> {
  const file = join(tmp, 'text.txt');
  writeCorpus(file, WC_MB * 1e6);
  const data = mkdtempSync(join(tmp, 'wc-data-'));
  const names = ['C wc on DIOS (dios exec, stdin a DIOS stream)', 'C wc on node:wasi', 'coreutils wc'];
  const argv = [[process.execPath, CLI, 'exec', '--data', data, WC], [process.execPath, NODE_WASI, WC, tmp], ['wc']];
  const ms: number[][] = [[], [], []];
  const outputs = new Set<string>();
  for (let i = 0; i < RUNS; i++) {
    for (let j = 0; j < argv.length; j++) {
      const k = (j + i) % argv.length;
      const r = await run(argv[k]!, file);
      if (r.status !== 0) throw new Error(`${names[k]} exited with ${r.status}: ${r.stderr.trim()}`);
      outputs.add(counts(r.stdout));
      ms[k]!.push(r.ms);
      console.log(
        `  run ${i + 1}/${RUNS}: ${names[k]}: ${(r.ms / 1000).toFixed(2)} s (load ${loadavg()[0]!.toFixed(1)})`,
      );
    }
  }
  if (outputs.size !== 1) throw new Error(`the wc outputs differ: ${[...outputs].join(' / ')}`);
  const med = ms.map((m) => median(m));
  const mbps = (t: number) => `${((WC_MB * 1e6) / 1e6 / (t / 1000)).toFixed(1)} MB/s`;
  console.log('');
  printTable([
    ['wc', 'wall time (median, whole process)', 'throughput'],
    ...names.map((n, k) => [n, `${(med[k]! / 1000).toFixed(2)} s`, mbps(med[k]!)]),
    ['DIOS / coreutils (throughput)', ratio(med[2]!, med[0]!), ''],
    ['DIOS / node:wasi (throughput)', ratio(med[1]!, med[0]!), ''],
  ]);
  console.log(`  lines words bytes: ${[...outputs][0]}`);
}

async function main(): Promise<void> {
  for (const path of [CLI, SQLITE, WC])
    if (!existsSync(path))
      throw new Error(`${path} is missing: run npm run build and node scripts/build-wasm.mjs first`);
  console.log(
    `WASI benchmark (${QUICK ? 'quick' : 'full'} run: ${RUNS} run(s) per contender, interleaved; ` +
      `${availableParallelism()} CPUs; node ${process.version}; load average ${loadavg()[0]!.toFixed(1)})`,
  );
  const tmp = mkdtempSync(join(tmpdir(), 'dios-wasi-bench-'));
  try {
    console.log(
      `\nSQLite: ${WORKLOAD.rows.toLocaleString('en')} rows inserted in transactions of ${WORKLOAD.batch.toLocaleString('en')}, ` +
        `then ${WORKLOAD.selects.toLocaleString('en')} point queries through an index (journal_mode=DELETE${EXCLUSIVE ? ', locking_mode=EXCLUSIVE' : ''}; phases timed by SQLite's clock inside each run)`,
    );
    await sqliteBench(tmp);
    console.log(`\nwc over ${WC_MB} MB of text on stdin (whole processes, start included)`);
    await wcBench(tmp);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
