/**
 * A home serves a peer's read with the buffer it lent itself (no copy of its
 * own): the transport's copy is what reaches the peer. The reader's bytes
 * are its own, and a commit at home while a read is out makes it invalid.
 */
import { describe, expect, it } from 'vitest';
import { ObjectType } from '@dios/kernel';
import { cluster } from './cluster.js';

describe('remote reads and the home buffer', () => {
  it("writing into a remote read's buffer changes nothing at home, nor a later read", async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await c.sys.a!.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
    const w = await c.sys.a!.beginWrite(ref, 4);
    w.set([1, 2, 3, 4]);
    await c.sys.a!.endWrite(ref, w);
    const [remote] = await c.sys.b!.lookup(name);
    const lent = await c.sys.b!.beginRead(remote!);
    lent.fill(9);
    expect(await c.sys.b!.endRead(remote!, lent)).toBe(true);
    const home = await c.sys.a!.beginRead(ref);
    expect([...home]).toEqual([1, 2, 3, 4]);
    await c.sys.a!.endRead(ref, home);
    const again = await c.sys.b!.beginRead(remote!);
    expect([...again]).toEqual([1, 2, 3, 4]);
    expect(again.buffer).not.toBe(lent.buffer);
    await c.sys.b!.endRead(remote!, again);
    c.check();
  });

  it('a commit at home after a remote read was served makes its end_read false, and the bytes read stay as served', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await c.sys.a!.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
    const w = await c.sys.a!.beginWrite(ref, 3);
    w.set([1, 2, 3]);
    await c.sys.a!.endWrite(ref, w);
    const [remote] = await c.sys.b!.lookup(name);
    const lent = await c.sys.b!.beginRead(remote!);
    const w2 = await c.sys.a!.beginWrite(ref, 3, { offset: 0 });
    w2.set([7, 7, 7]);
    await c.sys.a!.endWrite(ref, w2);
    expect([...lent]).toEqual([1, 2, 3]);
    expect(await c.sys.b!.endRead(remote!, lent)).toBe(false);
    c.check();
  });
});
