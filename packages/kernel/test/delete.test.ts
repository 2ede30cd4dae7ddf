import { describe, expect, it } from 'vitest';
import { BeginReadFlags, BeginWriteFlags, DeleteFlags, ObjectType, Rights } from '@dios/kernel';
import {
  blobWith,
  boot,
  dec,
  enc,
  expectErrno,
  flush,
  krefOf,
  readAll,
  track,
  writeAll,
  withOtherTask,
} from './helpers.js';

const setup = withOtherTask;

describe('delete and lifecycles', () => {
  it('refcounted: the object lives while a reference does and goes with the last', async () => {
    const { kernel, sys, other, target } = await setup();
    const { ref, name } = await blobWith(sys, enc('data'));
    const obj = krefOf(kernel, sys, ref).object;
    const [theirs] = await sys.copy([ref], target);
    await sys.delete(ref);
    expect(sys.handles).not.toContain(ref);
    expect(obj.destroyed).toBe(false);
    expect(dec((await readAll(other, theirs!)).bytes)).toBe('data');
    await other.delete(theirs!);
    expect(obj.destroyed).toBe(true);
    expect(kernel.objects.has(name.key)).toBe(false);
    await expectErrno(sys.lookup(name), 'ENOENT', 'name');
    kernel.checkInvariants();
  });

  it('immortal: stays findable, with its bytes, after every reference is deleted', async () => {
    const { kernel, sys, other } = await setup();
    const { ref, name } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
    await writeAll(sys, ref, enc('forever'));
    await sys.delete(ref);
    expect(kernel.objects.has(name.key)).toBe(true);
    const [again] = await other.lookup(name);
    expect(dec((await readAll(other, again!)).bytes)).toBe('forever');
    await other.delete(again!);
    expect(await sys.lookup(name)).toHaveLength(1);
    kernel.checkInvariants();
  });

  it('single-delete: one delete destroys the object and revokes every other reference', async () => {
    const { kernel, sys, other, target } = await setup();
    const { ref, name } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'single-delete' });
    await writeAll(sys, ref, enc('short-lived'));
    const [theirs] = await sys.copy([ref], target);
    const [mine2] = await sys.lookup(name);
    const theirView = other.ref(theirs!);
    await sys.delete(mine2!);
    expect(theirView.open).toBe(false);
    await expectErrno(other.beginRead(theirs!), 'EBADF', 'ref');
    await expectErrno(other.beginWrite(theirs!, 1), 'EBADF', 'ref');
    await expectErrno(() => other.ref(theirs!), 'EBADF', 'handle');
    await expectErrno(sys.delete(ref), 'EBADF', 'ref');
    await expectErrno(sys.lookup(name), 'ENOENT', 'name');
    expect(other.handles).not.toContain(theirs);
    kernel.checkInvariants();
  });

  it('single-delete: deleting a reference without WRITE drops only that reference; one with WRITE destroys', async () => {
    const { kernel, sys, other, target } = await setup();
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'single-delete' });
    await writeAll(sys, ref, enc('still here'));
    const [theirs] = await sys.copy([ref], target, { rights: Rights.READ | Rights.DELEGATE });
    const obj = krefOf(kernel, sys, ref).object;
    await other.delete(theirs!);
    expect(obj.destroyed).toBe(false);
    expect(obj.refCount).toBe(1);
    expect(other.handles).not.toContain(theirs);
    expect(dec((await readAll(sys, ref)).bytes)).toBe('still here');
    // The reference with WRITE destroys it for everyone, revoking a read-only copy too.
    const [readOnly] = await sys.copy([ref], sys.self, { rights: Rights.READ });
    await sys.delete(ref);
    expect(obj.destroyed).toBe(true);
    expect(sys.handles).not.toContain(readOnly);
    kernel.checkInvariants();
  });

  it('single-delete: when the references go without a delete by WRITE, the object stays and can be found again', async () => {
    const { kernel, sys, other } = await setup();
    const { ref, name } = await other.create(ObjectType.SHARED_MEMORY_STREAM, {
      lifecycle: 'single-delete',
      capacity: 4,
    });
    // Init keeps a read-only reference (found by name, narrowed by a copy to itself; the full one only dropped).
    const [found] = await sys.lookup(name);
    const [mine] = await sys.copy([found!], sys.self, { rights: Rights.READ });
    await sys.delete(found!, DeleteFlags.DROP);
    expect(krefOf(kernel, other, ref).object.destroyed).toBe(false);
    // The creator exits: closing its references destroys nothing.
    await other.delete(other.self);
    const obj = krefOf(kernel, sys, mine!).object;
    await sys.delete(mine!);
    expect(obj.destroyed).toBe(false);
    expect(obj.refCount).toBe(0);
    // Found again through init's membership (all rights), a delete now destroys it.
    const [again] = await sys.lookup(name);
    expect(krefOf(kernel, sys, again!).rights).toBe(Rights.ALL);
    await sys.delete(again!);
    expect(obj.destroyed).toBe(true);
    await expectErrno(sys.lookup(name), 'ENOENT', 'name');
    kernel.checkInvariants();
  });

  it('single-delete: the revocation also reaches a lease in flight and a call waiting on the object', async () => {
    const { kernel, sys, other, target } = await setup();
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { lifecycle: 'single-delete', capacity: 4 });
    await writeAll(sys, ref, enc('full'));
    const [theirs] = await sys.copy([ref], target);
    const lease = await other.beginRead(theirs!, { length: 1 });
    const waiting = track(sys.beginWrite(ref, 4));
    await flush();
    expect(waiting.settled).toBe(false);
    const [another] = await sys.copy([ref], sys.self);
    await sys.delete(another!);
    await expectErrno(waiting.promise, 'EBADF', 'ref');
    await expectErrno(other.endRead(theirs!, lease), 'EBADF', 'ref');
    kernel.checkInvariants();
  });

  it('deleting a reference returns the buffers lent through it and releases its locks', async () => {
    const { kernel, sys } = await setup();
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { consistency: 'exclusive' });
    await writeAll(sys, ref, enc('abc'));
    const [second] = await sys.copy([ref], sys.self);
    const view = await sys.beginRead(second!);
    await expectErrno(sys.beginWrite(ref, 1, {}, BeginWriteFlags.NONBLOCK), 'EAGAIN');
    await sys.delete(second!);
    await expectErrno(sys.endRead(second!, view), 'EBADF', 'ref');
    const buf = await sys.beginWrite(ref, 1, {}, BeginWriteFlags.NONBLOCK);
    await sys.delete(ref);
    void buf;
    kernel.checkInvariants();
  });

  it('a stream lease returned by delete does not consume data', async () => {
    const { kernel, sys } = await setup();
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
    await writeAll(sys, ref, enc('abc'));
    const [second] = await sys.copy([ref], sys.self);
    await sys.beginRead(second!);
    await sys.delete(second!);
    const buf = await sys.beginRead(ref, {}, BeginReadFlags.NONBLOCK);
    expect(dec(buf)).toBe('abc');
    await sys.endRead(ref, buf);
    kernel.checkInvariants();
  });

  it('deleting a group reference ends name resolution through it; a single-delete group takes its index with it', async () => {
    const { kernel, sys } = await setup();
    const group = await sys.create(ObjectType.GROUP, { lifecycle: 'single-delete' });
    const { ref, name } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { group: group.ref });
    const member = await kernel.attachTask(['member'], [krefOf(kernel, sys, group.ref).object as never]);
    expect(await member.lookup(name)).toHaveLength(1);
    await sys.delete(group.ref);
    await expectErrno(sys.lookup(name), 'ENOENT', 'name');
    await expectErrno(member.lookup(name), 'ENOENT', 'name');
    // The object itself is still reachable through the reference.
    expect(sys.ref(ref).open).toBe(true);
    kernel.checkInvariants();
  });
});

describe('use after delete', () => {
  it('every call through a deleted handle is EBADF, and handles are never reused', async () => {
    const { kernel, sys, target } = await setup();
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    await sys.delete(ref);
    const err = await expectErrno(sys.delete(ref), 'EBADF', 'ref');
    expect(err.message).toContain('deleted');
    await expectErrno(sys.beginRead(ref), 'EBADF', 'ref');
    await expectErrno(sys.beginWrite(ref, 1), 'EBADF', 'ref');
    await expectErrno(sys.select([ref], { timeoutMs: 0 }), 'EBADF', 'refs[0]');
    await expectErrno(sys.copy([ref], target), 'EBADF', 'refs[0]');
    await expectErrno(sys.run(ref, { argv: [] }), 'EBADF', 'binary');
    await expectErrno(() => sys.ref(ref), 'EBADF', 'handle');
    const next = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    expect(next.ref).toBeGreaterThan(ref);
    kernel.checkInvariants();
  });

  it('a handle never given out is EBADF too', async () => {
    const { kernel, sys } = await setup();
    for (const h of [0, -1, 1.5, 10_000, NaN, '1' as unknown as number])
      await expectErrno(sys.delete(h), 'EBADF', 'ref');
    kernel.checkInvariants();
  });
});

describe("deleting one's own task reference", () => {
  it.each([
    ['EXIT_SUCCESS', DeleteFlags.EXIT_SUCCESS, 0],
    ['EXIT_FAILURE', DeleteFlags.EXIT_FAILURE, 1],
    ['no flag', 0, 0],
  ])('exits the task (%s gives status %d)', async (_what, flags, status) => {
    const { kernel, other, sys, target } = await setup();
    await other.delete(other.self, flags);
    expect(sys.ref(target).task).toEqual({ state: 'exited', exitStatus: status });
    expect(await sys.select([target], { timeoutMs: 0 })).toBe(target);
    kernel.checkInvariants();
  });

  it('releases every reference the task held and destroys what is fate-shared with it', async () => {
    const { kernel, sys, other, target } = await setup();
    const mine = await other.create(ObjectType.SHARED_MEMORY_BLOB);
    const priv = await other.create(ObjectType.PRIVATE_MEMORY_BLOB);
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const [kept] = await sys.copy([ref], target);
    const sharedObj = krefOf(kernel, sys, ref).object;
    const privObj = krefOf(kernel, other, priv.ref).object;
    void kept;
    const [theirBlob] = await sys.lookup(mine.name);
    await other.delete(other.self, DeleteFlags.EXIT_SUCCESS);
    expect(sharedObj.refCount).toBe(1);
    expect(privObj.destroyed).toBe(true);
    // An object the task created but others still hold stays.
    expect(sys.ref(theirBlob!).open).toBe(true);
    expect(other.handles).toEqual([]);
    kernel.checkInvariants();
  });

  // Closing the self reference can destroy the task; it must come after every other reference.
  it('an exited task nobody refers to holds no references', async () => {
    const kernel = await boot();
    const lonely = await kernel.attachTask(['lonely']);
    const { ref } = await lonely.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
    await lonely.delete(lonely.self);
    expect(lonely.handles).toEqual([]);
    await expectErrno(() => lonely.ref(ref), 'EBADF', 'handle');
    kernel.checkInvariants();
  });

  it('after exiting, further calls are ECANCELED', async () => {
    const { kernel, other } = await setup();
    await other.delete(other.self);
    await expectErrno(other.create(ObjectType.SHARED_MEMORY_BLOB), 'ECANCELED');
    kernel.checkInvariants();
  });

  it('EXIT_SUCCESS with EXIT_FAILURE is EINVAL; exit flags on another reference are EINVAL', async () => {
    const { kernel, sys, other, target } = await setup();
    await expectErrno(other.delete(other.self, DeleteFlags.EXIT_SUCCESS | DeleteFlags.EXIT_FAILURE), 'EINVAL', 'flags');
    const { ref } = await other.create(ObjectType.SHARED_MEMORY_BLOB);
    await expectErrno(other.delete(ref, DeleteFlags.EXIT_FAILURE), 'EINVAL', 'flags');
    expect(other.handles).toContain(ref);
    expect(sys.ref(target).task?.state).toBe('running');
    kernel.checkInvariants();
  });

  it('deleting a reference to another task does not stop it; the last reference to an exited task frees it', async () => {
    const { kernel, sys, other, target } = await setup();
    const taskObj = krefOf(kernel, sys, target).object;
    const [second] = await sys.copy([target], sys.self, { rights: Rights.READ });
    await sys.delete(target);
    expect(sys.ref(second!).task?.state).toBe('running');
    await other.create(ObjectType.SHARED_MEMORY_BLOB);
    await other.delete(other.self);
    expect(kernel.tasks.has(other.taskName.key)).toBe(true);
    await sys.delete(second!);
    expect(taskObj.destroyed).toBe(true);
    expect(kernel.tasks.has(other.taskName.key)).toBe(false);
    kernel.checkInvariants();
  });
});
