import { describe, expect, it } from 'vitest';
import { ObjectType, PauseFlags, Rights } from '@dios/kernel';
import { dec, enc, expectErrno, flush, installProgram, track, writeAll, withOtherTask } from './helpers.js';

const setup = withOtherTask;

describe('pause', () => {
  it("a paused task's calls neither start nor complete until it is resumed", async () => {
    const { kernel, sys, other, target } = await setup();
    await sys.pause(target);
    expect(sys.ref(target).task?.state).toBe('paused');
    const objects = kernel.objects.size;
    const call = track(other.create(ObjectType.SHARED_MEMORY_BLOB));
    await flush();
    expect(call.settled).toBe(false);
    expect(kernel.objects.size).toBe(objects); // the call has not started
    await sys.pause(target, PauseFlags.RESUME);
    expect(sys.ref(target).task?.state).toBe('running');
    const { ref } = await call.promise;
    expect(other.ref(ref).type).toBe(ObjectType.SHARED_MEMORY_BLOB);
    expect(kernel.objects.size).toBe(objects + 1);
    kernel.checkInvariants();
  });

  it('a call in flight when the task is paused finishes its work but returns only on resume', async () => {
    const { kernel, sys, other, target } = await setup();
    const { ref, name } = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 16 });
    const [theirs] = await other.lookup(name);
    const read = track(other.beginRead(theirs!));
    await flush();
    await sys.pause(target);
    await writeAll(sys, ref, enc('data'));
    await flush();
    expect(read.settled).toBe(false);
    await sys.pause(target, PauseFlags.RESUME);
    const buf = await read.promise;
    expect(dec(buf)).toBe('data');
    await other.endRead(theirs!, buf);
    kernel.checkInvariants();
  });

  it('pausing a running program stops its progress; resuming continues it', async () => {
    const { kernel, sys } = await setup();
    const { ref: counter, name } = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 1024 });
    let steps = 0;
    const bin = await installProgram(kernel, sys, async (child) => {
      const [out] = await child.lookup(name);
      for (let i = 0; i < 40; i++) {
        await writeAll(child, out!, enc('.'));
        steps++;
        await flush(1);
      }
    });
    const child = await sys.run(bin, { argv: [] });
    await flush(10);
    await sys.pause(child);
    await flush(2); // let a call already past its entry gate finish
    const atPause = steps;
    await flush(15);
    expect(steps).toBe(atPause);
    expect(steps).toBeLessThan(40);
    await sys.pause(child, PauseFlags.RESUME);
    await sys.select([child]);
    expect(steps).toBe(40);
    expect(sys.ref(counter).size).toBe(40);
    kernel.checkInvariants();
  });

  it('a task may pause itself; the call returns once another task resumes it', async () => {
    const { kernel, sys, other, target } = await setup();
    const self = track(other.pause(other.self));
    await flush();
    expect(self.settled).toBe(false);
    expect(sys.ref(target).task?.state).toBe('paused');
    await sys.pause(target, PauseFlags.RESUME);
    await self.promise;
    kernel.checkInvariants();
  });

  it('pausing twice and resuming a running task change nothing', async () => {
    const { kernel, sys, other, target } = await setup();
    await sys.pause(target, PauseFlags.RESUME);
    expect(sys.ref(target).task?.state).toBe('running');
    await sys.pause(target);
    await sys.pause(target);
    expect(sys.ref(target).task?.state).toBe('paused');
    await sys.pause(target, PauseFlags.RESUME);
    await other.create(ObjectType.SHARED_MEMORY_BLOB);
    kernel.checkInvariants();
  });

  it('a paused task is not "ready" for select on its reference', async () => {
    const { kernel, sys, target } = await setup();
    await sys.pause(target);
    await expectErrno(sys.select([target], { timeoutMs: 0 }), 'ETIMEDOUT');
    kernel.checkInvariants();
  });

  it('ESRCH on a task that has exited, for pause and resume', async () => {
    const { kernel, sys, other, target } = await setup();
    await other.delete(other.self);
    await expectErrno(sys.pause(target), 'ESRCH', 'task');
    await expectErrno(sys.pause(target, PauseFlags.RESUME), 'ESRCH', 'task');
    expect(sys.ref(target).task?.state).toBe('exited');
    kernel.checkInvariants();
  });

  it('needs WRITE on the task reference; refuses non-tasks and bad handles', async () => {
    const { kernel, sys, target } = await setup();
    const [readOnly] = await sys.copy([target], sys.self, { rights: Rights.READ });
    await expectErrno(sys.pause(readOnly!), 'EACCES', 'task');
    expect(sys.ref(target).task?.state).toBe('running');
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    await expectErrno(sys.pause(ref), 'EINVAL', 'task');
    await expectErrno(sys.pause(4242), 'EBADF', 'task');
    kernel.checkInvariants();
  });
});
