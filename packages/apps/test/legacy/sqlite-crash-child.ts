/**
 * The process the crash test kills: boots a kernel on the store directory
 * given and runs SQLite on DIOS inserting batches into /crash.db, each in a
 * transaction that also updates a running total, until the script ends or
 * the process is killed. SQLite's output (a line "committed BATCH" after
 * each COMMIT has returned) goes to this process's stdout as it comes.
 *
 *   node --conditions=@dios/source --import tsx sqlite-crash-child.ts STORE_DIR RUN
 */
import { crashScript } from './crash-script.js';
import { bootLegacyKernel, runWasm } from './wasm-programs.js';

const [store, run] = process.argv.slice(2);
if (store === undefined || run === undefined) throw new Error('usage: sqlite-crash-child.ts STORE_DIR RUN');
const k = await bootLegacyKernel(store);
const r = await runWasm(k.sys, 'sqlite-shell', ['/crash.db'], crashScript(Number(run)), (bytes) =>
  process.stdout.write(bytes),
);
await k.close();
process.stdout.write(`done ${r.status} ${r.stderr}\n`);
