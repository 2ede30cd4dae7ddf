/**
 * MapReduce across kernels (in one process, over the loopback transport):
 * a client kernel that takes no tasks submits the job, the scheduling
 * policy spreads the map and reduce tasks over three worker kernels, and
 * the counts equal the single-threaded count. When a worker kernel is cut
 * off mid-job, the tasks it ran (and map outputs it held) are run again on
 * the others, and the counts are still right.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ANY_KERNEL, Kernel, LoopbackNetwork, monitorTasks, type SystemCalls } from '@dios/kernel';
import { installMapReducePrograms, PROGRAM_IDS, wordCount, wordCountSync } from '@dios/apps';
import { DELAY_ENV } from '@dios/apps/testing';
import { putBlob } from './helpers.js';

const text = readFileSync('/usr/share/common-licenses/GPL-3');
// Several copies, so that every map task has some work.
const bytes = new Uint8Array(Buffer.concat(Array.from({ length: 6 }, () => text)));
let clusters = 0;

interface TestCluster {
  net: LoopbackNetwork;
  client: SystemCalls;
  workers: Record<string, Kernel>;
}

async function cluster(): Promise<TestCluster> {
  const net = new LoopbackNetwork();
  const name = `mr-cluster-${process.pid}-${++clusters}`;
  const client = await Kernel.boot({ id: 'client', cluster: name, schedulable: false });
  client.join(net.connect('client'));
  await installMapReducePrograms(client);
  const workers: Record<string, Kernel> = {};
  for (const id of ['a', 'b', 'c']) {
    const k = await Kernel.boot({ id, cluster: name });
    k.join(net.connect(id));
    k.onTaskFailure = () => {};
    await installMapReducePrograms(k);
    workers[id] = k;
  }
  return { net, client: client.init, workers };
}

/** Map (or reduce) tasks each kernel has started, running or exited. */
function started(k: Kernel, program: string): number {
  return monitorTasks(k).filter((t) => t.argv[0] === program).length;
}

/** Runs a job whose tasks each wait 150 ms, cuts worker c off once `when` holds, and checks the counts and that c's work was done again. */
async function cutMidJob(when: (c: TestCluster, done: number) => boolean): Promise<void> {
  const c = await cluster();
  const input = await putBlob(c.client, bytes);
  let cut = false;
  const counts = await wordCount(c.client, [input], {
    maps: 6,
    reduces: 3,
    kernel: ANY_KERNEL,
    env: { [DELAY_ENV]: '150' },
    progressMs: 10,
    onProgress: (done) => {
      if (!cut && when(c, done)) {
        cut = true;
        c.net.partition('c');
      }
    },
  });
  expect(cut).toBe(true);
  expect(counts).toEqual(wordCountSync(bytes));
  // More map tasks started than the job has: c's were run again.
  const maps = Object.values(c.workers).map((k) => started(k, PROGRAM_IDS.map));
  expect(maps.reduce((a, b) => a + b)).toBeGreaterThan(6);
}

describe('MapReduce across kernels', () => {
  it('spreads the tasks over the worker kernels (none on the client) and counts right', async () => {
    const c = await cluster();
    const input = await putBlob(c.client, bytes);
    const counts = await wordCount(c.client, [input], { maps: 6, reduces: 3, kernel: ANY_KERNEL });
    expect(counts).toEqual(wordCountSync(bytes));
    const maps = Object.values(c.workers).map((k) => started(k, PROGRAM_IDS.map));
    const reduces = Object.values(c.workers).map((k) => started(k, PROGRAM_IDS.reduce));
    expect(maps.reduce((a, b) => a + b)).toBe(6);
    expect(reduces.reduce((a, b) => a + b)).toBe(3);
    // Spread: every worker ran some map task.
    for (const n of maps) expect(n).toBeGreaterThan(0);
  });

  it('map tasks read a remote input in 8 MiB ranges: records cut at every range edge are counted once', async () => {
    const c = await cluster();
    // About 20 MB: each of the two maps reads three ranges; words straddle the edges.
    const big = new Uint8Array(Buffer.concat(Array.from({ length: 570 }, () => text)));
    const input = await putBlob(c.client, big);
    expect(await wordCount(c.client, [input], { maps: 2, reduces: 2, kernel: ANY_KERNEL })).toEqual(wordCountSync(big));
  });

  it('a worker cut off while map tasks run: its tasks run again elsewhere, counts right', async () => {
    // At once: the first map tasks are still waiting out their delay.
    await cutMidJob((c) => started(c.workers.c!, PROGRAM_IDS.map) > 0);
  });

  it('a worker cut off after the map phase: the map outputs it held are made again, counts right', async () => {
    // Every map done, the reduces waiting out their delay: c's map outputs are still needed.
    await cutMidJob((_c, done) => done >= 6);
  });
});
