/**
 * A run on another kernel carries spec.placement: the task runs where the
 * caller asked (in a worker thread or in the kernel's thread) as a local
 * run's would, and a placement no run takes, sent by a faulty or hostile
 * peer, is refused by the serving kernel.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { programBinary, RunFlags, type Placement } from '@dios/kernel';
import { useWorkers, type WorkerPool } from '@dios/kernel/node';
import { blobWith } from '../support/blobs.js';
import { cluster } from '../distribution/cluster.js';

const PROGRAM = { module: new URL('../fixtures/worker-programs.ts', import.meta.url).href, export: 'forever' };
const pools: WorkerPool[] = [];

afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
});

describe('remote run and placement', () => {
  it.each<[Placement | undefined, Placement]>([
    [undefined, 'worker'],
    ['worker', 'worker'],
    ['thread', 'thread'],
  ])('spec.placement %j runs the task on the other kernel with placement %j', async (asked, expected) => {
    const c = await cluster('a', 'b');
    pools.push(useWorkers(c.k.b!, { size: 0 }));
    c.k.b!.registerProgram('placed', PROGRAM);
    const bin = await blobWith(c.sys.a!, programBinary('placed'));
    const argv = [`placed-${String(asked)}`];
    // Started paused: the placement is fixed at run, and a paused task runs no code.
    await c.sys.a!.run(
      bin.ref,
      { argv, kernel: 'b', ...(asked !== undefined ? { placement: asked } : {}) },
      RunFlags.START_PAUSED,
    );
    const task = [...c.k.b!.tasks.values()].find((t) => t.setup.argv[0] === argv[0]);
    expect(task?.setup.placement).toBe(expected);
    c.check();
  });

  it('a peer request with a placement no run takes gets EINVAL naming spec.placement', async () => {
    const c = await cluster('a', 'b');
    c.k.b!.registerProgram('placed', PROGRAM);
    const request = {
      kind: 'run',
      binary: programBinary('placed'),
      argv: ['bogus'],
      env: {},
      inputs: [],
      outputs: [],
      groups: [],
      name: undefined,
      flags: RunFlags.START_PAUSED,
      placement: 'everywhere',
    };
    const reply = await c.link.a!.transport.request('b', request as never);
    expect(reply).toMatchObject({ ok: false, error: { code: 'EINVAL', syscall: 'run', argument: 'spec.placement' } });
    expect([...c.k.b!.tasks.values()].some((t) => t.setup.argv[0] === 'bogus')).toBe(false);
    c.check();
  });
});
