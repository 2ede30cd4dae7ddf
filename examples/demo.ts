/**
 * The `npm start` demo: WordCount on MapReduce over a text the repository
 * ships (examples/data/licenses.txt). One kernel; the job master, the map
 * tasks and the reduce tasks are DIOS tasks in worker threads (one per core
 * at a time), reaching the kernel only through the eleven system calls. It
 * prints the most frequent words, then every task the job ran with the
 * kernel's monitoring figures for it.
 *
 *   npm start
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { formatTaskReports, Kernel, monitorTasks, ObjectType, type SystemCalls } from '@dios/kernel';
import { useWorkers } from '@dios/kernel/node';
import { installMapReducePrograms, wordCount } from '@dios/apps';

const TEXT = new URL('./data/licenses.txt', import.meta.url);
const log = (text = ''): void => void process.stdout.write(`${text}\n`);

/** A new shared-memory blob holding `bytes` (one begin_write / end_write round). */
async function blobOf(sys: SystemCalls, bytes: Uint8Array): Promise<number> {
  const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { capacity: bytes.length });
  const buffer = await sys.beginWrite(ref, bytes.length);
  buffer.set(bytes);
  await sys.endWrite(ref, buffer);
  return ref;
}

async function main(): Promise<void> {
  const cores = availableParallelism();
  const kernel = await Kernel.boot({ id: 'demo' });
  const pool = useWorkers(kernel);
  try {
    await installMapReducePrograms(kernel);
    const sys = kernel.init;
    const bytes = readFileSync(TEXT);
    const input = await blobOf(sys, bytes);
    log(
      `WordCount on ${TEXT.pathname.split('/').slice(-2).join('/')} (${bytes.length} bytes): 4 map tasks, 2 reduce tasks, ${cores} at a time in worker threads`,
    );
    const t0 = performance.now();
    const top = await wordCount(sys, [input], { maps: 4, reduces: 2, parallel: cores, top: 12 });
    const ms = performance.now() - t0;
    log('');
    log('top words:');
    for (const { key, count } of top) log(`  ${key.padEnd(12)} ${String(count).padStart(6)}`);
    log('');
    log(`the job took ${ms.toFixed(0)} ms; ${pool.threadsStarted} worker thread(s) started for its tasks`);
    log('');
    log("tasks it ran (the kernel's monitoring; cpu ms is the worker thread's CPU time while the task ran):");
    const tasks = monitorTasks(kernel).filter((t) => t.argv[0]?.startsWith('mapreduce-'));
    log(formatTaskReports(tasks));
  } finally {
    await pool.close();
  }
}

await main();
