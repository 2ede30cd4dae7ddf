import { describe, expect, it } from 'vitest';
import { ObjectType } from '@dios/kernel';
import { spawn, wait, waitAny } from '@dios/libd';
import { boot, expectErrno } from './stdio-helpers.js';
import { deferred, install } from './process-helpers.js';

describe('wait', () => {
  it('times out with ETIMEDOUT while the task runs, then returns its status once it exits', async () => {
    const { kernel, sys } = await boot();
    const release = deferred<number>();
    const { id, binary } = await install(kernel, sys, () => release.promise);
    const task = await spawn(sys, binary, { argv: [id] });
    await expectErrno(wait(sys, task, { timeoutMs: 0 }), 'ETIMEDOUT', 'timeoutMs');
    await expectErrno(wait(sys, task, { timeoutMs: 10 }), 'ETIMEDOUT', 'timeoutMs');
    expect(sys.ref(task).task?.state).toBe('running');
    release.resolve(42);
    expect(await wait(sys, task, { timeoutMs: 1000 })).toBe(42);
    await sys.delete(binary);
    kernel.checkInvariants();
  });

  it('deletes the task reference once it has the status, unless keep is set', async () => {
    const { kernel, sys } = await boot();
    const { id, binary } = await install(kernel, sys, () => 2);
    const reaped = await spawn(sys, binary, { argv: [id] });
    expect(await wait(sys, reaped)).toBe(2);
    await expectErrno(wait(sys, reaped), 'EBADF', 'task', 'wait');
    const kept = await spawn(sys, binary, { argv: [id] });
    expect(await wait(sys, kept, { keep: true })).toBe(2);
    expect(await wait(sys, kept, { keep: true })).toBe(2);
    expect(sys.ref(kept).task).toEqual({ state: 'exited', exitStatus: 2 });
    expect(await wait(sys, kept)).toBe(2);
    await sys.delete(binary);
    kernel.checkInvariants();
  });

  it('rejects a reference that is not to a task, and bad options', async () => {
    const { kernel, sys } = await boot();
    const blob = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    await expectErrno(wait(sys, blob.ref), 'EINVAL', 'task', 'wait');
    await expectErrno(wait(sys, 0), 'EBADF', 'task', 'wait');
    const { id, binary } = await install(kernel, sys, () => 0);
    const task = await spawn(sys, binary, { argv: [id] });
    await expectErrno(wait(sys, task, { timeoutMs: -1 }), 'EINVAL', 'options.timeoutMs', 'select');
    await expectErrno(wait(sys, task, null as never), 'EINVAL', 'options', 'wait');
    expect(await wait(sys, task)).toBe(0);
    await sys.delete(blob.ref);
    await sys.delete(binary);
    kernel.checkInvariants();
  });
});

describe('waitAny', () => {
  it('returns the first task to exit and reaps only that one', async () => {
    const { kernel, sys } = await boot();
    const gates = [deferred<number>(), deferred<number>()];
    const { id, binary } = await install(kernel, sys, (argv) => gates[Number(argv[1])]!.promise);
    const tasks = [await spawn(sys, binary, { argv: [id, '0'] }), await spawn(sys, binary, { argv: [id, '1'] })];
    await expectErrno(waitAny(sys, tasks, { timeoutMs: 5 }), 'ETIMEDOUT', 'timeoutMs');
    gates[1]!.resolve(11);
    expect(await waitAny(sys, tasks)).toEqual({ task: tasks[1], status: 11 });
    expect(sys.handles).not.toContain(tasks[1]);
    gates[0]!.resolve(10);
    expect(await waitAny(sys, [tasks[0]!], { keep: true })).toEqual({ task: tasks[0], status: 10 });
    expect(await wait(sys, tasks[0]!)).toBe(10);
    await sys.delete(binary);
    kernel.checkInvariants();
  });

  it('rejects an empty list and non-task entries, naming the entry', async () => {
    const { kernel, sys } = await boot();
    await expectErrno(waitAny(sys, []), 'EINVAL', 'tasks', 'waitAny');
    const blob = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const { id, binary } = await install(kernel, sys, () => 0);
    const task = await spawn(sys, binary, { argv: [id] });
    await expectErrno(waitAny(sys, [task, blob.ref]), 'EINVAL', 'tasks[1]', 'waitAny');
    await expectErrno(waitAny(sys, [task, 77]), 'EBADF', 'tasks[1]', 'waitAny');
    expect(await waitAny(sys, [task])).toEqual({ task, status: 0 });
    await sys.delete(blob.ref);
    await sys.delete(binary);
    kernel.checkInvariants();
  });
});
