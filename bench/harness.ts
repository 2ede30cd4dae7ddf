/**
 * A small benchmark harness (no dependencies): calibrate, warm up, then take
 * several timed samples of a benchmark and of its baseline, alternating the
 * two so drift (GC, other processes, CPU frequency) hits both alike, and
 * report the median rate and the spread of the samples.
 * @module
 */
import { spawn } from 'node:child_process';

/**
 * Runs `units` units of work (operations, or bytes) and returns the
 * milliseconds spent in the timed part. Set-up and clean-up the measure must
 * not pay for (e.g. deleting references a lookup made) happen outside the
 * timed part, so each benchmark times itself.
 */
export type Timed = (units: number) => Promise<number> | number;

/** How long to run. */
export interface RunOptions {
  /** Timed samples per side (the median of these is reported). */
  samples: number;
  /** Target duration of one sample, in milliseconds. */
  sampleMs: number;
  /** Warm-up per side before sampling (lets the JIT settle), in milliseconds. */
  warmupMs: number;
}

/** The rates (units per second) of the samples of one side. */
export interface Stats {
  /** Median rate. */
  median: number;
  /** Slowest sample's rate. */
  min: number;
  /** Fastest sample's rate. */
  max: number;
  /** Every sample's rate, in the order taken. */
  rates: number[];
  /** Units of work per sample. */
  units: number;
}

/** Milliseconds since an arbitrary origin (monotonic). */
export const now = (): number => performance.now();

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Units per sample so that one sample takes about `targetMs` (units rounded to a multiple of `quantum`). */
async function calibrate(fn: Timed, targetMs: number, quantum: number, startUnits: number): Promise<number> {
  let units = Math.max(quantum, Math.round(startUnits / quantum) * quantum);
  for (;;) {
    const ms = await fn(units);
    if (ms >= targetMs / 8 || units >= 2 ** 40) {
      const scaled = Math.max(1, Math.round((units * targetMs) / Math.max(ms, 1e-3) / quantum)) * quantum;
      return scaled;
    }
    units *= 4;
  }
}

async function warmUp(fn: Timed, units: number, warmupMs: number): Promise<void> {
  const end = now() + warmupMs;
  do await fn(units);
  while (now() < end);
}

/** One benchmark and its baseline. */
export interface Pair {
  /** Measures the DIOS kernel. */
  dios: Timed;
  /** The equivalent work on plain Map / Uint8Array. */
  baseline: Timed;
  /** Units are counted in multiples of this (e.g. bytes per write). */
  quantum?: number;
  /** First guess for calibration. */
  startUnits?: number;
}

/** Measures both sides of `pair`: calibration, warm-up, then alternating samples. */
export async function measurePair(pair: Pair, options: RunOptions): Promise<{ dios: Stats; baseline: Stats }> {
  const quantum = pair.quantum ?? 1;
  const start = pair.startUnits ?? quantum;
  const sides = [pair.dios, pair.baseline];
  const units: number[] = [];
  for (const fn of sides) {
    const u = await calibrate(fn, options.sampleMs, quantum, start);
    await warmUp(fn, Math.max(quantum, Math.round(u / 4 / quantum) * quantum), options.warmupMs);
    // Re-calibrate once warm: the first estimate was taken on cold code.
    units.push(await calibrate(fn, options.sampleMs, quantum, u / 8));
  }
  const rates: number[][] = [[], []];
  for (let i = 0; i < options.samples; i++) {
    // Alternate which side goes first, so neither always follows the other's garbage.
    const order = i % 2 === 0 ? [0, 1] : [1, 0];
    for (const k of order) {
      const ms = await sides[k]!(units[k]!);
      rates[k]!.push((units[k]! * 1000) / Math.max(ms, 1e-6));
    }
  }
  const stats = (k: number): Stats => ({
    median: median(rates[k]!),
    min: Math.min(...rates[k]!),
    max: Math.max(...rates[k]!),
    rates: rates[k]!,
    units: units[k]!,
  });
  return { dios: stats(0), baseline: stats(1) };
}

/** Spread of the samples around the median: half the min-max range, as a percentage of the median. */
export function spread(s: Stats): string {
  return `±${(((s.max - s.min) / 2 / s.median) * 100).toFixed(1)}%`;
}

/** Formats an operation rate: 1.23 M/s, 456 k/s. */
export function formatOps(rate: number): string {
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(2)} M ops/s`;
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(1)} k ops/s`;
  return `${rate.toFixed(0)} ops/s`;
}

/** Formats a byte rate in GB/s (10^9 bytes per second). */
export function formatBytes(rate: number): string {
  return `${(rate / 1e9).toFixed(2)} GB/s`;
}

/** Prints rows as a table with aligned columns (first row is the header). */
export function printTable(rows: readonly (readonly string[])[]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(' | ');
  console.log(line(rows[0]!));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows.slice(1)) console.log(line(r));
}

/** Prefix of the line a measure's child process prints its JSON result on. */
export const RESULT_PREFIX = 'BENCH_RESULT ';

/** In a child process: prints `result` as the one line the parent looks for. */
export function reportResult(result: unknown): void {
  console.log(`${RESULT_PREFIX}${JSON.stringify(result)}`);
}

/**
 * Runs measure `index` of the current script in a fresh process (same node
 * flags, e.g. tsx's loader, and BENCH_CHILD set to the index) and resolves
 * with the result it reported.
 */
export function runInChild<T>(index: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...process.execArgv, process.argv[1]!], {
      env: { ...process.env, BENCH_CHILD: String(index) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    proc.on('error', reject);
    proc.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || line === undefined) reject(new Error(`measure ${index} failed (exit code ${code}):\n${out}`));
      else resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as T);
    });
  });
}
