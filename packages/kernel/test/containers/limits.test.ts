/**
 * Container limits and stopping (docs/containers.md): a memory bomb stops
 * its own container only (its other task ends with reason `oom`) while
 * another container and a host task go on; the task limit refuses a run
 * with EAGAIN until a task exits; CPU shares become the container threads'
 * nice level; the stop notice wakes every task waiting on it; killContainer
 * ends a task that ignores it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectType, PauseFlags, RunFlags } from '@dios/kernel';
import { applyShares, niceForShares } from '../../src/host/worker/cpu-shares.js';
import { dec, enc, expectErrno, readAll, writeAll } from '../helpers.js';
import { rig, until, type Rig } from './rig.js';

let r: Rig;
beforeAll(async () => {
  // No warm spares: each thread here runs one container's task (fewer threads on a loaded machine).
  r = await rig({}, 2, 0);
});
afterAll(() => r.close());

const count = (id: string, line: string) => (r.out.get(id) ?? '').split('\n').filter((l) => l === line).length;

// The nice level of each thread of this process (field 19 of /proc/self/task/TID/stat), by tid.
function niceLevels(): Map<number, number> {
  const levels = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      levels.set(Number(tid), Number(fields[16]));
    } catch {
      // The thread ended while we looked.
    }
  }
  return levels;
}

describe('container limits', () => {
  it('a memory bomb stops its container alone; another container and a host task go on', async () => {
    const M = r.container('bomb', { memoryMb: 32 });
    const O = r.container('other');
    const mEvents = r.exits(M, 2);
    const oEvents = r.exits(O);
    await r.start(O, 'graceful');
    await r.start(M, 'stubborn');
    await until('both started', () => count('bomb', 'stubborn') === 1 && count('other', 'waiting') === 1);
    await r.start(M, 'bomb');
    const events = await mEvents;
    expect(events.map((e) => [e.argv[0], e.reason])).toEqual(
      expect.arrayContaining([
        ['bomb', 'oom'],
        ['stubborn', 'oom'],
      ]),
    );
    expect(events.find((e) => e.argv[0] === 'stubborn')!.status).toBe(137);
    expect(M.oomKilled).toBe(true);
    expect(M.taskCount).toBe(0);
    // The other container was not touched: asked to stop now, its task ends normally.
    expect(O.oomKilled).toBe(false);
    expect(O.taskCount).toBe(1);
    r.kernel.noticeContainer(O);
    expect(await oEvents).toMatchObject([{ status: 0, reason: 'exited' }]);
    expect(r.out.get('other')).toBe('waiting\nstopping\n');
    // A host task works as before.
    const host = await r.kernel.attachTask(['host']);
    const blob = await host.create(ObjectType.SHARED_MEMORY_BLOB);
    await writeAll(host, blob.ref, enc('still here'));
    expect(dec((await readAll(host, blob.ref)).bytes)).toBe('still here');
    r.kernel.checkInvariants();
  }, 15000);

  it('the task limit: EAGAIN at maxTasks, a slot frees when a task exits; the stop notice wakes every waiting task', async () => {
    const G = r.container('limit', { maxTasks: 2 });
    await r.start(G, 'graceful');
    // The second joins (and counts) while paused.
    const second = await r.kernel.init.run(
      await r.binary(G, 'graceful'),
      { argv: ['graceful'], groups: [G.handles.group] },
      RunFlags.START_PAUSED,
    );
    expect(G.taskCount).toBe(2);
    const bin = await r.binary(G, 'graceful');
    await expectErrno(
      r.kernel.init.run(bin, { argv: ['third'], groups: [G.handles.group] }),
      'EAGAIN',
      undefined,
      'run',
    );
    await r.kernel.init.pause(second, PauseFlags.RESUME);
    await until('both wait on the notice', () => count('limit', 'waiting') === 2);
    const done = r.exits(G, 2);
    r.kernel.noticeContainer(G);
    const events = await done;
    expect(events.map((e) => [e.status, e.reason])).toEqual([
      [0, 'exited'],
      [0, 'exited'],
    ]);
    expect(count('limit', 'stopping')).toBe(2);
    // Slots free: a task starts again (paused: it need not run).
    await r.kernel.init.run(bin, { argv: ['again'], groups: [G.handles.group] }, RunFlags.START_PAUSED);
    expect(G.taskCount).toBe(1);
    r.kernel.killContainer(G);
    expect(G.taskCount).toBe(0);
    r.kernel.checkInvariants();
  }, 15000);

  it('CPU shares: the nice level of the weight nearest (CFS: 1.25x a level), applied to a thread', async () => {
    expect([1024, 512, 256, 2, 262144, 4096].map(niceForShares)).toEqual([0, 3, 6, 19, -20, -6]);
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const tid = Number(require('node:fs').readFileSync('/proc/thread-self/stat', 'latin1').split(' ')[0]);
       parentPort.postMessage(tid); setInterval(() => {}, 1000);`,
      { eval: true },
    );
    try {
      const tid = await new Promise<number>((resolve) => worker.once('message', resolve));
      expect(niceLevels().get(tid)).toBe(0);
      expect(applyShares(tid, 256)).toBe(6);
      expect(niceLevels().get(tid)).toBe(6);
      // Below 0 needs privilege; without it the thread is put back at 0.
      const raised = applyShares(tid, 4096);
      expect([-6, 0]).toContain(raised);
      expect(niceLevels().get(tid)).toBe(raised);
    } finally {
      await worker.terminate();
    }
  });

  it("a container's task runs at its shares' nice level; killContainer ends a task that ignores the notice", async () => {
    const K = r.container('shares', { cpuShares: 256 });
    const before = [...niceLevels()].filter(([, nice]) => nice === 6).map(([tid]) => tid);
    const done = r.exits(K);
    await r.start(K, 'stubborn');
    await until('it runs', () => count('shares', 'stubborn') === 1);
    const at6 = [...niceLevels()].filter(([tid, nice]) => nice === 6 && !before.includes(tid));
    expect(at6).toHaveLength(1);
    // It does not wait for the notice: after it, it is still alive; the kill ends it.
    r.kernel.noticeContainer(K);
    expect(K.taskCount).toBe(1);
    r.kernel.killContainer(K);
    expect(await done).toMatchObject([{ status: 137, reason: 'killed' }]);
    expect(K.taskCount).toBe(0);
    // Its thread is terminated (it never gave it back).
    await until('its thread ended', () => !niceLevels().has(at6[0]![0]));
    r.kernel.checkInvariants();
  }, 15000);
});

describe("a container's objects count against its memory limit", () => {
  it('create and begin_write past the limit are ENOMEM, nothing changes; freeing objects makes room; other containers are not charged', async () => {
    const c = r.container('hoarder', { memoryMb: 8 });
    const other = r.container('bystander', { memoryMb: 8 });
    const a = await r.actor(c);
    const b = await r.actor(other);
    const MiB = 1024 * 1024;
    // A stream's ring is allocated whole at create.
    await expectErrno(
      a.sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 16 * MiB }),
      'ENOMEM',
      'options.capacity',
    );
    expect(c.objectBytes).toBe(0);
    // Blobs grow by writes; a write needs its lent buffer and the growth (6 MiB for 3 MiB at its peak): one fits, a
    // second does not.
    const { ref: blob } = await a.sys.create(ObjectType.SHARED_MEMORY_BLOB);
    await writeAll(a.sys, blob, new Uint8Array(3 * MiB));
    expect(c.objectBytes).toBeGreaterThanOrEqual(3 * MiB);
    expect(c.lentBytes).toBe(0);
    const { ref: second } = await a.sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const version = a.sys.ref(second).version;
    await expectErrno(a.sys.beginWrite(second, 3 * MiB), 'ENOMEM', 'length');
    expect(a.sys.ref(second).version).toBe(version);
    expect(a.sys.ref(second).size).toBe(0);
    // The other container has room of its own.
    const { ref: theirs } = await b.sys.create(ObjectType.SHARED_MEMORY_BLOB);
    await writeAll(b.sys, theirs, new Uint8Array(3 * MiB));
    // Deleting the big blob gives the room back.
    await a.sys.delete(blob);
    expect(c.objectBytes).toBeLessThan(64 * 1024);
    await writeAll(a.sys, second, new Uint8Array(3 * MiB));
    // Many empty objects count too (their bookkeeping): an 8 MiB container cannot make a million of them.
    let made = 0;
    const madeRefs: number[] = [];
    try {
      for (; made < 10_000; made++) madeRefs.push((await a.sys.create(ObjectType.SHARED_MEMORY_BLOB)).ref);
    } catch (e) {
      expect((e as { code?: string }).code).toBe('ENOMEM');
    }
    expect(made).toBeGreaterThan(1000);
    expect(made).toBeLessThan(8 * 1024);
    r.kernel.removeContainer(c);
    r.kernel.removeContainer(other);
    r.kernel.checkInvariants();
  });
});
