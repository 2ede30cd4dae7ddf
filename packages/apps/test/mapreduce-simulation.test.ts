/**
 * MapReduce under the deterministic simulation of @dios/kernel/testing: a
 * WordCount job over three worker kernels, with a worker lost mid-job,
 * gives the right counts, and the same seed replays the run event for event
 * (the job's tasks, their calls, the messages between kernels).
 */
import { describe, expect, it } from 'vitest';
import { ANY_KERNEL, Kernel } from '@dios/kernel';
import { formatTrace, simulate, type SimCluster } from '@dios/kernel/testing';
import { installMapReducePrograms, wordCount, wordCountSync } from '@dios/apps';
import { putBlob } from './helpers.js';

const text = new TextEncoder().encode('to be or not to be\nthat is the question\n'.repeat(50));

const job = {
  nodes: ['client', 'b', 'c', 'd'],
  boot: (o: Parameters<typeof Kernel.boot>[0] = {}) => Kernel.boot({ ...o, schedulable: o.id !== 'client' }),
  prepare: async (k: Kernel) => {
    k.onTaskFailure = () => {};
    await installMapReducePrograms(k);
  },
  run: async (cluster: SimCluster) => {
    const sys = cluster.init('client');
    const input = await putBlob(sys, text);
    return wordCount(sys, [input], { maps: 3, reduces: 2, kernel: ANY_KERNEL, job: 'sim' });
  },
};

describe('WordCount under simulation', () => {
  it('counts right with a worker lost mid-job, and replays from its seed', async () => {
    const faults = [{ at: 40, kind: 'lose' as const, node: 'b' }];
    const first = await simulate({ ...job, seed: 11, faults });
    expect(first.outcome, String(first.error)).toBe('ok');
    expect(first.value).toEqual(wordCountSync(text));
    const trace = formatTrace(first.trace);
    // b had work when it went: a task of the job ran there before the loss, and the job went on without it.
    expect(trace).toMatch(/b\/mapreduce-(map|reduce)/);
    expect(trace).toMatch(/fault\s+lose b/);
    const again = await simulate({ ...job, seed: 11, faults });
    expect(formatTrace(again.trace)).toBe(trace);
    expect(again.value).toEqual(first.value);
  });
});
