/**
 * BeginWriteFlags.APPEND (an atomic append at commit time) and
 * DeleteFlags.DROP (drop a reference without destroying a single-delete
 * object): the two requests libd's stdio needed from the kernel.
 */
import { describe, expect, it } from 'vitest';
import { BeginWriteFlags, DeleteFlags, ObjectType } from '@dios/kernel';
import { boot, dec, enc, expectErrno } from './helpers.js';
import { cluster } from './distribution/cluster.js';

describe('APPEND', () => {
  it('lands at the end of the blob as it is at commit, after writes that committed meanwhile', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const other = await kernel.attachTask(['other']);
    const { name, ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const [theirs] = await other.lookup(name);
    const mine = await sys.beginWrite(ref, 3, undefined, BeginWriteFlags.APPEND);
    mine.set(enc('AAA'));
    const first = await other.beginWrite(theirs!, 2, undefined, BeginWriteFlags.APPEND);
    first.set(enc('bb'));
    await other.endWrite(theirs!, first);
    await sys.endWrite(ref, mine);
    const view = await sys.beginRead(ref);
    expect(dec(view)).toBe('bbAAA');
    await sys.endRead(ref, view);
    kernel.checkInvariants();
  });

  it('refuses an offset or truncate alongside it, naming the option', async () => {
    const kernel = await boot();
    const { ref } = await kernel.init.create(ObjectType.SHARED_MEMORY_BLOB);
    await expectErrno(
      kernel.init.beginWrite(ref, 1, { offset: 0 }, BeginWriteFlags.APPEND),
      'EINVAL',
      'options.offset',
    );
    await expectErrno(
      kernel.init.beginWrite(ref, 1, { truncate: true }, BeginWriteFlags.APPEND),
      'EINVAL',
      'options.truncate',
    );
    kernel.checkInvariants();
  });

  it('appends to a remote blob at its home', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB);
    const start = await c.sys.b!.beginWrite(ref, 2);
    start.set(enc('xy'));
    await c.sys.b!.endWrite(ref, start);
    const [remote] = await c.sys.a!.lookup(name);
    const buf = await c.sys.a!.beginWrite(remote!, 2, undefined, BeginWriteFlags.APPEND);
    buf.set(enc('zz'));
    await c.sys.a!.endWrite(remote!, buf);
    const view = await c.sys.b!.beginRead(ref);
    expect(dec(view)).toBe('xyzz');
    await c.sys.b!.endRead(ref, view);
    c.check();
  });
});

describe('DROP', () => {
  it('drops a writable reference to a single-delete object without destroying it', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const { name, ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'single-delete' });
    const [second] = await sys.lookup(name);
    await sys.delete(second!, DeleteFlags.DROP);
    expect(sys.ref(ref).open).toBe(true);
    await expectErrno(() => sys.ref(second!), 'EBADF', 'handle');
    // Without DROP the same delete destroys it for everyone.
    const [third] = await sys.lookup(name);
    await sys.delete(third!);
    await expectErrno(() => sys.ref(ref), 'EBADF', 'handle');
    await expectErrno(sys.lookup(name), 'ENOENT', 'name');
    kernel.checkInvariants();
  });
});
