/**
 * Cross-kernel access to blobs over loopback: lookup, read, write, optimistic
 * validation, name scoping, partitions, release and single-delete.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Kernel, LookupFlags, LoopbackNetwork, Name, ObjectType, PROXIMITY_SCALE, Rights } from '@dios/kernel';
import { FileBlobStore } from '@dios/kernel/node';
import { blobWith, dec, enc, expectErrno, flush, krefOf, readAll, track, writeAll } from '../helpers.js';
import { cluster, clusterWith, expectBytes, proxyHandlesTo, proxyTaskOn, settle, until } from './cluster.js';

describe('lookup across kernels', () => {
  it('finds an object created on another kernel; the reference says it is remote', async () => {
    const c = await cluster('a', 'b');
    const { name } = await blobWith(c.sys.b!, enc('made on b'));
    const handles = await c.sys.a!.lookup(name);
    expect(handles).toHaveLength(1);
    const view = c.sys.a!.ref(handles[0]!);
    expect(view.type).toBe(ObjectType.SHARED_MEMORY_BLOB);
    expect(view.proximity.startsWith('remote-')).toBe(true);
    expect(PROXIMITY_SCALE.indexOf(view.proximity)).toBeGreaterThan(PROXIMITY_SCALE.indexOf('local-disk'));
    expect(view.size).toBe(9);
    expect(view.version).toBe(1);
    expect(view.open).toBe(true);
    // The local reference on b says local.
    const local = await c.sys.b!.lookup(name, LookupFlags.LOCAL_ONLY);
    expect(c.sys.b!.ref(local[0]!).proximity).toBe('local-memory');
    // Nothing was copied to a: the object lives on b only.
    expect(c.k.a!.objects.has(name.key)).toBe(false);
    expect(c.k.b!.objects.has(name.key)).toBe(true);
    c.check();
  });

  it('returns one reference per copy: a local copy first, then the remote one', async () => {
    const c = await cluster('a', 'b');
    // Deterministic names let two kernels create objects with one name.
    const onA = await c.sys.a!.create(ObjectType.SHARED_MEMORY_BLOB, { nameSeed: 'twin' }, 1);
    const onB = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB, { nameSeed: 'twin' }, 1);
    expect(onA.name.key).toBe(onB.name.key);
    await writeAll(c.sys.a!, onA.ref, enc('copy on a'));
    await writeAll(c.sys.b!, onB.ref, enc('copy on b'));
    const handles = await c.sys.a!.lookup(onA.name);
    expect(handles).toHaveLength(2);
    expect(c.sys.a!.ref(handles[0]!).proximity).toBe('local-memory');
    expect(c.sys.a!.ref(handles[1]!).proximity).toBe('remote-memory-1hop');
    expect(dec((await readAll(c.sys.a!, handles[0]!)).bytes)).toBe('copy on a');
    expect(dec((await readAll(c.sys.a!, handles[1]!)).bytes)).toBe('copy on b');
    c.check();
  });

  it('LOCAL_ONLY does not find objects on other kernels', async () => {
    const c = await cluster('a', 'b');
    const { name } = await blobWith(c.sys.b!, enc('x'));
    await expectErrno(c.sys.a!.lookup(name, LookupFlags.LOCAL_ONLY), 'ENOENT', 'name');
    // No request went out: b holds no reference for a.
    expect(proxyHandlesTo(c.k.b!, 'a', name.key)).toEqual([]);
    // Without the flag the same name resolves.
    expect(await c.sys.a!.lookup(name)).toHaveLength(1);
    c.check();
  });

  it('a name in a group the looking task cannot resolve in is ENOENT', async () => {
    const c = await cluster('a', 'b');
    const group = await c.sys.b!.create(ObjectType.GROUP);
    const hidden = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB, { group: group.ref });
    // b's own task resolves it through its group reference; a's task holds no such group.
    expect(await c.sys.b!.lookup(hidden.name)).toHaveLength(1);
    await expectErrno(c.sys.a!.lookup(hidden.name), 'ENOENT', 'name');
    expect(proxyHandlesTo(c.k.b!, 'a', hidden.name.key)).toEqual([]);
    c.check();
  });

  it('a task that gets a reference to the group (by lookup) resolves names in it across kernels', async () => {
    const c = await cluster('a', 'b');
    const group = await c.sys.b!.create(ObjectType.GROUP);
    const hidden = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB, { group: group.ref });
    await writeAll(c.sys.b!, hidden.ref, enc('in the group'));
    await expectErrno(c.sys.a!.lookup(hidden.name), 'ENOENT', 'name');
    // The group itself is named in the shared root group.
    const [g] = await c.sys.a!.lookup(group.name);
    expect(c.sys.a!.ref(g!).type).toBe(ObjectType.GROUP);
    const [h] = await c.sys.a!.lookup(hidden.name);
    expect(c.sys.a!.ref(h!).proximity).toBe('remote-memory-1hop');
    expectBytes((await readAll(c.sys.a!, h!)).bytes, enc('in the group'));
    // Letting go of the group reference takes the scope away again.
    await c.sys.a!.delete(g!);
    await expectErrno(c.sys.a!.lookup(hidden.name), 'ENOENT', 'name');
    c.check();
  });

  it('a group reference delegated to a task on another kernel lets it resolve names in that group', async () => {
    const c = await cluster('a', 'b');
    const group = await c.sys.a!.create(ObjectType.GROUP);
    const hidden = await c.sys.a!.create(ObjectType.SHARED_MEMORY_BLOB, { group: group.ref });
    await writeAll(c.sys.a!, hidden.ref, enc('scoped'));
    await expectErrno(c.sys.b!.lookup(hidden.name), 'ENOENT', 'name');
    const [target] = await c.sys.a!.lookup(c.sys.b!.taskName);
    const [g] = await c.sys.a!.copy([group.ref], target!, { rights: Rights.READ });
    expect(c.sys.b!.ref(g!).type).toBe(ObjectType.GROUP);
    const [h] = await c.sys.b!.lookup(hidden.name);
    expectBytes((await readAll(c.sys.b!, h!)).bytes, enc('scoped'));
    c.check();
  });

  it('private memory on another kernel is never found', async () => {
    const c = await cluster('a', 'b');
    const priv = await c.sys.b!.create(ObjectType.PRIVATE_MEMORY_BLOB, { nameSeed: 'private-one' }, 1);
    expect(await c.sys.b!.lookup(priv.name)).toHaveLength(1);
    await expectErrno(c.sys.a!.lookup(priv.name), 'ENOENT', 'name');
    expect(proxyHandlesTo(c.k.b!, 'a', priv.name.key)).toEqual([]);
    c.check();
  });

  it('kernels of different clusters share no group: their names do not resolve across', async () => {
    const net = (await cluster('x')).net;
    const a = await Kernel.boot({ id: 'a', cluster: 'cluster-one' });
    const b = await Kernel.boot({ id: 'b', cluster: 'cluster-two' });
    a.join(net.connect('a'));
    b.join(net.connect('b'));
    const { name } = await blobWith(b.init, enc('other cluster'));
    await expectErrno(a.init.lookup(name), 'ENOENT', 'name');
    a.checkInvariants();
    b.checkInvariants();
  });

  it('an unknown name is ENOENT after asking its directory shard alone', async () => {
    const c = await cluster('a', 'b', 'c', 'd');
    await settle();
    // A name whose shard is another kernel than the asker.
    let name = Name.random();
    while (c.link.b!.directory!.ownerOf(name.key) === 'b') name = Name.random();
    const owner = c.link.b!.directory!.ownerOf(name.key);
    await expectErrno(c.sys.b!.lookup(name), 'ENOENT', 'name');
    for (const id of ['a', 'c', 'd'])
      expect(proxyTaskOn(c.k[id]!, 'b') !== undefined, `kernel ${id} was asked`).toBe(id === owner);
    expect(c.link.b!.lookupStats).toEqual({ lookups: 1, broadcasts: 0, requests: 1 });
    c.check();
  });

  it("with nameResolution 'broadcast', an unknown name is ENOENT after asking every peer", async () => {
    const c = await clusterWith({ nameResolution: 'broadcast' }, 'a', 'b', 'c');
    const name = Name.random();
    await expectErrno(c.sys.b!.lookup(name), 'ENOENT', 'name');
    for (const id of ['a', 'c']) expect(proxyTaskOn(c.k[id]!, 'b'), `kernel ${id} was asked`).toBeDefined();
    expect(c.link.b!.lookupStats).toEqual({ lookups: 1, broadcasts: 1, requests: 2 });
    c.check();
  });
});

describe('remote reads and writes', () => {
  it('reads a remote blob, whole and by range', async () => {
    const c = await cluster('a', 'b');
    const { name } = await blobWith(c.sys.b!, enc('0123456789'));
    const [h] = await c.sys.a!.lookup(name);
    const all = await readAll(c.sys.a!, h!);
    expect(all.valid).toBe(true);
    expectBytes(all.bytes, enc('0123456789'));
    const part = await readAll(c.sys.a!, h!, { offset: 3, length: 4 });
    expectBytes(part.bytes, enc('3456'));
    // Reading past the end is refused at the home kernel and reported here.
    await expectErrno(c.sys.a!.beginRead(h!, { offset: 11 }), 'EINVAL', 'options.offset');
    c.check();
  });

  it('the buffer a remote read lends is a local copy: changing it does not change the object', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await blobWith(c.sys.b!, enc('original'));
    const [h] = await c.sys.a!.lookup(name);
    const buf = await c.sys.a!.beginRead(h!);
    buf.fill(0x21);
    expect(await c.sys.a!.endRead(h!, buf)).toBe(true);
    expect(dec((await readAll(c.sys.b!, ref)).bytes)).toBe('original');
    c.check();
  });

  it('writes a remote blob: the home kernel sees the new bytes and version', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await blobWith(c.sys.b!, enc('hello world'));
    const before = c.sys.b!.ref(ref).version;
    const [h] = await c.sys.a!.lookup(name);
    const version = await writeAll(c.sys.a!, h!, enc('HELLO'));
    expect(version).toBe(before + 1);
    expect(c.sys.b!.ref(ref).version).toBe(before + 1);
    expect(c.sys.a!.ref(h!).version).toBe(before + 1);
    expectBytes((await readAll(c.sys.b!, ref)).bytes, enc('HELLO world'));
    // A truncating write at an offset.
    const v2 = await writeAll(c.sys.a!, h!, enc('!'), { offset: 5, truncate: true });
    expect(v2).toBe(before + 2);
    expectBytes((await readAll(c.sys.b!, ref)).bytes, enc('HELLO!'));
    expect(c.sys.a!.ref(h!).size).toBe(6);
    c.check();
  });

  it('end_write with a shorter length commits only that many bytes at home', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await blobWith(c.sys.b!, enc('abcdef'));
    const [h] = await c.sys.a!.lookup(name);
    const buf = await c.sys.a!.beginWrite(h!, 6);
    buf.set(enc('XYZ123'));
    await c.sys.a!.endWrite(h!, buf, { length: 3 });
    expectBytes((await readAll(c.sys.b!, ref)).bytes, enc('XYZdef'));
    c.check();
  });

  it('a discarded remote write changes nothing at home', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await blobWith(c.sys.b!, enc('keep'));
    const v = c.sys.b!.ref(ref).version;
    const [h] = await c.sys.a!.lookup(name);
    const buf = await c.sys.a!.beginWrite(h!, 4);
    buf.set(enc('lose'));
    await c.sys.a!.endWrite(h!, buf, {}, 1 /* DISCARD */);
    expect(c.sys.b!.ref(ref).version).toBe(v);
    expectBytes((await readAll(c.sys.b!, ref)).bytes, enc('keep'));
    c.check();
  });

  it('an optimistic read on one kernel ends invalid after a commit on the other kernel', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await blobWith(c.sys.b!, enc('v1'));
    const [h] = await c.sys.a!.lookup(name);
    const buf = await c.sys.a!.beginRead(h!);
    expectBytes(buf, enc('v1'));
    await writeAll(c.sys.b!, ref, enc('v2'));
    expect(await c.sys.a!.endRead(h!, buf)).toBe(false);
    // And the other way round: a read on b, a commit from a.
    const bufB = await c.sys.b!.beginRead(ref);
    await writeAll(c.sys.a!, h!, enc('v3'));
    expect(await c.sys.b!.endRead(ref, bufB)).toBe(false);
    // With nothing in between the read stays valid.
    const again = await c.sys.a!.beginRead(h!);
    expectBytes(again, enc('v3'));
    expect(await c.sys.a!.endRead(h!, again)).toBe(true);
    c.check();
  });

  it('a read-only copy of a remote reference cannot write the remote object', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await blobWith(c.sys.b!, enc('ro'));
    const [h] = await c.sys.a!.lookup(name);
    const me = await c.sys.a!.lookup(c.sys.a!.taskName);
    const [ro] = await c.sys.a!.copy([h!], me[0]!, { rights: Rights.READ });
    await expectErrno(c.sys.a!.beginWrite(ro!, 2), 'EACCES', 'ref');
    expectBytes((await readAll(c.sys.a!, ro!)).bytes, enc('ro'));
    expect(krefOf(c.k.a!, c.sys.a!, ro!).rights).toBe(Rights.READ);
    expect(c.sys.b!.ref(ref).version).toBe(1);
    c.check();
  });

  it('an outstanding remote lease is returned at home when the remote reference is deleted', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB, { consistency: 'exclusive' });
    await writeAll(c.sys.b!, ref, enc('x'));
    const [h] = await c.sys.a!.lookup(name);
    await c.sys.a!.beginWrite(h!, 1);
    // b's exclusive reference cannot read while a's write is outstanding.
    await expectErrno(c.sys.b!.beginRead(ref, {}, 1 /* NONBLOCK */), 'EAGAIN');
    await c.sys.a!.delete(h!);
    await until(
      'the home kernel dropped the proxy reference',
      () => proxyHandlesTo(c.k.b!, 'a', name.key).length === 0,
    );
    expectBytes((await readAll(c.sys.b!, ref)).bytes, enc('x'));
    c.check();
  });
});

describe('partitions', () => {
  it('I/O on an object whose home is partitioned fails with EHOSTDOWN, also after restore (fate sharing); a new lookup works', async () => {
    const c = await cluster('a', 'b');
    const { name } = await blobWith(c.sys.b!, enc('far away'));
    const [h] = await c.sys.a!.lookup(name);
    c.net.partition('b');
    await expectErrno(c.sys.a!.beginRead(h!), 'EHOSTDOWN', 'ref');
    await expectErrno(c.sys.a!.beginWrite(h!, 3), 'EHOSTDOWN', 'ref');
    // b is not asked while partitioned, so its objects are not found.
    await expectErrno(c.sys.a!.lookup(name), 'ENOENT', 'name');
    c.net.restore('b');
    await expectErrno(c.sys.a!.beginRead(h!), 'EHOSTDOWN', 'ref');
    const [again] = await c.sys.a!.lookup(name);
    expectBytes((await readAll(c.sys.a!, again!)).bytes, enc('far away'));
    c.check();
  });

  it('a partitioned kernel cannot reach anyone: its lookups fail with EHOSTDOWN', async () => {
    const c = await cluster('a', 'b', 'c');
    const { name } = await blobWith(c.sys.b!, enc('x'));
    c.net.partition('a');
    await expectErrno(c.sys.a!.lookup(name), 'EHOSTDOWN', 'name');
    c.net.restore('a');
    expect(await c.sys.a!.lookup(name)).toHaveLength(1);
    c.check();
  });

  it('lookup still finds objects on the peers that answer when another peer is down', async () => {
    const c = await cluster('a', 'b', 'c');
    const onB = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB, { nameSeed: 'both' }, 1);
    const onC = await c.sys.c!.create(ObjectType.SHARED_MEMORY_BLOB, { nameSeed: 'both' }, 1);
    await writeAll(c.sys.c!, onC.ref, enc('from c'));
    c.net.partition('b');
    const found = await c.sys.a!.lookup(onB.name);
    expect(found).toHaveLength(1);
    expect(dec((await readAll(c.sys.a!, found[0]!)).bytes)).toBe('from c');
    c.net.restore('b');
    c.check();
  });
});

describe('partitions during blocking calls', () => {
  it('a remote read blocked at home fails with EHOSTDOWN when the home is partitioned', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
    const [h] = await c.sys.a!.lookup(name);
    const reading = track(c.sys.a!.beginRead(h!));
    await flush(20);
    expect(reading.settled).toBe(false);
    c.net.partition('b');
    await until('the blocked read failed', () => reading.settled, 1500);
    expect((reading.error as { code?: string } | undefined)?.code).toBe('EHOSTDOWN');
    c.net.restore('b');
    // Cancel the read still waiting at b: deleting the reference releases it there.
    await c.sys.a!.delete(h!);
    await until('b released a’s reference', () => c.k.b!.objects.get(name.key)!.refCount === 1);
    await writeAll(c.sys.b!, ref, enc('ok'));
    expectBytes((await readAll(c.sys.b!, ref)).bytes, enc('ok'));
    c.check();
  });

  it('a select on a remote object whose home goes down wakes at once; after restore the old reference stays down, a new one works', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
    const obj = c.k.b!.objects.get(name.key)!;
    const [h] = await c.sys.a!.lookup(name);
    const waiting = track(c.sys.a!.select([h!], { timeoutMs: 1500 }));
    await flush(20);
    expect(waiting.settled).toBe(false);
    const downAt = Date.now();
    c.net.partition('b');
    await until('the select ended', () => waiting.settled, 1500);
    expect(Date.now() - downAt).toBeLessThan(500);
    // The select reports the reference ready and the read reports the failure.
    expect(waiting.value).toBe(h);
    await expectErrno(c.sys.a!.beginRead(h!), 'EHOSTDOWN', 'ref');
    // b dropped a's handle when it found a gone.
    expect(obj.refCount).toBe(1);
    c.net.restore('b');
    await writeAll(c.sys.b!, ref, enc('back'));
    await expectErrno(c.sys.a!.beginRead(h!), 'EHOSTDOWN', 'ref');
    const [again] = await c.sys.a!.lookup(name);
    expect(await c.sys.a!.select([again!], { timeoutMs: 1500 })).toBe(again);
    expectBytes((await readAll(c.sys.a!, again!)).bytes, enc('back'));
    await c.sys.a!.delete(h!);
    await c.sys.a!.delete(again!);
    await until('b released a’s reference', () => obj.refCount === 1);
    expect(c.link.a!.remoteCount).toBe(0);
    c.check();
  });

  // The partition makes b find a gone, so b closes a's handles and the read lease with them.
  it('a remote read whose reply is lost to a partition does not leave its lease outstanding at home', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
    const [h] = await c.sys.a!.lookup(name);
    const reading = track(c.sys.a!.beginRead(h!));
    await flush(10);
    c.net.partition('b');
    await writeAll(c.sys.b!, ref, enc('hi'));
    await until('the remote read failed', () => reading.settled);
    c.net.restore('b');
    await flush(20);
    // Nobody holds a read lease any more: b's own reader gets the bytes.
    expectBytes(await c.sys.b!.beginRead(ref, {}, 1 /* NONBLOCK */), enc('hi'));
    c.check();
  });
});

describe('releasing remote references', () => {
  it('deleting the last remote reference releases the proxy reference on the home kernel', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await blobWith(c.sys.b!, enc('x'));
    const obj = c.k.b!.objects.get(name.key)!;
    expect(obj.refCount).toBe(1);
    const [h1] = await c.sys.a!.lookup(name);
    const me = await c.sys.a!.lookup(c.sys.a!.taskName);
    const [h2] = await c.sys.a!.copy([h1!], me[0]!);
    // Both local references share one proxy, which holds one reference at home.
    expect(c.link.a!.remoteCount).toBe(1);
    expect(proxyHandlesTo(c.k.b!, 'a', name.key)).toHaveLength(1);
    expect(obj.refCount).toBe(2);
    await c.sys.a!.delete(h1!);
    await settle();
    expect(proxyHandlesTo(c.k.b!, 'a', name.key)).toHaveLength(1);
    expect(obj.refCount).toBe(2);
    await c.sys.a!.delete(h2!);
    await until('b released the proxy reference', () => obj.refCount === 1);
    expect(proxyHandlesTo(c.k.b!, 'a', name.key)).toEqual([]);
    expect(obj.destroyed).toBe(false);
    expectBytes((await readAll(c.sys.b!, ref)).bytes, enc('x'));
    c.check();
  });

  it('a refcounted object whose only references were remote is destroyed at home when they go', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await blobWith(c.sys.b!, enc('x'));
    const [h] = await c.sys.a!.lookup(name);
    const before = c.link.a!.remoteCount;
    await c.sys.b!.delete(ref);
    const obj = c.k.b!.objects.get(name.key)!;
    expect(obj.refCount).toBe(1);
    expectBytes((await readAll(c.sys.a!, h!)).bytes, enc('x'));
    await c.sys.a!.delete(h!);
    await until('b destroyed the object', () => obj.destroyed);
    expect(c.k.b!.objects.has(name.key)).toBe(false);
    expect(c.link.a!.remoteCount).toBe(before - 1);
    c.check();
  });

  it('each lookup gets its own proxy; deleting all of them leaves none on either side', async () => {
    const c = await cluster('a', 'b');
    const { name } = await blobWith(c.sys.b!, enc('x'));
    const obj = c.k.b!.objects.get(name.key)!;
    const handles = [
      ...(await c.sys.a!.lookup(name)),
      ...(await c.sys.a!.lookup(name)),
      ...(await c.sys.a!.lookup(name)),
    ];
    expect(handles).toHaveLength(3);
    expect(c.link.a!.remoteCount).toBe(3);
    expect(obj.refCount).toBe(4);
    for (const h of handles) await c.sys.a!.delete(h);
    await until('b released every proxy reference', () => obj.refCount === 1);
    expect(c.link.a!.remoteCount).toBe(0);
    expect(proxyHandlesTo(c.k.b!, 'a', name.key)).toEqual([]);
    c.check();
  });

  it('a task exiting on one kernel releases its remote references at home', async () => {
    const c = await cluster('a', 'b');
    const { name } = await blobWith(c.sys.b!, enc('x'));
    const obj = c.k.b!.objects.get(name.key)!;
    const worker = await c.k.a!.attachTask(['worker']);
    await worker.lookup(name);
    await worker.lookup(name);
    expect(obj.refCount).toBe(3);
    await worker.delete(worker.self);
    await until('b released the exited task’s references', () => obj.refCount === 1);
    expect(c.link.a!.remoteCount).toBe(0);
    c.check();
  });
});

describe('single-delete objects across kernels', () => {
  it('a delete on one kernel destroys the object at home and revokes every other kernel’s references', async () => {
    const c = await cluster('a', 'b', 'c');
    const { name, ref } = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'single-delete' });
    await writeAll(c.sys.b!, ref, enc('doomed'));
    const obj = c.k.b!.objects.get(name.key)!;
    const [onA] = await c.sys.a!.lookup(name);
    const [onC] = await c.sys.c!.lookup(name);
    expectBytes((await readAll(c.sys.c!, onC!)).bytes, enc('doomed'));
    expect(c.link.c!.remoteCount).toBe(1);

    await c.sys.a!.delete(onA!);
    await until('b destroyed the object', () => obj.destroyed);
    expect(c.k.b!.objects.has(name.key)).toBe(false);
    expect(c.sys.b!.handles).not.toContain(ref);
    expect(c.sys.a!.handles).not.toContain(onA);
    await until('c’s reference was revoked', () => !c.sys.c!.handles.includes(onC!));
    expect(c.link.c!.remoteCount).toBe(0);
    await expectErrno(c.sys.c!.beginRead(onC!), 'EBADF');
    await expectErrno(c.sys.b!.lookup(name), 'ENOENT', 'name');
    await expectErrno(c.sys.c!.lookup(name), 'ENOENT', 'name');
    expect(proxyTaskOn(c.k.b!, 'c')!.table.size).toBe(1); // only its self reference
    c.check();
  });

  it('deleting one reference of a refcounted remote object releases only that reference', async () => {
    const c = await cluster('a', 'b', 'c');
    const { name, ref } = await blobWith(c.sys.b!, enc('shared'));
    const obj = c.k.b!.objects.get(name.key)!;
    const [onA] = await c.sys.a!.lookup(name);
    const [onC] = await c.sys.c!.lookup(name);
    await c.sys.a!.delete(onA!);
    await until('b released a’s reference', () => obj.refCount === 2);
    expect(obj.destroyed).toBe(false);
    expect(c.sys.c!.ref(onC!).open).toBe(true);
    expectBytes((await readAll(c.sys.c!, onC!)).bytes, enc('shared'));
    expect(c.sys.b!.ref(ref).open).toBe(true);
    c.check();
  });

  it('a single-delete on the home kernel revokes remote references too', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'single-delete' });
    const [onA] = await c.sys.a!.lookup(name);
    await c.sys.b!.delete(ref);
    await until('a’s reference was revoked', () => !c.sys.a!.handles.includes(onA!));
    expect(c.link.a!.remoteCount).toBe(0);
    await expectErrno(c.sys.a!.beginWrite(onA!, 1), 'EBADF');
    c.check();
  });
});

describe('proximity of remote objects', () => {
  it('a durable blob on a peer is remote-disk-1hop and persistent; a memory blob is remote-memory-1hop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dios-remote-disk-'));
    const store = new FileBlobStore(dir, { fsync: 'none' });
    try {
      const net = new LoopbackNetwork();
      const cluster = `proximity-${process.pid}`;
      const a = await Kernel.boot({ id: 'a', cluster });
      const b = await Kernel.boot({ id: 'b', cluster, store });
      a.join(net.connect('a'));
      b.join(net.connect('b'));
      const durable = await b.init.create(ObjectType.DURABLE_BLOB);
      const memory = await b.init.create(ObjectType.SHARED_MEMORY_BLOB);
      const [hd] = await a.init.lookup(durable.name);
      const [hm] = await a.init.lookup(memory.name);
      expect([a.init.ref(hd!).proximity, a.init.ref(hd!).persistent]).toEqual(['remote-disk-1hop', true]);
      expect([a.init.ref(hm!).proximity, a.init.ref(hm!).persistent]).toEqual(['remote-memory-1hop', false]);
      expect(b.init.ref(durable.ref).proximity).toBe('local-disk');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
