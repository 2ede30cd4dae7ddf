import { describe, expect, it } from 'vitest';
import {
  EndReadFlags,
  EndWriteFlags,
  formatTaskReports,
  monitorTasks,
  ObjectType,
  PauseFlags,
  Rights,
  SYSCALL_NAMES,
  taskReport,
  type Kernel,
  type SyscallName,
  type TaskReport,
} from '@dios/kernel';
import { RECENT_TASKS } from '@dios/kernel/testing';
import { boot, expectErrno, flush, installProgram, track } from './helpers.js';

/** The report of the task named `name`; fails the test when the kernel has none. */
function reportOf(kernel: Kernel, name: { key: string }): TaskReport {
  const r = taskReport(kernel, name.key);
  if (r === undefined) throw new Error(`no report for task ${name.key}`);
  return r;
}

/** A record of all eleven calls: zero except `counts`. */
function calls(counts: Partial<Record<SyscallName, number>>): Record<SyscallName, number> {
  return Object.fromEntries(SYSCALL_NAMES.map((n) => [n, counts[n] ?? 0])) as Record<SyscallName, number>;
}

describe('task monitoring: counting', () => {
  it('counts every call by kind, and the bytes read and written, exactly', async () => {
    const kernel = await boot();
    const t = await kernel.attachTask(['counted']);
    expect(reportOf(kernel, t.taskName).stats.totalCalls).toBe(0);

    const { ref, name } = await t.create(ObjectType.SHARED_MEMORY_BLOB);
    let w = await t.beginWrite(ref, 5);
    await t.endWrite(ref, w); // +5
    w = await t.beginWrite(ref, 10, { offset: 5 });
    await t.endWrite(ref, w, { length: 3 }); // +3: only what is committed
    w = await t.beginWrite(ref, 4);
    await t.endWrite(ref, w, undefined, EndWriteFlags.DISCARD); // +0
    let r = await t.beginRead(ref);
    expect(r.length).toBe(8);
    await t.endRead(ref, r); // +8
    r = await t.beginRead(ref, { offset: 2, length: 4 });
    await t.endRead(ref, r, EndReadFlags.RELEASE); // +0: given back unread
    const [found] = await t.lookup(name);
    const [copied] = await t.copy([found!], t.self);
    await t.delete(found!);
    await t.delete(copied!);
    expect(await t.select([ref])).toBe(ref);
    const other = await kernel.attachTask(['other'], undefined, { lookupRights: Rights.ALL }); // others may pause it or write to it
    const [otherRef] = await t.lookup(other.taskName);
    await t.pause(otherRef!);
    await t.pause(otherRef!, PauseFlags.RESUME);

    const s = reportOf(kernel, t.taskName).stats;
    expect(s.calls).toEqual(
      calls({
        create: 1,
        lookup: 2,
        copy: 1,
        delete: 2,
        pause: 2,
        select: 1,
        beginRead: 2,
        endRead: 2,
        beginWrite: 3,
        endWrite: 3,
      }),
    );
    expect(s.totalCalls).toBe(19);
    expect(s.failedCalls).toBe(0);
    expect(s.bytesWritten).toBe(8);
    expect(s.bytesRead).toBe(8);
    expect(s.objectsCreated).toBe(1);
    // Another task's calls are not this task's.
    expect(reportOf(kernel, other.taskName).stats.totalCalls).toBe(0);
    kernel.checkInvariants();
  });

  it('counts failed calls, in the kind totals too, and nothing they did not do', async () => {
    const kernel = await boot();
    const t = await kernel.attachTask(['failing']);
    const { ref } = await t.create(ObjectType.SHARED_MEMORY_BLOB);
    await expectErrno(t.delete(999), 'EBADF');
    await expectErrno(t.beginRead(999), 'EBADF');
    await expectErrno(t.lookup('not a name'), 'EINVAL');
    await expectErrno(t.create('no such type' as ObjectType), 'EINVAL');
    await expectErrno(t.endWrite(ref, new Uint8Array(7)), 'EINVAL'); // not a lent buffer: no bytes written
    await expectErrno(t.endRead(ref, new Uint8Array(7)), 'EINVAL');
    const s = reportOf(kernel, t.taskName).stats;
    expect(s.calls).toEqual(calls({ create: 2, delete: 1, beginRead: 1, lookup: 1, endWrite: 1, endRead: 1 }));
    expect(s.failedCalls).toBe(6);
    // Why they failed, by code; the counts add up to failedCalls.
    expect(s.failures).toEqual({ EBADF: 2, EINVAL: 4 });
    expect(s.bytesWritten).toBe(0);
    expect(s.bytesRead).toBe(0);
    expect(s.objectsCreated).toBe(1);
  });

  it('failures are counted by the kernel codes only: a code a task makes up is other', async () => {
    const kernel = await boot();
    const t = await kernel.attachTask(['inventive']);
    for (let i = 0; i < 50; i++) {
      const options = {
        get nameSeed(): string {
          throw Object.assign(new Error('made up'), { code: `EMADEUP${i}` });
        },
      };
      await expect(t.create(ObjectType.SHARED_MEMORY_BLOB, options)).rejects.toThrow();
    }
    const s = reportOf(kernel, t.taskName).stats;
    expect(s.failedCalls).toBe(50);
    expect(Object.keys(s.failures).every((code) => code === 'other' || code === 'EINVAL')).toBe(true);
    expect(Object.values(s.failures).reduce((a, b) => a + b, 0)).toBe(50);
  });

  it('counts a failure on the paused path (the call waits, then fails)', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const t = await kernel.attachTask(['paused'], undefined, { lookupRights: Rights.ALL }); // others may pause it or write to it
    const [target] = await sys.lookup(t.taskName);
    await sys.pause(target!);
    const call = track(t.lookup('not a name'));
    await flush();
    expect(call.settled).toBe(false);
    await sys.pause(target!, PauseFlags.RESUME);
    await expectErrno(call.promise, 'EINVAL');
    const s = reportOf(kernel, t.taskName).stats;
    expect(s.calls.lookup).toBe(1);
    expect(s.failedCalls).toBe(1);
    expect(s.failures).toEqual({ EINVAL: 1 });
  });

  it('objects created: successful creates plus tasks started by run', async () => {
    const kernel = await boot();
    const t = await kernel.attachTask(['parent']);
    const bin = await installProgram(kernel, t, () => 0); // one create
    await t.create(ObjectType.SHARED_MEMORY_STREAM);
    const child = await t.run(bin, { argv: ['child'] });
    await expectErrno(t.run(999, { argv: ['nope'] }), 'EBADF');
    await t.select([child]);
    const s = reportOf(kernel, t.taskName).stats;
    expect(s.objectsCreated).toBe(3);
    expect(s.tasksStarted).toBe(1);
    expect(s.calls.run).toBe(2);
    expect(s.failedCalls).toBe(1);
  });

  it('in-thread tasks have no CPU time or memory figure', async () => {
    const kernel = await boot();
    const s = reportOf(kernel, kernel.init.taskName).stats;
    expect(s.cpuMs).toBeUndefined();
    expect(s.memoryBytes).toBeUndefined();
  });
});

describe('task monitoring: time and exits', () => {
  it('wall time grows while the task lives and stops at exit', async () => {
    const kernel = await boot();
    const t = await kernel.attachTask(['timed']);
    const a = reportOf(kernel, t.taskName).stats;
    await flush(15);
    const b = reportOf(kernel, t.taskName).stats;
    expect(b.wallMs).toBeGreaterThan(a.wallMs);
    expect(b.wallMs).toBeGreaterThanOrEqual(10);
    expect(b.endedAt).toBeUndefined();
    await t.delete(t.self);
    const c = reportOf(kernel, t.taskName);
    expect(c.state).toBe('exited');
    expect(c.stats.wallMs).toBeGreaterThanOrEqual(b.wallMs);
    expect(c.stats.endedAt).toBeCloseTo(c.stats.startedAt + c.stats.wallMs, 6);
    await flush(15);
    expect(reportOf(kernel, t.taskName).stats.wallMs).toBe(c.stats.wallMs);
  });

  it('keeps exited tasks, gone from the kernel, with their exit status, argv and figures', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const ok = await installProgram(kernel, sys, async (ctx) => {
      await ctx.create(ObjectType.SHARED_MEMORY_BLOB);
      return 3;
    });
    const bad = await installProgram(kernel, sys, () => {
      throw new Error('boom');
    });
    kernel.onTaskFailure = () => {};
    const a = await sys.run(ok, { argv: ['ok', 'x'] });
    const b = await sys.run(bad, { argv: ['bad'] });
    await sys.select([a]);
    await sys.select([b]);
    const before = monitorTasks(kernel).filter((r) => r.argv[0] === 'ok');
    // Exited but still referenced: reported once, from the kernel's table.
    expect(before).toHaveLength(1);
    await sys.delete(a);
    await sys.delete(b);
    expect([...kernel.tasks.values()].some((task) => task.setup.argv[0] === 'ok')).toBe(false);
    const reports = monitorTasks(kernel);
    const okReport = reports.filter((r) => r.argv[0] === 'ok');
    const badReport = reports.filter((r) => r.argv[0] === 'bad');
    expect(okReport).toHaveLength(1);
    expect(badReport).toHaveLength(1);
    expect(okReport[0]).toMatchObject({ state: 'exited', exitStatus: 3, argv: ['ok', 'x'] });
    expect(okReport[0]!.stats.calls.create).toBe(1);
    expect(okReport[0]!.stats.objectsCreated).toBe(1);
    expect(okReport[0]!.stats.endedAt).toBeDefined();
    expect(badReport[0]).toMatchObject({ state: 'exited', exitStatus: 1 });
    expect(taskReport(kernel, okReport[0]!.name)?.exitStatus).toBe(3);
    // Oldest start first: init, then the two children in the order they were run.
    expect(reports.map((r) => r.argv[0])).toEqual(['init', 'ok', 'bad']);
    expect(formatTaskReports(reports)).toMatch(/ok x\s+pure\s+exit 3/);
  });

  it(`keeps at most ${RECENT_TASKS} exited tasks that are gone, the latest ones`, async () => {
    const kernel = await boot();
    const extra = 10;
    for (let i = 0; i < RECENT_TASKS + extra; i++) {
      const t = await kernel.attachTask([`t${i}`]);
      await t.delete(t.self);
    }
    const reports = monitorTasks(kernel);
    const gone = reports.filter((r) => r.argv[0] !== 'init');
    expect(gone).toHaveLength(RECENT_TASKS);
    expect(gone[0]!.argv[0]).toBe(`t${extra}`);
    expect(gone.at(-1)!.argv[0]).toBe(`t${RECENT_TASKS + extra - 1}`);
    expect(taskReport(kernel, 'f'.repeat(64))).toBeUndefined();
  });

  it('each kernel keeps its own record', async () => {
    const k1 = await boot();
    const k2 = await boot();
    const t = await k1.attachTask(['only-on-k1']);
    await t.delete(t.self);
    expect(monitorTasks(k1).some((r) => r.argv[0] === 'only-on-k1')).toBe(true);
    expect(monitorTasks(k2).some((r) => r.argv[0] === 'only-on-k1')).toBe(false);
  });
});

describe('task monitoring: reports', () => {
  it('are frozen plain data that survive JSON', async () => {
    const kernel = await boot();
    const t = await kernel.attachTask(['json']);
    await t.create(ObjectType.SHARED_MEMORY_BLOB);
    const r = reportOf(kernel, t.taskName);
    expect(Object.isFrozen(r)).toBe(true);
    expect(Object.isFrozen(r.stats)).toBe(true);
    expect(Object.isFrozen(r.stats.calls)).toBe(true);
    expect(Object.isFrozen(r.argv)).toBe(true);
    expect(() => {
      (r.stats as { bytesRead: number }).bytesRead = 5;
    }).toThrow(TypeError);
    expect(r.name).toMatch(/^[0-9a-f]{64}$/);
    const back = JSON.parse(JSON.stringify(r)) as TaskReport;
    expect(back.stats.calls).toEqual(r.stats.calls);
    expect(back.stats.objectsCreated).toBe(1);
    expect(back.argv).toEqual(['json']);
    // A snapshot does not follow later calls.
    await t.create(ObjectType.SHARED_MEMORY_BLOB);
    expect(r.stats.calls.create).toBe(1);
    expect(reportOf(kernel, t.taskName).stats.calls.create).toBe(2);
  });
});
