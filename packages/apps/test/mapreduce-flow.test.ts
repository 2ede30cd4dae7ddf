/**
 * MapReduce over kernels that place `run '*'` by min-cost flow (flowPolicy),
 * in one process over the loopback transport: a word count whose map and
 * reduce tasks the flow policy places gives the counts the greedy policy's
 * run gives (and the single-threaded count), every task went to a worker
 * kernel, and the flow policy (not the default) made each placement.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ANY_KERNEL,
  flowPolicy,
  Kernel,
  localityPolicy,
  LoopbackNetwork,
  monitorTasks,
  type PlacementRequest,
  type SchedulingPolicy,
  type SystemCalls,
} from '@dios/kernel';
import { installMapReducePrograms, PROGRAM_IDS, wordCount, wordCountSync } from '@dios/apps';
import { DELAY_ENV } from '@dios/apps/testing';
import { putBlob } from './helpers.js';

const text = readFileSync('/usr/share/common-licenses/GPL-3');
const bytes = new Uint8Array(Buffer.concat(Array.from({ length: 6 }, () => text)));
const WORKERS = ['a', 'b', 'c'];
let clusters = 0;

/** A policy that records each request (and the kernel chosen) before `inner` answers. */
function recorded(inner: SchedulingPolicy): SchedulingPolicy & { calls: [PlacementRequest, string][] } {
  const calls: [PlacementRequest, string][] = [];
  return {
    calls,
    async place(request) {
      const chosen = await inner.place(request);
      calls.push([request, chosen]);
      return chosen;
    },
  };
}

interface TestCluster {
  client: SystemCalls;
  workers: Record<string, Kernel>;
}

/** A client that takes no tasks and three worker kernels, all booted with `policy` (and `slots` each). */
async function cluster(policy: () => SchedulingPolicy, slots?: number): Promise<TestCluster> {
  const net = new LoopbackNetwork();
  const name = `mr-flow-${process.pid}-${++clusters}`;
  const client = await Kernel.boot({ id: 'client', cluster: name, schedulable: false, scheduler: policy() });
  client.join(net.connect('client'));
  await installMapReducePrograms(client);
  const workers: Record<string, Kernel> = {};
  for (const id of WORKERS) {
    const k = await Kernel.boot({ id, cluster: name, scheduler: policy(), ...(slots !== undefined && { slots }) });
    k.join(net.connect(id));
    await installMapReducePrograms(k);
    workers[id] = k;
  }
  return { client: client.init, workers };
}

/** Tasks of `program` each worker started, by worker id. */
function started(c: TestCluster, program: string): Record<string, number> {
  return Object.fromEntries(
    WORKERS.map((id) => [id, monitorTasks(c.workers[id]!).filter((t) => t.argv[0] === program).length]),
  );
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

describe('MapReduce with the flow scheduling policy', () => {
  it("a word count with job.kernel '*' counts as the greedy policy's does; flow placed every task on a worker", async () => {
    const greedy = await cluster(() => localityPolicy);
    const greedyCounts = await wordCount(greedy.client, [await putBlob(greedy.client, bytes)], {
      maps: 6,
      reduces: 3,
      kernel: ANY_KERNEL,
    });

    const flow = recorded(flowPolicy());
    const c = await cluster(() => flow, 2);
    const counts = await wordCount(c.client, [await putBlob(c.client, bytes)], {
      maps: 6,
      reduces: 3,
      kernel: ANY_KERNEL,
    });
    expect(counts).toEqual(greedyCounts);
    expect(counts).toEqual(wordCountSync(bytes));

    expect(sum(started(c, PROGRAM_IDS.map))).toBe(6);
    expect(sum(started(c, PROGRAM_IDS.reduce))).toBe(3);
    // One placement per task at least (a run may be retried), each among the workers only, told their slots.
    expect(flow.calls.length).toBeGreaterThanOrEqual(9);
    for (const [request, chosen] of flow.calls) {
      expect(request.candidates.map((l) => l.kernel).sort()).toEqual(WORKERS);
      for (const l of request.candidates) expect(l.slots).toBe(2);
      expect(WORKERS).toContain(chosen);
    }
  });

  it('tasks that last: flow spreads the map tasks over the workers by their load, counts right', async () => {
    const flow = recorded(flowPolicy());
    const c = await cluster(() => flow, 1);
    // Each task waits 150 ms, so a worker's slot is taken when the next map is placed.
    const counts = await wordCount(c.client, [await putBlob(c.client, bytes)], {
      maps: 6,
      reduces: 3,
      kernel: ANY_KERNEL,
      env: { [DELAY_ENV]: '150' },
    });
    expect(counts).toEqual(wordCountSync(bytes));
    const maps = started(c, PROGRAM_IDS.map);
    expect(sum(maps)).toBe(6);
    for (const id of WORKERS) expect(maps[id], id).toBeGreaterThan(0);
  });
});
