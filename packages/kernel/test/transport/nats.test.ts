/**
 * The NATS transport against a real nats-server (started here on a free
 * loopback port, with a user and password): the Transport compliance suite,
 * then what only NATS has (credentials, malformed messages, heartbeats,
 * timeouts) and two kernels joined over it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, errors, nkeyAuthenticator, nkeys, type NatsConnection } from '@nats-io/transport-node';
import { ANY_KERNEL, DiosError, Kernel, programBinary, type PeerRequest } from '@dios/kernel';
import { transportCompliance } from '@dios/kernel/compliance';
import { connectNats, natsPermissions, NatsTransport, type NatsTransportOptions } from '@dios/kernel/nats';
import { decodeFrame, encodeFrame, MalformedFrameError } from '@dios/kernel/testing';
import {
  ASSEMBLY_TIMEOUT_MS,
  MAX_ASSEMBLING_BYTES_PER_SENDER,
  Reassembly,
  splitFrame,
} from '../../src/transport/nats/parts.js';
import { blobWith, readAll } from '../helpers.js';
import { natsMissing, startNatsServer, type NatsServer } from '../support/nats-server.js';
import { startTcpProxy } from './tcp-proxy.js';

const USER = 'dios';
const PASS = 'test-secret-pw';
// Fast liveness for tests: a stopped node is gone within 600 ms (plus a sweep period).
const HEARTBEAT_MS = 100;
const DEAD_MS = 600;

const missing = natsMissing();

let server: NatsServer | undefined;
let url = '';
let clusters = 0;

beforeAll(async () => {
  if (missing !== undefined) return;
  // The server keeps its default max_payload (1 MiB): a 1 MiB blob plus its header travels in parts.
  server = await startNatsServer({ config: 'max_payload: 1MB\n', args: ['--user', USER, '--pass', PASS] });
  url = server.url;
}, 20_000);

afterAll(() => {
  server?.stop();
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function freshCluster(): string {
  return `test-${process.pid}-${++clusters}`;
}

function options(id: string, cluster: string, extra: Partial<NatsTransportOptions> = {}): NatsTransportOptions {
  return { servers: url, id, cluster, user: USER, pass: PASS, heartbeatMs: HEARTBEAT_MS, deadMs: DEAD_MS, ...extra };
}

/** Waits until every transport lists all the others. */
async function meshed(ts: readonly NatsTransport[]): Promise<void> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const ok = ts.every((t) => ts.every((u) => u === t || t.peers().includes(u.localId)));
    if (ok) return;
    if (Date.now() > deadline) throw new Error('the transports did not hear each other within 3 s');
    await sleep(10);
  }
}

/** A transport whose connection the test holds, so it can drop it as a crash would (no goodbye, no drain). */
async function crashable(id: string, cluster: string): Promise<{ transport: NatsTransport; nc: NatsConnection }> {
  const nc = await connect({ servers: url, user: USER, pass: PASS });
  return {
    transport: new NatsTransport(nc, {
      id,
      cluster,
      requestTimeoutMs: 5000,
      heartbeatMs: HEARTBEAT_MS,
      deadMs: DEAD_MS,
    }),
    nc,
  };
}

async function expectCode(p: Promise<unknown>, codes: string[]): Promise<DiosError> {
  const error = await p.then(
    (v) => {
      throw new Error(`expected ${codes.join('/')}, got ${JSON.stringify(v)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DiosError);
  expect(codes).toContain((error as DiosError).code);
  return error as DiosError;
}

describe.skipIf(missing !== undefined)('NATS transport', () => {
  transportCompliance({
    name: 'nats',
    // Each node reaches the server through a proxy of its own: taking it down cuts the network under it
    // (its connection dropped, new ones refused), and the client's reconnecting brings it back on restore.
    canRestore: true,
    settleMs: 2000,
    async setup(count) {
      const cluster = freshCluster();
      const proxies = await Promise.all(Array.from({ length: count }, () => startTcpProxy(server!.port)));
      const transports = await Promise.all(
        proxies.map((p, i) => connectNats({ ...options(`node-${i}`, cluster), servers: p.url })),
      );
      const proxyOf = (id: string) => proxies[transports.findIndex((t) => t.localId === id)]!;
      await meshed(transports);
      return {
        transports,
        takeDown: (id) => proxyOf(id).cut(),
        restore: (id) => proxyOf(id).heal(),
        connectAnother: async () => {
          const proxy = await startTcpProxy(server!.port);
          proxies.push(proxy);
          const t = await connectNats({ ...options(`node-${transports.length}`, cluster), servers: proxy.url });
          transports.push(t);
          return t;
        },
        teardown: async () => {
          await Promise.all(transports.map((t) => t.close()));
          await Promise.all(proxies.map((p) => p.close()));
        },
      };
    },
  });

  describe('codec', () => {
    it('round-trips JSON values with byte arrays as raw bytes, not base64', () => {
      const bytes = Uint8Array.from({ length: 300 }, (_, i) => i % 256);
      const value = {
        kind: 'end-write',
        bytes,
        list: [new Uint8Array(0), 'ü', 1.5, null, true],
        nested: { b: Uint8Array.of(7) },
      };
      const frame = encodeFrame(value);
      // The 300 bytes appear verbatim at the end of the frame.
      expect([...frame.subarray(frame.length - 301, frame.length - 1)]).toEqual([...bytes]);
      expect(frame.length).toBeLessThan(300 + 200);
      const back = decodeFrame(frame) as typeof value;
      expect(back.bytes).toBeInstanceOf(Uint8Array);
      expect([...back.bytes]).toEqual([...bytes]);
      expect(back.list[0]).toBeInstanceOf(Uint8Array);
      expect(back.list.slice(1)).toEqual(['ü', 1.5, null, true]);
      expect([...back.nested.b]).toEqual([7]);
    });

    it('rejects malformed frames with MalformedFrameError', () => {
      const good = encodeFrame({ x: Uint8Array.of(1, 2, 3) });
      const withHeader = (header: string, tail: number[] = []) => {
        const head = new TextEncoder().encode(header);
        const f = new Uint8Array(4 + head.length + tail.length);
        new DataView(f.buffer).setUint32(0, head.length);
        f.set(head, 4);
        f.set(tail, 4 + head.length);
        return f;
      };
      const bad = [
        new Uint8Array(0),
        Uint8Array.of(0, 0),
        Uint8Array.of(0, 0, 1, 0, 1, 2),
        good.subarray(0, good.length - 1),
        Uint8Array.of(...good, 9),
        withHeader('{not json'),
        withHeader('{"body":1}'),
        withHeader('{"body":{"$bin":3},"bin":[1]}', [1]),
        withHeader('{"body":null,"bin":[-1]}'),
        withHeader('{"body":null,"bin":["2"]}', [1, 2]),
      ];
      for (const frame of bad)
        expect(() => decodeFrame(frame), `frame ${[...frame].join(',')}`).toThrow(MalformedFrameError);
    });
  });

  describe('NATS specifics', () => {
    it('refuses a client with a wrong password, or with none', async () => {
      const cluster = freshCluster();
      for (const creds of [{ pass: 'wrong' }, { user: undefined, pass: undefined }]) {
        const error = await expectCode(connectNats(options('intruder', cluster, creds)), ['EACCES']);
        expect(error.syscall).toBe('connectNats');
      }
      // The right password works.
      const t = await connectNats(options('member', cluster));
      await t.close();
    });

    it('refuses bad ids and timings, naming the option: an id is one subject token', async () => {
      const cases: [Partial<NatsTransportOptions>, string][] = [
        [{ id: 'a.b' }, 'id'],
        [{ id: 'a*' }, 'id'],
        [{ id: '>' }, 'id'],
        [{ id: 'a b' }, 'id'],
        [{ id: '' }, 'id'],
        [{ cluster: 'x>' }, 'cluster'],
        [{ cluster: 'x.y' }, 'cluster'],
        [{ heartbeatMs: 0 }, 'heartbeatMs'],
        [{ deadMs: 50, heartbeatMs: 100 }, 'deadMs'],
        [{ requestTimeoutMs: -1 }, 'requestTimeoutMs'],
      ];
      for (const [bad, argument] of cases) {
        const error = await expectCode(connectNats({ ...options('ok', 'ok'), ...bad }), ['EINVAL']);
        expect(error.argument, JSON.stringify(bad)).toBe(argument);
      }
    });

    it('keeps serving after malformed and forged messages on its subjects, counting each one it drops', async () => {
      const cluster = freshCluster();
      const a = await connectNats(options('a', cluster));
      const b = await connectNats(options('b', cluster));
      let handled = 0;
      let gate: (() => void) | undefined;
      b.listen(async (_from, request) => {
        handled++;
        if (request.kind === 'lookup') await new Promise<void>((resolve) => (gate = resolve));
        return { ok: true, handle: 5 };
      });
      await meshed([a, b]);
      const raw = await connect({ servers: url, user: USER, pass: PASS });
      try {
        const base = `dios.${cluster}`;
        const lookup = { kind: 'lookup', name: 'n', groups: [] };
        const junk = [
          new Uint8Array(0),
          new TextEncoder().encode('hello'),
          Uint8Array.of(0, 0, 0, 200, 1),
          encodeFrame({ t: 'req', from: 'a', body: { kind: 'no-such-kind' } }),
          encodeFrame({ t: 'req', from: 7, body: lookup }),
          encodeFrame({ t: 'rep', body: { ok: true } }),
          encodeFrame(['t', 'req']),
          encodeFrame(null),
        ];
        for (const data of junk) {
          raw.publish(`${base}.node.b.a`, data);
          raw.publish(`${base}.node.b.a`, data, { reply: `${base}.reply.a.b.99` });
          raw.publish(`${base}.alive.q`, data);
        }
        await raw.flush();
        await sleep(50);
        expect(handled).toBe(0);
        // Without a reply subject (8), undecodable or not a request (8): at b. Junk heartbeats: at both.
        expect(b.dropped).toEqual({ malformed: 24, forged: 0, parts: 0, peers: 0 });
        expect(a.dropped).toEqual({ malformed: 8, forged: 0, parts: 0, peers: 0 });

        // Forgeries: a well-formed request on a's subject claiming to be from x; one from a whose reply would go
        // into c's inbox; heartbeats on a's subject in other names (one a goodbye, which would drop a).
        raw.publish(`${base}.node.b.a`, encodeFrame({ t: 'req', from: 'x', body: lookup }), {
          reply: `${base}.reply.a.b.98`,
        });
        raw.publish(`${base}.node.b.a`, encodeFrame({ t: 'req', from: 'a', body: lookup }), {
          reply: `${base}.reply.c.b.1`,
        });
        raw.publish(`${base}.alive.a`, encodeFrame({ t: 'hb', from: 'ghost' }));
        raw.publish(`${base}.alive.a`, encodeFrame({ t: 'hb', from: 'b', bye: true }));
        raw.publish(`${base}.alive.ghost`, encodeFrame({ t: 'hb', from: 'a', bye: true }));
        await raw.flush();
        await sleep(50);
        expect(handled).toBe(0);
        expect(b.dropped).toEqual({ malformed: 24, forged: 5, parts: 0, peers: 0 });
        // a hears the heartbeats on other subjects than its own: the goodbye in a's name on ghost's subject.
        expect(a.dropped).toEqual({ malformed: 8, forged: 1, parts: 0, peers: 0 });
        expect(b.peers()).toEqual(['a']);

        // A reply to a's pending request, from someone other than the node it went to: dropped, the real one wins.
        const pending = a.request('b', { kind: 'lookup', name: 'n', groups: [] });
        while (gate === undefined) await sleep(5);
        const token = String(1);
        raw.publish(`${base}.reply.a.x.${token}`, encodeFrame({ t: 'rep', body: { ok: true, handle: 666 } }));
        await raw.flush();
        await sleep(50);
        expect(a.dropped).toEqual({ malformed: 8, forged: 2, parts: 0, peers: 0 });
        gate();
        expect(await pending).toEqual({ ok: true, handle: 5 });
        expect(await a.request('b', { kind: 'revoked', handle: 1 })).toEqual({ ok: true, handle: 5 });
        expect(handled).toBe(2);
        expect(a.peers()).toEqual(['b']);
        expect(b.peers()).toEqual(['a']);
      } finally {
        await raw.close();
        await a.close();
        await b.close();
      }
    });

    it('when cut off from the server, fails its requests at once, then comes back and re-announces itself at once when the network heals', async () => {
      const cluster = freshCluster();
      const proxy = await startTcpProxy(server!.port);
      const a = await connectNats(options('a', cluster));
      // b beats rarely, so a quick return can only come from the heartbeat it sends on reconnecting.
      const SLOW_BEAT = 2000;
      const b = await connectNats({
        ...options('b', cluster),
        servers: proxy.url,
        heartbeatMs: SLOW_BEAT,
        deadMs: 3 * SLOW_BEAT,
      });
      let started = false;
      a.listen(async (_from, request) => {
        started = true;
        if (request.kind === 'begin-read') await new Promise(() => {});
        return { ok: true };
      });
      b.listen(async () => ({ ok: true, handle: 2 }));
      const gone: string[] = [];
      a.onPeerGone((peer) => gone.push(peer));
      try {
        await meshed([a, b]);
        // A blocking read from b waiting at a: its reply could be lost while b is away, so it fails at once.
        const pending = b.request('a', { kind: 'begin-read', handle: 1, offset: 0, length: 1, nonblock: false });
        // Asserted below; this only keeps the rejection from counting as unhandled before then.
        pending.catch(() => {});
        while (!started) await sleep(5);
        const cutAt = Date.now();
        proxy.cut();
        const error = await expectCode(pending, ['EHOSTDOWN']);
        expect(error.message).toMatch(/lost its connection/);
        expect(Date.now() - cutAt).toBeLessThan(DEAD_MS);
        const cutOff = await expectCode(b.request('a', { kind: 'revoked', handle: 1 }), ['EHOSTDOWN']);
        expect(cutOff.message).toMatch(/cut off/);
        // a hears b go after a's deadMs, as for a crash.
        while (!gone.includes('b')) {
          if (Date.now() - cutAt > DEAD_MS + 1000) throw new Error('a did not drop b');
          await sleep(10);
        }
        proxy.heal();
        while (!a.peers().includes('b')) {
          if (Date.now() - cutAt > 3 * SLOW_BEAT + 1000) throw new Error('b did not come back');
          await sleep(5);
        }
        // Heard within a round trip of reconnecting, not up to a heartbeat period later.
        expect(Date.now() - proxy.lastConnectAt).toBeLessThan(SLOW_BEAT / 4);
        await meshed([a, b]);
        expect(await b.request('a', { kind: 'revoked', handle: 1 })).toEqual({ ok: true });
        expect(await a.request('b', { kind: 'revoked', handle: 1 })).toEqual({ ok: true, handle: 2 });
      } finally {
        await a.close();
        await b.close();
        await proxy.close();
      }
    }, 20_000);

    it('drops a stopped node from peers() within deadMs and fails requests to it, even a blocking read waiting there', async () => {
      const cluster = freshCluster();
      const a = await connectNats(options('a', cluster));
      const { transport: b, nc } = await crashable('b', cluster);
      let started = false;
      b.listen(async (_from, request) => {
        started = true;
        // A blocking read on an empty stream: it waits, there is no fixed limit on the requester's side.
        if (request.kind === 'begin-read') await new Promise(() => {});
        return { ok: true };
      });
      try {
        await meshed([a, b]);
        const read: PeerRequest = { kind: 'begin-read', handle: 1, offset: 0, length: 10, nonblock: false };
        const pending = a.request('b', read);
        // Asserted below; this only keeps the rejection from counting as unhandled before then.
        pending.catch(() => {});
        while (!started) await sleep(5);
        const stoppedAt = Date.now();
        // A crash: the connection goes without a goodbye.
        await nc.close();
        await expectCode(pending, ['EHOSTDOWN']);
        // Bounded by deadMs plus a sweep period (the sweeper runs every deadMs/4 here), with slack for a loaded machine.
        const bound = DEAD_MS + DEAD_MS / 4 + 400;
        expect(Date.now() - stoppedAt).toBeLessThanOrEqual(bound);
        while (a.peers().includes('b')) {
          if (Date.now() - stoppedAt > bound)
            throw new Error(`b still listed ${Date.now() - stoppedAt} ms after it stopped`);
          await sleep(10);
        }
        await expectCode(a.request('b', { kind: 'revoked', handle: 1 }), ['EHOSTDOWN']);
        // A node never heard of is unreachable, not down.
        await expectCode(a.request('nobody', { kind: 'revoked', handle: 1 }), ['EHOSTUNREACH']);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('a node restarted before it is found gone is reported gone, then seen: its new instance is never taken for the old', async () => {
      const cluster = freshCluster();
      // A deadline far off: only the new instance's heartbeat can tell a that the first b is gone.
      const a = await connectNats(options('a', cluster, { deadMs: 30_000 }));
      const { transport: b, nc } = await crashable('b', cluster);
      b.listen(async () => ({ ok: true }));
      const events: string[] = [];
      a.onPeerGone((peer) => events.push(`gone ${peer}`));
      a.onPeerSeen((peer) => events.push(`seen ${peer}`));
      let again: NatsTransport | undefined;
      try {
        await meshed([a, b]);
        events.length = 0;
        // A crash, and the same id back at once: a still counts the first b alive (its deadline is far off).
        await nc.close();
        again = await connectNats(options('b', cluster));
        again.listen(async () => ({ ok: true }));
        const deadline = Date.now() + 3000;
        while (!events.includes('seen b') && Date.now() < deadline) await sleep(10);
        // Without the instance nonce on heartbeats, a would hear the new b as the old one: no event at all.
        expect(events).toEqual(['gone b', 'seen b']);
        expect(a.peers()).toContain('b');
        expect((await a.request('b', { kind: 'load' })).ok).toBe(true);
      } finally {
        await a.close();
        await b.close();
        await again?.close();
      }
    });

    it('times out a request the peer does not answer after requestTimeoutMs, but lets a blocking read wait longer', async () => {
      const cluster = freshCluster();
      const a = await connectNats(options('a', cluster, { requestTimeoutMs: 300 }));
      const b = await connectNats(options('b', cluster));
      b.listen(async (_from, request) => {
        if (request.kind === 'lookup') await new Promise(() => {});
        if (request.kind === 'begin-read') await sleep(700);
        return { ok: true, lease: 3 };
      });
      try {
        await meshed([a, b]);
        await expectCode(a.request('b', { kind: 'lookup', name: 'x', groups: [] }), ['EHOSTDOWN']);
        // Waiting 700 ms at the peer, past requestTimeoutMs: the peer is alive, so the read is not cut off.
        expect(await a.request('b', { kind: 'begin-read', handle: 1, offset: 0, length: 1, nonblock: false })).toEqual({
          ok: true,
          lease: 3,
        });
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('carries a request and a reply larger than the server allows in one message, in parts, byte for byte', async () => {
      const cluster = freshCluster();
      // 20 MiB each way can hold heartbeats up on a loaded machine for longer than DEAD_MS: not what is tested here.
      const a = await connectNats(options('a', cluster, { deadMs: 10_000 }));
      const b = await connectNats(options('b', cluster, { deadMs: 10_000 }));
      const huge = new Uint8Array(20 * 1024 * 1024);
      for (let i = 0; i < huge.length; i += 4093) huge[i] = (i >>> 12) & 0xff;
      let received: Uint8Array | undefined;
      b.listen(async (_from, request) => {
        if (request.kind === 'end-write') received = request.bytes;
        return request.kind === 'begin-read' ? { ok: true, bytes: huge } : { ok: true, handle: 1 };
      });
      try {
        await meshed([a, b]);
        expect(
          await a.request('b', {
            kind: 'end-write',
            handle: 1,
            lease: 1,
            bytes: huge,
            discard: false,
            endOfStream: false,
          }),
        ).toEqual({ ok: true, handle: 1 });
        expect(received !== undefined && Buffer.from(received).equals(Buffer.from(huge))).toBe(true);
        const reply = await a.request('b', {
          kind: 'begin-read',
          handle: 1,
          offset: 0,
          length: huge.length,
          nonblock: true,
        });
        expect(reply.ok && reply.bytes !== undefined && Buffer.from(reply.bytes).equals(Buffer.from(huge))).toBe(true);
        expect(await a.request('b', { kind: 'revoked', handle: 1 })).toEqual({ ok: true, handle: 1 });
      } finally {
        await a.close();
        await b.close();
      }
    }, 30_000);
  });

  describe('NKey users, each allowed only its own node subjects (natsPermissions)', () => {
    const CLUSTER = 'secure';
    const ids = ['x', 'y', 'z'] as const;
    const keys = Object.fromEntries(ids.map((id) => [id, nkeys.createUser()])) as Record<
      (typeof ids)[number],
      nkeys.KeyPair
    >;
    const seedOf = (id: (typeof ids)[number]) => new TextDecoder().decode(keys[id].getSeed());
    let secure: NatsServer | undefined;

    beforeAll(async () => {
      const users = ids.map((id) => ({ nkey: keys[id].getPublicKey(), permissions: natsPermissions(CLUSTER, id) }));
      // The config format takes JSON.
      secure = await startNatsServer({ config: `authorization: ${JSON.stringify({ users })}\n` });
    }, 20_000);

    afterAll(() => secure?.stop());

    function nkeyOptions(id: string, seed: string): NatsTransportOptions {
      return { servers: secure!.url, id, cluster: CLUSTER, seed, heartbeatMs: HEARTBEAT_MS, deadMs: DEAD_MS };
    }

    it('joins with the right seed; an unknown seed is EACCES, a malformed one EINVAL naming seed, and no error shows the seed', async () => {
      const t = await connectNats(nkeyOptions('x', seedOf('x')));
      await t.close();
      const stranger = new TextDecoder().decode(nkeys.createUser().getSeed());
      const refused = await expectCode(connectNats(nkeyOptions('x', stranger)), ['EACCES']);
      expect(refused.message).not.toContain(stranger);
      const account = new TextDecoder().decode(nkeys.createAccount().getSeed());
      // One character changed mid-seed (the last one may only carry padding bits): the checksum fails.
      const good = seedOf('x');
      const flipped = `${good.slice(0, 20)}${good[20] === 'A' ? 'B' : 'A'}${good.slice(21)}`;
      const malformed = [flipped, 'SUnot-a-seed', '', account];
      for (const seed of malformed) {
        const error = await expectCode(connectNats(nkeyOptions('x', seed)), ['EINVAL']);
        expect(error.argument).toBe('seed');
        if (seed !== '') expect(error.message).not.toContain(seed);
      }
      // One kind of credentials at a time.
      const both = await expectCode(connectNats({ ...nkeyOptions('x', seedOf('x')), user: 'u', pass: 'p' }), [
        'EINVAL',
      ]);
      expect(both.argument).toBe('seed');
    });

    it("refuses a user that joins under another node's id (EACCES naming id)", async () => {
      const error = await expectCode(connectNats(nkeyOptions('y', seedOf('x'))), ['EACCES']);
      expect(error.argument).toBe('id');
    });

    it("a second node under x's own seed while x is live is refused with EEXIST: the id check stays within natsPermissions", async () => {
      const x = await connectNats(nkeyOptions('x', seedOf('x')));
      const y = await connectNats(nkeyOptions('y', seedOf('y')));
      x.listen(async () => ({ ok: true, handle: 8 }));
      try {
        await meshed([x, y]);
        const error = await expectCode(connectNats(nkeyOptions('x', seedOf('x'))), ['EEXIST']);
        expect(error.argument).toBe('id');
        expect(await y.request('x', { kind: 'revoked', handle: 1 })).toEqual({ ok: true, handle: 8 });
        expect(y.peers()).toEqual(['x']);
      } finally {
        await x.close();
        await y.close();
      }
    });

    it('heartbeats in made-up names from an authenticated user never arrive: the peers are the users the server let in', async () => {
      const [x, y] = await Promise.all(['x', 'y'].map((id) => connectNats(nkeyOptions(id, seedOf(id as 'x' | 'y')))));
      const rogue = await connect({ servers: secure!.url, authenticator: nkeyAuthenticator(keys.z.getSeed()) });
      let violations = 0;
      // Counts until rogue closes (finally, below); if the status stream failed, the rejection would fail the test.
      void (async () => {
        for await (const s of rogue.status())
          if (s.type === 'error' && s.error instanceof errors.PermissionViolationError) violations++;
      })();
      try {
        await meshed([x!, y!]);
        for (let i = 0; i < 200; i++)
          rogue.publish(`dios.${CLUSTER}.alive.fake-${i}`, encodeFrame({ t: 'hb', from: `fake-${i}` }));
        await rogue.flush();
        await sleep(100);
        expect(violations).toBe(200);
        expect(x!.peers()).toEqual(['y']);
        expect(y!.peers()).toEqual(['x']);
        expect(x!.dropped).toEqual({ malformed: 0, forged: 0, parts: 0, peers: 0 });
      } finally {
        await rogue.close();
        await x!.close();
        await y!.close();
      }
    });

    it('the server refuses a node publishing as another: nothing reaches the others, and they go on working', async () => {
      const [x, y, z] = await Promise.all(ids.map((id) => connectNats(nkeyOptions(id, seedOf(id)))));
      const handled: Record<string, string[]> = { x: [], y: [], z: [] };
      for (const t of [x!, y!, z!]) {
        t.listen(async (from, request) => {
          handled[t.localId]!.push(`${from}:${request.kind}`);
          return { ok: true, handle: 1 };
        });
      }
      // A client logged in as x, speaking raw NATS.
      const rogue = await connect({ servers: secure!.url, authenticator: nkeyAuthenticator(keys.x.getSeed()) });
      const violations: string[] = [];
      // Counts until rogue closes (finally, below); if the status stream failed, the rejection would fail the test.
      void (async () => {
        for await (const s of rogue.status()) {
          if (s.type === 'error' && s.error instanceof errors.PermissionViolationError)
            violations.push(`${s.error.operation} ${s.error.subject}`);
        }
      })();
      try {
        await meshed([x!, y!, z!]);
        const base = `dios.${CLUSTER}`;
        const lookup = { kind: 'lookup', name: 'n', groups: [] };
        // As y: a request to z, a goodbye, a reply into z's inbox; and listening on y's requests.
        rogue.publish(`${base}.node.z.y`, encodeFrame({ t: 'req', from: 'y', body: lookup }), {
          reply: `${base}.reply.y.z.1`,
        });
        rogue.publish(`${base}.alive.y`, encodeFrame({ t: 'hb', from: 'y', bye: true }));
        rogue.publish(`${base}.reply.z.y.1`, encodeFrame({ t: 'rep', body: { ok: true } }));
        let overheard = 0;
        rogue.subscribe(`${base}.node.y.*`, { callback: (err) => void (err === null && overheard++) });
        await rogue.flush();
        await sleep(DEAD_MS / 2);
        expect(violations.sort()).toEqual(
          [
            `publish ${base}.alive.y`,
            `publish ${base}.node.z.y`,
            `publish ${base}.reply.z.y.1`,
            `subscription ${base}.node.y.*`,
          ].sort(),
        );
        // Nothing arrived anywhere: no handler ran, nothing was even dropped, y is still alive for everyone.
        expect(handled).toEqual({ x: [], y: [], z: [] });
        for (const t of [x!, y!, z!]) expect(t.dropped).toEqual({ malformed: 0, forged: 0, parts: 0, peers: 0 });
        expect(x!.peers().sort()).toEqual(['y', 'z']);
        expect(z!.peers().sort()).toEqual(['x', 'y']);
        // Under its own name, the rogue's message arrives, but the envelope's claim to be y gets it dropped.
        rogue.publish(`${base}.node.z.x`, encodeFrame({ t: 'req', from: 'y', body: lookup }), {
          reply: `${base}.reply.x.z.7`,
        });
        await rogue.flush();
        await sleep(50);
        expect(z!.dropped).toEqual({ malformed: 0, forged: 1, parts: 0, peers: 0 });
        expect(handled.z).toEqual([]);
        // The real nodes carry on, y included.
        expect(await y!.request('z', { kind: 'revoked', handle: 1 })).toEqual({ ok: true, handle: 1 });
        expect(await z!.request('y', { kind: 'revoked', handle: 1 })).toEqual({ ok: true, handle: 1 });
        expect(await x!.request('y', { kind: 'revoked', handle: 1 })).toEqual({ ok: true, handle: 1 });
        expect(handled).toEqual({ x: [], y: ['z:revoked', 'x:revoked'], z: ['y:revoked'] });
        expect(overheard).toBe(0);
      } finally {
        await rogue.close();
        await Promise.all([x!, y!, z!].map((t) => t.close()));
      }
    });
  });

  describe('parts of large frames', () => {
    const header = (id: string, i: number, n: number, total: number) => `${id} ${i} ${n} ${total}`;
    it('puts parts back together in order and refuses anything out of order, malformed or oversized', () => {
      const r = new Reassembly();
      const frame = Uint8Array.from({ length: 10 }, (_, i) => i);
      const parts = splitFrame(frame, 4);
      expect(parts.map((p) => p.length)).toEqual([4, 4, 2]);
      expect(r.add('s', 'k', header('x', 0, 3, 10), parts[0]!, 0)).toBeUndefined();
      expect(r.add('s', 'k', header('x', 1, 3, 10), parts[1]!, 0)).toBeUndefined();
      expect(r.add('s', 'k', header('x', 2, 3, 10), parts[2]!, 0)!.flatMap((p) => [...p])).toEqual([...frame]);
      expect([r.held, r.open, r.dropped]).toEqual([0, 0, 0]);
      // Out of order: the frame is dropped, and so are its later parts.
      r.add('s', 'k', header('y', 0, 3, 10), parts[0]!, 0);
      expect(r.add('s', 'k', header('y', 2, 3, 10), parts[2]!, 0)).toBeUndefined();
      expect(r.add('s', 'k', header('y', 1, 3, 10), parts[1]!, 0)).toBeUndefined();
      expect([r.held, r.open, r.dropped]).toEqual([0, 0, 2]);
      const bad = [
        '',
        'x',
        'x 0 1 10',
        'x -1 3 10',
        'x 0 3 0',
        'x 0 3 abc',
        'x 5 3 10',
        'x 0x0 3 10',
        'x 0 3 1e1',
        ' 0 3 10',
        'x 0 3 10 ',
        'x 0 30 10',
        'x 00 3 10',
      ];
      for (const h of bad) expect(r.add('s', 'k', h, parts[0]!, 0), h).toBeUndefined();
      // An empty part is malformed too: every part carries a byte at least.
      expect(r.add('s', 'k', header('e', 0, 3, 10), new Uint8Array(0), 0)).toBeUndefined();
      expect([r.held, r.open, r.dropped]).toEqual([0, 0, 2 + bad.length + 1]);
      // More bytes than announced, a part from another sender under the same key, or a frame larger than a
      // sender's budget: dropped.
      r.add('s', 'k', header('z', 0, 2, 5), parts[0]!, 0);
      expect(r.add('s', 'k', header('z', 1, 2, 5), parts[1]!, 0)).toBeUndefined();
      r.add('s', 'k', header('z', 0, 2, 5), parts[0]!, 0);
      expect(r.add('t', 'k', header('z', 1, 2, 5), Uint8Array.of(1), 0)).toBeUndefined();
      expect(r.add('s', 'k', header('w', 0, 2, MAX_ASSEMBLING_BYTES_PER_SENDER + 1), parts[0]!, 0)).toBeUndefined();
      expect([r.held, r.open]).toEqual([0, 0]);
    });

    it('takes memory as parts arrive: a 10-byte part announcing a frame of 100 MiB holds 10 bytes', () => {
      const r = new Reassembly();
      expect(r.add('x', 'k', header('f', 0, 2, 100 * 1024 * 1024), new Uint8Array(10), 0)).toBeUndefined();
      expect([r.held, r.heldFor('x'), r.open]).toEqual([10, 10, 1]);
      // What is held grows with the parts as they come (each a copy of its bytes here: a small view of a larger buffer).
      const parts = splitFrame(
        Uint8Array.from({ length: 1000 }, (_, i) => i % 251),
        100,
      );
      for (let i = 0; i < 9; i++) r.add('y', 'j', header('g', i, 10, 1000), parts[i]!, 0);
      expect(r.heldFor('y')).toBeGreaterThanOrEqual(900);
      expect(r.heldFor('y')).toBeLessThanOrEqual(1000);
      const whole = r.add('y', 'j', header('g', 9, 10, 1000), parts[9]!, 0);
      expect(whole!.flatMap((p) => [...p])).toEqual(parts.flatMap((p) => [...p]));
      expect([r.held, r.heldFor('y')]).toEqual([10, 0]);
    });

    it("charges each sender its own budget: a sender over it loses its own frames, not another's", () => {
      const r = new Reassembly({ bytesPerSender: 1000, framesPerSender: 2, bytes: 2500, frames: 10 });
      // x: one frame within budget, then a second whose first part would take x past 1000 bytes.
      r.add('x', 'x1', header('a', 0, 3, 900), new Uint8Array(600), 0);
      r.add('y', 'y1', header('b', 0, 2, 800), new Uint8Array(400), 0);
      r.add('x', 'x2', header('c', 0, 2, 800), new Uint8Array(500), 0);
      expect([r.heldFor('x'), r.open]).toEqual([600, 2]);
      // A second small frame fits; a third is over x's frame budget, whatever its size.
      r.add('x', 'x3', header('d', 0, 2, 10), new Uint8Array(5), 0);
      r.add('x', 'x4', header('e', 0, 2, 10), new Uint8Array(5), 0);
      expect([r.heldFor('x'), r.open]).toEqual([605, 3]);
      // y's frame is untouched and completes.
      expect(r.add('y', 'y1', header('b', 1, 2, 800), new Uint8Array(400), 0)?.reduce((n, p) => n + p.length, 0)).toBe(
        800,
      );
      // The node's budget: z and w take 1300 more; w's next part would pass 2500, and only w's frame goes.
      r.add('z', 'z1', header('f', 0, 2, 1000), new Uint8Array(900), 0);
      r.add('w', 'w1', header('g', 0, 2, 1000), new Uint8Array(400), 0);
      expect(r.held).toBe(1905);
      expect(r.add('w', 'w1', header('g', 1, 2, 1000), new Uint8Array(600), 0)).toBeUndefined();
      expect([r.held, r.heldFor('w'), r.heldFor('x'), r.heldFor('z')]).toEqual([1505, 0, 605, 900]);
    });

    it('drops a frame whose parts stop coming', () => {
      const r = new Reassembly();
      r.add('s', 'k', header('x', 0, 2, 8), new Uint8Array(4), 0);
      expect(r.held).toBe(4);
      r.expire(ASSEMBLY_TIMEOUT_MS);
      expect(r.held).toBe(4);
      r.expire(ASSEMBLY_TIMEOUT_MS + 1);
      expect([r.held, r.open, r.dropped]).toEqual([0, 0, 1]);
      expect(r.add('s', 'k', header('x', 1, 2, 8), new Uint8Array(4), ASSEMBLY_TIMEOUT_MS + 2)).toBeUndefined();
    });
  });

  describe('two kernels over NATS', () => {
    it('look an object up across kernels and read a 1 MiB blob remotely', async () => {
      const cluster = freshCluster();
      const ka = await Kernel.boot({ id: 'ka', cluster });
      const kb = await Kernel.boot({ id: 'kb', cluster });
      const ta = await connectNats(options('ka', cluster));
      const tb = await connectNats(options('kb', cluster));
      try {
        ka.join(ta);
        kb.join(tb);
        await meshed([ta, tb]);
        const sa = await ka.attachTask(['host-a']);
        const sb = await kb.attachTask(['host-b']);
        const big = new Uint8Array(1 << 20);
        for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
        const { name } = await blobWith(sb, big);
        const handles = await sa.lookup(name);
        expect(handles).toHaveLength(1);
        const view = sa.ref(handles[0]!);
        expect(view.proximity.startsWith('remote-')).toBe(true);
        expect(view.size).toBe(big.length);
        const { bytes, valid } = await readAll(sa, handles[0]!);
        expect(valid).toBe(true);
        expect(bytes.length).toBe(big.length);
        expect(Buffer.from(bytes).equals(Buffer.from(big))).toBe(true);
        ka.checkInvariants();
        kb.checkInvariants();
      } finally {
        await ta.close();
        await tb.close();
      }
    }, 20_000);

    it('place a task with spec.kernel "*" where its input lives (the load request crosses NATS)', async () => {
      const cluster = freshCluster();
      const ka = await Kernel.boot({ id: 'ka', cluster });
      const kb = await Kernel.boot({ id: 'kb', cluster });
      const ta = await connectNats(options('ka', cluster));
      const tb = await connectNats(options('kb', cluster));
      try {
        ka.join(ta);
        kb.join(tb);
        await meshed([ta, tb]);
        for (const k of [ka, kb]) k.registerProgram('where', (sys) => (sys.kernelId === 'kb' ? 2 : 1));
        const sa = await ka.attachTask(['host-a']);
        const sb = await kb.attachTask(['host-b']);
        const { name } = await blobWith(sb, new Uint8Array(4096));
        const [input] = await sa.lookup(name);
        const bin = (await blobWith(sa, programBinary('where'))).ref;
        const task = await sa.run(bin, { argv: ['where'], inputs: [input!], kernel: ANY_KERNEL });
        await sa.select([task]);
        expect(sa.ref(task).task?.exitStatus).toBe(2);
      } finally {
        await ta.close();
        await tb.close();
      }
    }, 20_000);
  });
});
