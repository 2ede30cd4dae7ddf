/**
 * Replies lost while both kernels stay up (no peer is found gone): a remote
 * begin_read or begin_write names its lease up front, and when its reply is
 * lost the requester gives the lease back, so nothing stays taken at home.
 */
import { describe, expect, it } from 'vitest';
import { errors, ObjectType, type PeerReply, type PeerRequest } from '@dios/kernel';
import { enc, expectErrno, flush, readAll, writeAll } from '../helpers.js';
import { cluster, expectBytes, proxyHandlesTo, type Cluster } from './cluster.js';

/**
 * Loses the reply of the next request of `kind`: `after` the home handled it
 * (the work is done), or `before` (the requester fails at once while the
 * home is still handling it).
 */
function loseNextReply(c: Cluster, kind: PeerRequest['kind'], when: 'after' | 'before') {
  const deliver = c.net.deliver.bind(c.net);
  const state = { lost: false, handled: undefined as Promise<PeerReply> | undefined };
  c.net.deliver = async (from: string, to: string, req: PeerRequest): Promise<PeerReply> => {
    if (req.kind !== kind || state.lost) return deliver(from, to, req);
    state.lost = true;
    const handled = deliver(from, to, req);
    // Marks it handled: with 'before' it is awaited only later, by the test, through state.handled.
    handled.catch(() => {});
    state.handled = handled;
    if (when === 'after') await handled;
    throw errors.EHOSTDOWN('request', 'to', 'the reply was lost');
  };
  return state;
}

describe('a lost reply to a remote begin request', () => {
  it('begin_read granted at home, reply lost: the requester gives the lease back, and the reference still works', async () => {
    const c = await cluster('a', 'b');
    const stream = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
    await writeAll(c.sys.b!, stream.ref, enc('hi'));
    const [h] = await c.sys.a!.lookup(stream.name);
    const lost = loseNextReply(c, 'begin-read', 'after');
    await expectErrno(c.sys.a!.beginRead(h!), 'EHOSTDOWN', 'ref');
    expect(lost.lost).toBe(true);
    await flush(10);
    // The stream's one read lease is free again: b reads without waiting, and gives the bytes back.
    const buf = await c.sys.b!.beginRead(stream.ref, {}, 1 /* NONBLOCK */);
    expectBytes(buf, enc('hi'));
    await c.sys.b!.endRead(stream.ref, buf, 1 /* RELEASE */);
    // No peer was found gone: a's reference still works.
    expectBytes((await readAll(c.sys.a!, h!)).bytes, enc('hi'));
    c.check();
  });

  it('begin_read still waiting at home when the requester gives up: the lease is given back as soon as it is granted', async () => {
    const c = await cluster('a', 'b');
    const stream = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
    const [h] = await c.sys.a!.lookup(stream.name);
    const lost = loseNextReply(c, 'begin-read', 'before');
    await expectErrno(c.sys.a!.beginRead(h!), 'EHOSTDOWN', 'ref');
    await flush(10);
    // The read is still waiting at b for bytes; they arrive, the lease is granted and given straight back.
    await writeAll(c.sys.b!, stream.ref, enc('x'));
    const reply = await lost.handled!;
    expect(reply.ok).toBe(false);
    expect(!reply.ok && reply.error.code).toBe('ECANCELED');
    const buf = await c.sys.b!.beginRead(stream.ref, {}, 1 /* NONBLOCK */);
    expectBytes(buf, enc('x'));
    await c.sys.b!.endRead(stream.ref, buf);
    c.check();
  });

  it('begin_write granted at home, reply lost: the write lease is discarded, so others can write', async () => {
    const c = await cluster('a', 'b');
    const stream = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
    const [h] = await c.sys.a!.lookup(stream.name);
    loseNextReply(c, 'begin-write', 'after');
    await expectErrno(c.sys.a!.beginWrite(h!, 4), 'EHOSTDOWN', 'ref');
    await flush(10);
    await writeAll(c.sys.b!, stream.ref, enc('b'));
    await writeAll(c.sys.a!, h!, enc('a'));
    expectBytes((await readAll(c.sys.b!, stream.ref)).bytes, enc('ba'));
    c.check();
  });

  it('the home refuses a lease id already in use', async () => {
    const c = await cluster('a', 'b');
    const blob = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB);
    await writeAll(c.sys.b!, blob.ref, enc('abc'));
    await c.sys.a!.lookup(blob.name);
    const handle = [...[...c.k.b!.tasks.values()].find((t) => t.setup.argv[0] === 'peer:a')!.table.keys()].at(-1)!;
    const read: PeerRequest = { kind: 'begin-read', handle, offset: 0, length: 3, nonblock: true, rid: 1_000_000 };
    const first = await c.link.a!.send('b', read);
    expect(first.lease).toBe(1_000_000);
    await expectErrno(c.link.a!.send('b', read), 'EINVAL', 'rid');
    await expectErrno(c.link.a!.send('b', { ...read, rid: -1 }), 'EINVAL', 'rid');
    await c.link.a!.send('b', { kind: 'end-read', handle, lease: 1_000_000, release: true });
    c.check();
  });
});

describe('a lost release', () => {
  // Found by the cross-node fault property (test/testing-kit/cluster-faults.property.test.ts): one dropped release
  // left the home holding the deleted reference for as long as both kernels stayed up.
  it.each(['before', 'after'] as const)(
    'a release lost %s the home handled it is sent again: the home holds nothing for the deleted reference',
    async (when) => {
      const c = await cluster('a', 'b');
      const blob = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
      const [h] = await c.sys.a!.lookup(blob.name);
      expect(proxyHandlesTo(c.k.b!, 'a', blob.name.key)).toHaveLength(1);
      const deliver = c.net.deliver.bind(c.net);
      let lost = 0;
      c.net.deliver = async (from: string, to: string, req: PeerRequest): Promise<PeerReply> => {
        if (req.kind !== 'release' || lost > 0) return deliver(from, to, req);
        lost++;
        if (when === 'after') await deliver(from, to, req);
        throw errors.EHOSTDOWN('request', 'to', 'the message was lost');
      };
      await c.sys.a!.delete(h!);
      await flush(10);
      expect(lost).toBe(1);
      expect(proxyHandlesTo(c.k.b!, 'a', blob.name.key)).toEqual([]);
      expect(c.link.a!.remoteCount).toBe(0);
      c.check();
    },
  );
});

describe('a lost revocation notice', () => {
  // Found by the cross-node fault property (test/testing-kit/cluster-faults.property.test.ts): a watch refused at home
  // marked the proxy revoked without waking the select, which then waited for the notice forever.
  it('a select on a remote stream deleted at home wakes when its watch is refused, and the next call says EBADF', async () => {
    const c = await cluster('a', 'b');
    const stream = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM, { lifecycle: 'single-delete' });
    const [h] = await c.sys.a!.lookup(stream.name);
    const deliver = c.net.deliver.bind(c.net);
    c.net.deliver = async (from: string, to: string, req: PeerRequest): Promise<PeerReply> => {
      if (req.kind === 'revoked') throw errors.EHOSTDOWN('request', 'to', 'the notice was lost');
      return deliver(from, to, req);
    };
    const waiting = c.sys.a!.select([h!], { timeoutMs: 1000 });
    await flush(10);
    await c.sys.b!.delete(stream.ref);
    expect(await waiting).toBe(h);
    await expectErrno(c.sys.a!.beginRead(h!), 'EBADF', 'ref');
    c.check();
  });
});
