/**
 * copy with CopyFlags.MAKE_LOCAL over loopback: a blob on another kernel is
 * fetched in bounded chunks into a new blob on the caller's kernel, as one
 * consistent version, and the target gets a reference to the copy.
 */
import { describe, expect, it } from 'vitest';
import { CopyFlags, ObjectType, Rights, type PeerReply, type PeerRequest } from '@dios/kernel';
import { MAKE_LOCAL_ATTEMPTS, MAKE_LOCAL_CHUNK_BYTES } from '@dios/kernel/testing';
import { blobWith, dec, enc, expectErrno, readAll, writeAll } from '../helpers.js';
import { cluster, expectBytes, proxyHandlesTo, until, type Cluster } from './cluster.js';

const MAKE_LOCAL = CopyFlags.MAKE_LOCAL;

/** Watches every request on the network; `before` runs ahead of each delivery. Returns what was seen. */
function tap(c: Cluster, before?: (to: string, req: PeerRequest) => void | Promise<void>) {
  const seen = { reads: 0, maxReplyBytes: 0 };
  const deliver = c.net.deliver.bind(c.net);
  c.net.deliver = async (from: string, to: string, req: PeerRequest): Promise<PeerReply> => {
    if (req.kind === 'begin-read') seen.reads++;
    await before?.(to, req);
    const reply = await deliver(from, to, req);
    if (reply.ok && reply.bytes !== undefined) seen.maxReplyBytes = Math.max(seen.maxReplyBytes, reply.bytes.length);
    return reply;
  };
  return seen;
}

function pattern(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed + (i >>> 12)) & 0xff;
  return bytes;
}

async function me(c: Cluster, id: string): Promise<number> {
  return (await c.sys[id]!.lookup(c.sys[id]!.taskName))[0]!;
}

describe('copy with MAKE_LOCAL', () => {
  it('copies a remote blob into a new local blob: same bytes and version, a fresh name, independent of the original', async () => {
    const c = await cluster('a', 'b');
    const orig = await blobWith(c.sys.b!, enc('the original'));
    await writeAll(c.sys.b!, orig.ref, enc('THE'));
    const [h] = await c.sys.a!.lookup(orig.name);
    const [local] = await c.sys.a!.copy([h!], await me(c, 'a'), {}, MAKE_LOCAL);
    const view = c.sys.a!.ref(local!);
    expect(view.proximity).toBe('local-memory');
    expect(view.type).toBe(ObjectType.SHARED_MEMORY_BLOB);
    expect(view.size).toBe(12);
    expect(view.version).toBe(2);
    expectBytes((await readAll(c.sys.a!, local!)).bytes, enc('THE original'));
    // A new object on a, in no group: not the original's name, not found by lookup.
    const copyObj = [...c.k.a!.objects.values()].find((o) =>
      o.refs.has([...o.refs].find((r) => r.id === local && r.owner === c.sys.a!.taskName.key)!),
    )!;
    expect(copyObj.name.key).not.toBe(orig.name.key);
    expect(copyObj.group).toBeUndefined();
    expect(c.k.a!.objects.has(orig.name.key)).toBe(false);
    // Writes to either side stay there.
    await writeAll(c.sys.a!, local!, enc('new'));
    await writeAll(c.sys.b!, orig.ref, enc('old'));
    expectBytes((await readAll(c.sys.a!, local!)).bytes, enc('new original'));
    expectBytes((await readAll(c.sys.a!, h!)).bytes, enc('old original'));
    // Reference-counted: deleting the last reference destroys the copy; b's handle for a is untouched.
    await c.sys.a!.delete(local!);
    expect(copyObj.destroyed).toBe(true);
    expect(c.k.a!.objects.has(copyObj.name.key)).toBe(false);
    expect(proxyHandlesTo(c.k.b!, 'a', orig.name.key)).toHaveLength(1);
    c.check();
  });

  it('gives the copy the rights asked for, never more than the source’s, and needs READ on a remote source', async () => {
    const c = await cluster('a', 'b');
    const orig = await blobWith(c.sys.b!, enc('bytes'));
    const [h] = await c.sys.a!.lookup(orig.name);
    const self = await me(c, 'a');
    const [ro] = await c.sys.a!.copy([h!], self, { rights: Rights.READ }, MAKE_LOCAL);
    expect(c.sys.a!.ref(ro!).proximity).toBe('local-memory');
    await expectErrno(c.sys.a!.beginWrite(ro!, 1), 'EACCES', 'ref');
    const [delegateOnly] = await c.sys.a!.copy([h!], self, { rights: Rights.DELEGATE });
    const objects = c.k.a!.objects.size;
    await expectErrno(
      c.sys.a!.copy([delegateOnly!], self, { rights: Rights.DELEGATE }, MAKE_LOCAL),
      'EACCES',
      'refs[0]',
    );
    expect(c.k.a!.objects.size).toBe(objects);
    const [rd] = await c.sys.a!.copy([h!], self, { rights: Rights.READ | Rights.DELEGATE }, MAKE_LOCAL);
    await expectErrno(c.sys.a!.copy([rd!], self, { rights: Rights.ALL }, MAKE_LOCAL), 'EPERM', 'refs[0]');
    c.check();
  });

  it('a blob already on this kernel is copied as a reference (the same object)', async () => {
    const c = await cluster('a', 'b');
    const orig = await blobWith(c.sys.a!, enc('here'));
    const objects = c.k.a!.objects.size;
    const [dup] = await c.sys.a!.copy([orig.ref], await me(c, 'a'), {}, MAKE_LOCAL);
    expect(c.k.a!.objects.size).toBe(objects);
    await writeAll(c.sys.a!, dup!, enc('HERE'));
    expectBytes((await readAll(c.sys.a!, orig.ref)).bytes, enc('HERE'));
    c.check();
  });

  it('refuses streams, tasks and groups with ENOTSUP naming flags, here or remote, and opens nothing', async () => {
    const c = await cluster('a', 'b');
    const self = await me(c, 'a');
    const blob = await blobWith(c.sys.b!, enc('x'));
    const [hb] = await c.sys.a!.lookup(blob.name);
    const stream = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM);
    const [hs] = await c.sys.a!.lookup(stream.name);
    const localStream = await c.sys.a!.create(ObjectType.SHARED_MEMORY_STREAM);
    const handles = c.sys.a!.handles.length;
    for (const bad of [hs!, localStream.ref, self]) {
      await expectErrno(c.sys.a!.copy([hb!, bad], self, {}, MAKE_LOCAL), 'ENOTSUP', 'flags');
    }
    expect(c.sys.a!.handles.length).toBe(handles);
    const init = c.k.a!.init;
    const root = init.handles.find((h) => init.ref(h).type === ObjectType.GROUP)!;
    await expectErrno(init.copy([root], init.self, {}, MAKE_LOCAL), 'ENOTSUP', 'flags');
    await expectErrno(c.sys.a!.copy([hb!], self, {}, MAKE_LOCAL | 0x2), 'EINVAL', 'flags');
    c.check();
  });

  it('copies a 64 MiB blob in chunks of bounded size', async () => {
    const c = await cluster('a', 'b');
    const size = 64 * 1024 * 1024;
    const bytes = pattern(size, 7);
    const orig = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB);
    await writeAll(c.sys.b!, orig.ref, bytes);
    const [h] = await c.sys.a!.lookup(orig.name);
    const seen = tap(c);
    const [local] = await c.sys.a!.copy([h!], await me(c, 'a'), {}, MAKE_LOCAL);
    expect(seen.maxReplyBytes).toBe(MAKE_LOCAL_CHUNK_BYTES);
    expect(seen.reads).toBe(size / MAKE_LOCAL_CHUNK_BYTES + 1);
    const got = await c.sys.a!.beginRead(local!);
    expect(got.length).toBe(size);
    expect(Buffer.compare(Buffer.from(got.buffer, got.byteOffset, got.length), Buffer.from(bytes.buffer))).toBe(0);
    await c.sys.a!.endRead(local!, got);
    // No lease is left at b: b commits an exclusive-free write at once.
    await writeAll(c.sys.b!, orig.ref, enc('z'));
    c.check();
  }, 60_000);

  it('a write at home during the copy makes it start again: the copy is one version, never a mix', async () => {
    const c = await cluster('a', 'b');
    const size = 3 * MAKE_LOCAL_CHUNK_BYTES - 10;
    const orig = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB);
    await writeAll(c.sys.b!, orig.ref, pattern(size, 1));
    const [h] = await c.sys.a!.lookup(orig.name);
    const second = pattern(size, 2);
    let wrote = false;
    const seen = tap(c, async (_to, req) => {
      if (req.kind === 'begin-read' && req.offset > 0 && !wrote) {
        wrote = true;
        await writeAll(c.sys.b!, orig.ref, second);
      }
    });
    const [local] = await c.sys.a!.copy([h!], await me(c, 'a'), {}, MAKE_LOCAL);
    expect(wrote).toBe(true);
    expect(seen.reads).toBeGreaterThan(3);
    const got = (await readAll(c.sys.a!, local!)).bytes;
    expect(Buffer.compare(Buffer.from(got), Buffer.from(second))).toBe(0);
    expect(c.sys.a!.ref(local!).version).toBe(2);
    c.check();
  });

  it('a blob that keeps changing is EAGAIN after the last attempt, leaving nothing behind', async () => {
    const c = await cluster('a', 'b');
    const orig = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB);
    await writeAll(c.sys.b!, orig.ref, pattern(2 * MAKE_LOCAL_CHUNK_BYTES, 1));
    const [h] = await c.sys.a!.lookup(orig.name);
    let n = 0;
    const seen = tap(c, async (_to, req) => {
      if (req.kind === 'begin-read' && req.offset > 0) await writeAll(c.sys.b!, orig.ref, enc(`w${++n}`));
    });
    const self = await me(c, 'a');
    const objects = c.k.a!.objects.size;
    const handles = c.sys.a!.handles.length;
    await expectErrno(c.sys.a!.copy([h!], self, {}, MAKE_LOCAL), 'EAGAIN', 'refs[0]');
    expect(seen.reads).toBe(2 * MAKE_LOCAL_ATTEMPTS);
    expect(c.k.a!.objects.size).toBe(objects);
    expect(c.sys.a!.handles.length).toBe(handles);
    c.check();
  });

  it('the home going down during the copy is EHOSTDOWN naming the reference, leaving nothing behind', async () => {
    const c = await cluster('a', 'b');
    const orig = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB);
    await writeAll(c.sys.b!, orig.ref, pattern(2 * MAKE_LOCAL_CHUNK_BYTES, 1));
    const [h] = await c.sys.a!.lookup(orig.name);
    tap(c, (_to, req) => {
      if (req.kind === 'begin-read' && req.offset > 0) c.net.partition('b');
    });
    const objects = c.k.a!.objects.size;
    await expectErrno(c.sys.a!.copy([h!], await me(c, 'a'), {}, MAKE_LOCAL), 'EHOSTDOWN', 'refs[0]');
    expect(c.k.a!.objects.size).toBe(objects);
    c.check();
  });

  it('to a task on a third kernel: the copy lives on the caller’s kernel and goes when the target lets go', async () => {
    const c = await cluster('a', 'b', 'c');
    const orig = await blobWith(c.sys.b!, enc('from b'));
    const [h] = await c.sys.a!.lookup(orig.name);
    const [target] = await c.sys.a!.lookup(c.sys.c!.taskName);
    const blobsOnA = () => [...c.k.a!.objects.values()].filter((o) => o.type === ObjectType.SHARED_MEMORY_BLOB).length;
    const objects = blobsOnA();
    const [onC] = await c.sys.a!.copy([h!], target!, { rights: Rights.READ }, MAKE_LOCAL);
    // One more blob on a (the copy), held for c.
    expect(blobsOnA()).toBe(objects + 1);
    const view = c.sys.c!.ref(onC!);
    expect(view.proximity).toBe('remote-memory-1hop');
    expect(dec((await readAll(c.sys.c!, onC!)).bytes)).toBe('from b');
    await c.sys.c!.delete(onC!);
    await until('a destroyed the copy', () => blobsOnA() === objects);
    c.check();
  });
});
