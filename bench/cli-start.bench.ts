/**
 * How long the installed `dios` command takes to answer: `dios --help` and
 * `dios --version` through the bin (one process running the built
 * JavaScript), beside `node -e 0`, the floor any Node command pays, in
 * alternating rounds; medians and the ratio to the floor are printed.
 * BENCH_QUICK=1 for a short run.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './harness.js';

const BIN = fileURLToPath(new URL('../packages/apps/bin/dios.js', import.meta.url));
const ROUNDS = process.env.BENCH_QUICK === '1' ? 3 : 15;

function timed(args: string[]): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return ms;
}

const runs: Record<string, { args: string[]; ms: number[] }> = {
  'node -e 0 (floor)': { args: ['-e', '0'], ms: [] },
  'dios --help': { args: [BIN, '--help'], ms: [] },
  'dios --version': { args: [BIN, '--version'], ms: [] },
  'dios wordcount --help': { args: [BIN, 'wordcount', '--help'], ms: [] },
};
for (let round = 0; round < ROUNDS; round++) for (const run of Object.values(runs)) run.ms.push(timed(run.args));

const floor = median(runs['node -e 0 (floor)']!.ms);
console.log(`cli start, median of ${ROUNDS} runs each (alternating):`);
for (const [label, run] of Object.entries(runs)) {
  const m = median(run.ms);
  console.log(`  ${label.padEnd(24)} ${m.toFixed(0).padStart(5)} ms   ${(m / floor).toFixed(2)}x the floor`);
}
