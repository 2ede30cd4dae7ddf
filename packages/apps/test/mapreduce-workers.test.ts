/**
 * MapReduce with every task in a worker thread (the kernel's worker
 * executor): the counts are the same as the single-threaded function's, a
 * failing worker task is re-run, and no more tasks run at once than asked.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel } from '@dios/kernel';
import { useWorkers, type WorkerPool } from '@dios/kernel/node';
import { installMapReducePrograms, wordCount, wordCountSync } from '@dios/apps';
import { putBlob } from './helpers.js';

let kernel: Kernel;
let pool: WorkerPool;

beforeAll(async () => {
  kernel = await Kernel.boot();
  pool = useWorkers(kernel, { size: 2 });
  await installMapReducePrograms(kernel);
});
afterAll(async () => {
  await pool.close();
});

describe('MapReduce in worker threads', () => {
  it('WordCount with tasks in worker threads equals the single-threaded count', async () => {
    const bytes = readFileSync('/usr/share/common-licenses/GPL-3');
    const tasksBefore = pool.threadsStarted;
    const counts = await wordCount(kernel.init, [await putBlob(kernel.init, bytes)], {
      maps: 4,
      reduces: 3,
      parallel: 2,
    });
    expect(counts).toEqual(wordCountSync(bytes));
    // Master + 4 maps + 3 reduces ran in worker threads, at most master + 2 at a time: 2 or 3 threads.
    expect(pool.threadsStarted - tasksBefore).toBeGreaterThanOrEqual(2);
    expect(pool.threadsStarted - tasksBefore).toBeLessThanOrEqual(3);
  });

  it('a worker map task that fails once is re-run and the counts are right', async () => {
    const bytes = readFileSync('/usr/share/common-licenses/Apache-2.0');
    const counts = await wordCount(kernel.init, [await putBlob(kernel.init, bytes)], {
      maps: 3,
      reduces: 2,
      parallel: 2,
      env: { DIOS_MAPREDUCE_FAULTS: 'map:1:1,reduce:0:1' },
    });
    expect(counts).toEqual(wordCountSync(bytes));
  });
});
