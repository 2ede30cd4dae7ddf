import { describe, expect, it } from 'vitest';
import { ObjectType, Rights } from '@dios/kernel';
import {
  blobWith,
  boot,
  dec,
  enc,
  expectErrno,
  installProgram,
  krefOf,
  readAll,
  taskOf,
  withOtherTask,
} from './helpers.js';

const setup = withOtherTask;

describe('copy', () => {
  it('hands references to another task, which can then use them', async () => {
    const { kernel, sys, other, target } = await setup();
    const { ref } = await blobWith(sys, enc('shared data'));
    const before = other.handles;
    const [theirs] = await sys.copy([ref], target);
    expect(before).not.toContain(theirs);
    expect(other.handles).toContain(theirs);
    expect(dec((await readAll(other, theirs!)).bytes)).toBe('shared data');
    expect(krefOf(kernel, other, theirs!).object).toBe(krefOf(kernel, sys, ref).object);
    kernel.checkInvariants();
  });

  it("keeps the source's rights, policy and buffer sizes by default", async () => {
    const { kernel, sys, other, target } = await setup();
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, {
      consistency: 'exclusive',
      readBufferSize: 64,
      writeBufferSize: 32,
    });
    const [theirs] = await sys.copy([ref], target);
    expect(krefOf(kernel, other, theirs!).rights).toBe(Rights.ALL);
    expect(other.ref(theirs!).consistency).toBe('exclusive');
    expect(other.ref(theirs!).readBufferSize).toBe(64);
    expect(other.ref(theirs!).writeBufferSize).toBe(32);
    kernel.checkInvariants();
  });

  it('reduces rights, with one mask for all or one per reference, and the reduction is enforced', async () => {
    const { kernel, sys, other, target } = await setup();
    const a = await blobWith(sys, enc('a'));
    const b = await blobWith(sys, enc('b'));
    const [ra, rb] = await sys.copy([a.ref, b.ref], target, { rights: Rights.READ });
    expect(krefOf(kernel, other, ra!).rights).toBe(Rights.READ);
    expect(krefOf(kernel, other, rb!).rights).toBe(Rights.READ);
    const [wa, nb] = await sys.copy([a.ref, b.ref], target, { rights: [Rights.WRITE, 0] });
    expect(krefOf(kernel, other, wa!).rights).toBe(Rights.WRITE);
    expect(krefOf(kernel, other, nb!).rights).toBe(0);
    await expectErrno(other.beginWrite(ra!, 1), 'EACCES', 'ref');
    await expectErrno(other.beginRead(wa!), 'EACCES', 'ref');
    await expectErrno(other.copy([ra!], other.self), 'EACCES', 'refs[0]');
    kernel.checkInvariants();
  });

  it('cannot raise rights: EPERM, and nothing is copied', async () => {
    const { kernel, sys, other, target } = await setup();
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const [limited] = await sys.copy([ref], sys.self, { rights: Rights.READ | Rights.DELEGATE });
    const handles = other.handles;
    const err = await expectErrno(
      sys.copy([limited!], target, { rights: Rights.READ | Rights.WRITE }),
      'EPERM',
      'refs[0]',
    );
    expect(err.message).toContain('r--d');
    // Also when only the second of two references would be raised.
    await expectErrno(sys.copy([ref, limited!], target, { rights: [Rights.ALL, Rights.ALL] }), 'EPERM', 'refs[1]');
    expect(other.handles).toEqual(handles);
    kernel.checkInvariants();
  });

  it('needs the DELEGATE right on each source', async () => {
    const { kernel, sys, other, target } = await setup();
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const [noDelegate] = await sys.copy([ref], sys.self, { rights: Rights.READ | Rights.WRITE });
    const handles = other.handles;
    await expectErrno(sys.copy([ref, noDelegate!], target), 'EACCES', 'refs[1]');
    expect(other.handles).toEqual(handles);
    kernel.checkInvariants();
  });

  it('needs the WRITE right on the target task: handing it references changes it', async () => {
    const { kernel, sys, other, target } = await setup();
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const [readTarget, writeTarget] = await sys.copy([target, target], sys.self, {
      rights: [Rights.READ | Rights.DELEGATE, Rights.WRITE],
    });
    const handles = other.handles;
    await expectErrno(sys.copy([ref], readTarget!), 'EACCES', 'target');
    // The target is checked before the sources: even a bad source is not looked at.
    await expectErrno(sys.copy([999], readTarget!), 'EACCES', 'target');
    expect(other.handles).toEqual(handles);
    // WRITE alone is enough.
    const [theirs] = await sys.copy([ref], writeTarget!);
    expect(other.ref(theirs!).type).toBe(ObjectType.SHARED_MEMORY_BLOB);
    kernel.checkInvariants();
  });

  it('records the parent of each new reference: the sender and its handle', async () => {
    const { kernel, sys, other, target } = await setup();
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const [theirs] = await sys.copy([ref], target);
    expect(krefOf(kernel, other, theirs!).parent).toEqual({ task: sys.taskName.key, id: ref });
    // A copy of a copy names the intermediate reference (other hands it on to a third task, through a reference init gave it).
    const third = await kernel.attachTask(['third'], undefined, { lookupRights: Rights.ALL });
    const [toThird] = await sys.lookup(third.taskName);
    const [forOther] = await sys.copy([toThird!], target);
    const [again] = await other.copy([theirs!], forOther!);
    expect(krefOf(kernel, third, again!).parent).toEqual({ task: other.taskName.key, id: theirs });
    kernel.checkInvariants();
  });

  it("copying to oneself makes a second reference in one's own table", async () => {
    const { kernel, sys } = await setup();
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const [dup] = await sys.copy([ref], sys.self);
    expect(dup).not.toBe(ref);
    expect(krefOf(kernel, sys, dup!).object).toBe(krefOf(kernel, sys, ref).object);
    expect(krefOf(kernel, sys, dup!).parent).toEqual({ task: sys.taskName.key, id: ref });
    kernel.checkInvariants();
  });

  it('private memory: EPERM to another task, allowed to oneself', async () => {
    const { kernel, sys, other, target } = await setup();
    const { ref } = await sys.create(ObjectType.PRIVATE_MEMORY_BLOB);
    const handles = other.handles;
    await expectErrno(sys.copy([ref], target), 'EPERM', 'refs[0]');
    expect(other.handles).toEqual(handles);
    const [mine] = await sys.copy([ref], sys.self);
    expect(sys.ref(mine!).type).toBe(ObjectType.PRIVATE_MEMORY_BLOB);
    kernel.checkInvariants();
  });

  it('a target that has exited is ESRCH', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const bin = await installProgram(kernel, sys, () => 0);
    const child = await sys.run(bin, { argv: ['quick'] });
    await sys.select([child]);
    await expectErrno(sys.copy([bin], child), 'ESRCH', 'target');
    kernel.checkInvariants();
  });

  it('argument errors: bad target, target not a task, bad source, empty list, mask count and values', async () => {
    const { kernel, sys, other, target } = await setup();
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const handles = other.handles;
    await expectErrno(sys.copy([ref], 999), 'EBADF', 'target');
    await expectErrno(sys.copy([ref], ref), 'EINVAL', 'target');
    await expectErrno(sys.copy([ref, 999], target), 'EBADF', 'refs[1]');
    await expectErrno(sys.copy([ref, 0.5], target), 'EBADF', 'refs[1]');
    await expectErrno(sys.copy([], target), 'EINVAL', 'refs');
    await expectErrno(sys.copy(ref as unknown as number[], target), 'EINVAL', 'refs');
    await expectErrno(sys.copy([ref, ref], target, { rights: [Rights.READ] }), 'EINVAL', 'options.rights');
    await expectErrno(sys.copy([ref], target, { rights: 0x40 }), 'EINVAL', 'options.rights');
    await expectErrno(sys.copy([ref, ref], target, { rights: [Rights.READ, -1] }), 'EINVAL', 'options.rights[1]');
    await expectErrno(sys.copy([ref], target, { mode: 'x' } as object), 'EINVAL', 'options.mode');
    expect(other.handles).toEqual(handles);
    kernel.checkInvariants();
  });

  it('counts the new references on the object: it lives while any copy does', async () => {
    const { kernel, sys, other, target } = await setup();
    const { ref, name } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const obj = krefOf(kernel, sys, ref).object;
    const [theirs] = await sys.copy([ref], target);
    expect(obj.refCount).toBe(2);
    await sys.delete(ref);
    expect(obj.destroyed).toBe(false);
    expect(await other.lookup(name)).toHaveLength(1);
    expect(taskOf(kernel, other).table.get(theirs!)?.open).toBe(true);
    kernel.checkInvariants();
  });
});
