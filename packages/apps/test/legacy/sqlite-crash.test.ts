/**
 * kill -9 of the process running the kernel while SQLite on DIOS commits
 * transactions leaves a sound database. A child process boots a kernel on a
 * store directory and runs SQLite inserting batches, each batch one
 * transaction that also moves a running total; it is killed with SIGKILL at
 * a random moment after its first commit. Then a kernel booted on the
 * directory finds, through SQLite on DIOS, `PRAGMA integrity_check` = ok,
 * every batch whole or absent, every commit SQLite reported present, and
 * the total equal to the rows. Runs repeat on the same directory: 2 by
 * default (a child takes seconds to boot on a loaded machine),
 * DIOS_WASI_CRASH_RUNS=N for more.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BATCH_ROWS, BATCHES, CHECK_SCRIPT } from './crash-script.js';
import { bootLegacyKernel, runWasm, wasmMissing } from './wasm-programs.js';

const skip = wasmMissing('sqlite-shell');
const RUNS = Number(process.env.DIOS_WASI_CRASH_RUNS ?? 2);
const CHILD = fileURLToPath(new URL('./sqlite-crash-child.ts', import.meta.url));
// The kill comes at most this long after the first commit (all the batches take about as long).
const KILL_WINDOW_MS = 1500;

const store = mkdtempSync(join(tmpdir(), 'dios-sqlite-crash-'));
afterAll(() => rmSync(store, { recursive: true, force: true }));

/**
 * Runs the child for run `run` and kills it `delay` ms after its first
 * commit; resolves to how it ended and how many commits it reported.
 */
function runAndKill(run: number, delay: number): Promise<{ killed: boolean; commits: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@dios/source', '--import', 'tsx', CHILD, store, `${run}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let timer: NodeJS.Timeout | undefined;
    const commits = () => output.split('\n').filter((line) => line.startsWith('committed|')).length;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (timer === undefined && commits() > 0) timer = setTimeout(() => child.kill('SIGKILL'), delay);
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      // Only whole lines count: a line cut by the kill was not seen.
      if (!output.endsWith('\n')) output = output.slice(0, output.lastIndexOf('\n') + 1);
      resolve({ killed: signal === 'SIGKILL', commits: commits(), output });
    });
  });
}

/** What SQLite on DIOS, on a kernel booted on the store, says of the database. */
async function check(): Promise<{ integrity: string; rows: number; total: number; torn: string[] }> {
  const k = await bootLegacyKernel(store);
  try {
    const r = await runWasm(k.sys, 'sqlite-shell', ['/crash.db'], CHECK_SCRIPT);
    expect(r.status, r.stderr).toBe(0);
    const [integrity, rows, total, ...torn] = new TextDecoder().decode(r.stdout).trimEnd().split('\n');
    return { integrity: integrity!, rows: Number(rows), total: Number(total), torn };
  } finally {
    await k.close();
  }
}

describe.skipIf(skip !== undefined)('SQLite on DIOS after kill -9 of its kernel', () => {
  it(`${RUNS} kills at random moments: the database stays sound, each transaction all or nothing`, async () => {
    let previous = 0;
    for (let run = 1; run <= RUNS; run++) {
      const delay = Math.floor(Math.random() * KILL_WINDOW_MS);
      const { killed, commits, output } = await runAndKill(run, delay);
      if (!killed) expect(output, `run ${run} ended on its own`).toMatch(/done 0/);
      expect(commits, output).toBeGreaterThan(0);
      const state = await check();
      const context = `run ${run}, killed ${delay} ms after its first commit, ${commits} reported: ${JSON.stringify(state)}`;
      expect(state.integrity, context).toBe('ok');
      expect(state.torn, context).toEqual([]);
      expect(state.rows % BATCH_ROWS, context).toBe(0);
      expect(state.total, context).toBe(state.rows);
      // Every commit SQLite reported is there, with what earlier runs committed; nothing beyond what the run wrote.
      expect(state.rows, context).toBeGreaterThanOrEqual(previous + commits * BATCH_ROWS);
      expect(state.rows, context).toBeLessThanOrEqual(previous + BATCHES * BATCH_ROWS);
      previous = state.rows;
    }
  });
});
