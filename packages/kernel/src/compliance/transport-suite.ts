/**
 * The transport compliance suite, in the style of js-libp2p's
 * interface-compliance tests: every Transport implementation runs the same
 * assertions about the contract of `Transport` (in `@dios/kernel`). The suite is
 * transport-neutral: it uses only the Transport interface and the setup
 * below, never a transport's internals, so a NATS (or TCP) transport runs it
 * unchanged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  DiosError,
  type ErrnoCode,
  type ObjectDescriptor,
  type PeerReply,
  type PeerRequest,
  type RequestHandler,
  type Transport,
} from '@dios/kernel';
import { sameBytes, sleep } from './bytes.js';

/** A set of connected transports made for one test. */
export interface TransportNetwork {
  /** One transport per node, with distinct ids, all able to reach each other; none is listening yet. */
  readonly transports: readonly Transport[];
  /**
   * Simulates a crash of (or a partition around) node `id` without calling its
   * close(): requests to and from it must fail with EHOSTDOWN.
   */
  takeDown(id: string): void | Promise<void>;
  /** Ends a {@link TransportNetwork.takeDown} (optional: tests that need it are skipped without it). */
  restore?(id: string): void | Promise<void>;
  /**
   * Connects one more node, after the others (optional: tests that need it are
   * skipped without it); the network's teardown releases it too.
   */
  connectAnother?(): Promise<Transport>;
  /** Releases everything the network holds (called after each test, even after a failure). */
  teardown(): Promise<void>;
}

/** What a transport under test provides: its name and how to make a network of it. */
export interface TransportTestSetup {
  /** Names the transport in the suite's title. */
  readonly name: string;
  /** Creates `count` (at least 2) connected transports, fresh for one test; the network's teardown releases them. */
  setup(count: number): Promise<TransportNetwork>;
  /** Whether {@link TransportNetwork.restore} is implemented (default: false). */
  canRestore?: boolean;
  /**
   * Longest the suite waits for a change (membership in peers(), a pending
   * request failing after takeDown) to show (default 1000 ms, at most 2000).
   */
  settleMs?: number;
}

/**
 * Declares the Transport contract's tests (vitest `describe`/`it` blocks)
 * against the transports `common.setup` makes: call it at the top level of a
 * test file.
 *
 * @example
 * ```ts
 * import { LoopbackNetwork } from '@dios/kernel';
 * import { transportCompliance } from '@dios/kernel/compliance';
 *
 * transportCompliance({
 *   name: 'loopback',
 *   async setup(count) {
 *     const net = new LoopbackNetwork();
 *     const transports = Array.from({ length: count }, (_, i) => net.connect(`n${i}`));
 *     return {
 *       transports,
 *       takeDown: (id) => net.partition(id),
 *       teardown: async () => { await Promise.all(transports.map((t) => t.close())); },
 *     };
 *   },
 * });
 * ```
 */
export function transportCompliance(common: TransportTestSetup): void {
  const settleMs = Math.min(common.settleMs ?? 1000, 2000);

  describe(`Transport compliance: ${common.name}`, () => {
    let network: TransportNetwork | undefined;
    const cleanups: (() => void)[] = [];

    async function connect(count: number): Promise<readonly Transport[]> {
      network = await common.setup(count);
      expect(network.transports.length).toBe(count);
      return network.transports;
    }

    afterEach(async () => {
      for (const c of cleanups.splice(0)) c();
      const n = network;
      network = undefined;
      await n?.teardown();
    });

    /** Resolves with `check()` once it returns true, or fails after settleMs. */
    async function eventually(what: string, check: () => boolean): Promise<void> {
      const deadline = Date.now() + settleMs;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out after ${settleMs} ms waiting until ${what}`);
        await sleep(5);
      }
    }

    /** Settles `p`, failing if it takes longer than settleMs. */
    function within<T>(p: Promise<T>, what: string): Promise<T> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not settle within ${settleMs} ms`)), settleMs);
      });
      return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
    }

    async function expectCode(p: Promise<unknown>, code: ErrnoCode, what: string): Promise<DiosError> {
      const outcome = await within(
        p.then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
        what,
      );
      expect(
        outcome.ok,
        `${what}: expected ${code}, got a reply ${JSON.stringify(outcome.ok ? outcome.value : undefined)}`,
      ).toBe(false);
      const error = (outcome as { error: unknown }).error;
      expect(error, `${what}: ${String(error)}`).toBeInstanceOf(DiosError);
      expect((error as DiosError).code, `${what}: ${(error as DiosError).message}`).toBe(code);
      return error as DiosError;
    }

    /** A handler that records what it received and answers lookups with the name it got and who sent it. */
    function echo(t: Transport, log: { from: string; request: PeerRequest }[] = []): RequestHandler {
      return async (from, request) => {
        log.push({ from, request });
        if (request.kind === 'end-write') return { ok: true, bytes: request.bytes, version: request.bytes.length };
        if (request.kind === 'lookup') {
          return {
            ok: true,
            objects: [
              {
                home: t.localId,
                handle: log.length,
                rights: request.groups[0]?.rights ?? 0,
                object: descriptor(`${from}>${t.localId}:${request.name}`),
              },
            ],
          };
        }
        return { ok: true };
      };
    }

    it('gives every node a distinct, non-empty id', async () => {
      const ts = await connect(3);
      const ids = ts.map((t) => t.localId);
      for (const id of ids) expect(typeof id === 'string' && id.length > 0, `id ${String(id)}`).toBe(true);
      expect(new Set(ids).size).toBe(3);
    });

    it('delivers a request to the listener of the addressed node, naming the sender, and returns its reply', async () => {
      const ts = await connect(3);
      const logs = ts.map(() => [] as { from: string; request: PeerRequest }[]);
      ts.forEach((t, i) => t.listen(echo(t, logs[i])));
      for (const a of ts) {
        for (const b of ts) {
          if (a === b) continue;
          const token = `probe-${a.localId}-${b.localId}`;
          const reply = await within(
            a.request(b.localId, {
              kind: 'lookup',
              name: token,
              groups: [
                { key: 'g1', rights: 0b1011 },
                { key: 'g2', rights: 0b0001 },
              ],
            }),
            'request',
          );
          expect(reply.ok).toBe(true);
          const objects = (reply as Extract<PeerReply, { ok: true }>).objects ?? [];
          expect(objects).toHaveLength(1);
          expect(objects[0]!.home).toBe(b.localId);
          expect(objects[0]!.rights).toBe(0b1011);
          expect(objects[0]!.object.name).toBe(`${a.localId}>${b.localId}:${token}`);
        }
      }
      // Each node got exactly the requests addressed to it, from the right senders, unchanged.
      ts.forEach((b, i) => {
        const expected = ts
          .filter((a) => a !== b)
          .map((a) => ({
            from: a.localId,
            request: {
              kind: 'lookup',
              name: `probe-${a.localId}-${b.localId}`,
              groups: [
                { key: 'g1', rights: 0b1011 },
                { key: 'g2', rights: 0b0001 },
              ],
            },
          }));
        expect(logs[i]).toEqual(expected);
      });
    });

    it('carries every request kind and every reply shape intact', async () => {
      const [a, b] = await connect(2);
      const received: PeerRequest[] = [];
      let next = 0;
      const replies = sampleReplies();
      b!.listen(async (_from, request) => {
        received.push(request);
        return replies[next++ % replies.length]!;
      });
      const requests = sampleRequests(b!.localId);
      const got: PeerReply[] = [];
      for (const r of requests) got.push(await within(a!.request(b!.localId, r), `request ${r.kind}`));
      expect(received.length).toBe(requests.length);
      received.forEach((r, i) => expect(normalise(r), requests[i]!.kind).toEqual(normalise(requests[i]!)));
      got.forEach((r, i) => expect(normalise(r)).toEqual(normalise(replies[i % replies.length]!)));
      // Byte fields arrive as Uint8Arrays, not as arrays or base64 strings.
      const run = received.find((r) => r.kind === 'run') as Extract<PeerRequest, { kind: 'run' }>;
      expect(run.binary).toBeInstanceOf(Uint8Array);
      const withBytes = got.find((r) => r.ok && r.bytes !== undefined) as Extract<PeerReply, { ok: true }>;
      expect(withBytes.bytes).toBeInstanceOf(Uint8Array);
      // An error reply is a reply, not a rejection, and keeps its fields.
      const err = got.find((r) => !r.ok) as Extract<PeerReply, { ok: false }>;
      expect(err.error.code).toBe('ENOENT');
      expect(err.error.syscall).toBe('lookup');
      expect(err.error.argument).toBe('name');
    });

    it('carries Uint8Array payloads byte for byte: empty, every byte value, large', async () => {
      const [a, b] = await connect(2);
      b!.listen(echo(b!));
      const every = Uint8Array.from({ length: 512 }, (_, i) => i % 256);
      const large = new Uint8Array(1 << 20);
      for (let i = 0; i < large.length; i++) large[i] = (i * 2654435761) >>> 24;
      for (const bytes of [new Uint8Array(0), every, large]) {
        const reply = await within(a!.request(b!.localId, endWrite(bytes)), 'request');
        if (!reply.ok) throw new Error(`unexpected error reply ${JSON.stringify(reply.error)}`);
        expect(reply.bytes).toBeInstanceOf(Uint8Array);
        expect(reply.bytes!.length).toBe(bytes.length);
        expect(reply.version).toBe(bytes.length);
        expect(sameBytes(reply.bytes!, bytes)).toBe(true);
      }
    });

    it('gives the receiver a copy of request bytes: mutating either side does not affect the other', async () => {
      const [a, b] = await connect(2);
      let atReceiver: Uint8Array | undefined;
      b!.listen(async (_from, request) => {
        if (request.kind !== 'end-write') return { ok: true };
        atReceiver = request.bytes;
        return { ok: true };
      });
      const sent = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
      await within(a!.request(b!.localId, endWrite(sent)), 'request');
      expect(atReceiver).toBeDefined();
      expect([...atReceiver!]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      sent.fill(0xee);
      expect([...atReceiver!]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      atReceiver!.fill(0x11);
      expect([...sent]).toEqual(new Array(8).fill(0xee));
    });

    it('gives the requester a copy of reply bytes: the handler changing its buffer later does not affect it', async () => {
      const [a, b] = await connect(2);
      const kept = Uint8Array.from([9, 8, 7, 6]);
      b!.listen(async () => ({ ok: true, bytes: kept }));
      const reply = await within(
        a!.request(b!.localId, { kind: 'begin-read', handle: 1, offset: 0, length: 4, nonblock: true }),
        'request',
      );
      if (!reply.ok) throw new Error('unexpected error reply');
      kept.fill(0);
      expect([...reply.bytes!]).toEqual([9, 8, 7, 6]);
      reply.bytes!.fill(0x55);
      expect([...kept]).toEqual([0, 0, 0, 0]);
    });

    it('copies bytes backed by shared memory (a SharedArrayBuffer) instead of sharing them', async () => {
      const [a, b] = await connect(2);
      let atReceiver: Uint8Array | undefined;
      const replyShared = new Uint8Array(new SharedArrayBuffer(4));
      replyShared.set([4, 3, 2, 1]);
      b!.listen(async (_from, request) => {
        if (request.kind === 'end-write') atReceiver = request.bytes;
        return { ok: true, bytes: replyShared };
      });
      const sent = new Uint8Array(new SharedArrayBuffer(4));
      sent.set([1, 2, 3, 4]);
      const reply = await within(a!.request(b!.localId, endWrite(sent)), 'request');
      if (!reply.ok) throw new Error('unexpected error reply');
      expect([...atReceiver!]).toEqual([1, 2, 3, 4]);
      expect([...reply.bytes!]).toEqual([4, 3, 2, 1]);
      sent.fill(0);
      replyShared.fill(0);
      expect([...atReceiver!], 'the receiver sees the sender writing into its shared buffer').toEqual([1, 2, 3, 4]);
      expect([...reply.bytes!], 'the requester sees the handler writing into its shared buffer').toEqual([4, 3, 2, 1]);
    });

    it('sends only the bytes of a view, not the rest of the buffer it looks into', async () => {
      const [a, b] = await connect(2);
      let atReceiver: Uint8Array | undefined;
      b!.listen(async (_from, request) => {
        if (request.kind === 'end-write') atReceiver = request.bytes;
        return { ok: true };
      });
      // The sender's buffer holds a secret around the 4 bytes it sends.
      const backing = new Uint8Array(4096).fill(0xa5);
      const view = backing.subarray(2000, 2004);
      view.set([1, 2, 3, 4]);
      await within(a!.request(b!.localId, endWrite(view)), 'request');
      expect([...atReceiver!]).toEqual([1, 2, 3, 4]);
      const visible = new Uint8Array(atReceiver!.buffer);
      let secretRun = 0;
      let longest = 0;
      for (const byte of visible) {
        secretRun = byte === 0xa5 ? secretRun + 1 : 0;
        longest = Math.max(longest, secretRun);
      }
      expect(longest, 'bytes around the sent view reached the receiver').toBeLessThan(64);
    });

    it('rejects a request to an unknown node with EHOSTUNREACH', async () => {
      const [a, b] = await connect(2);
      b!.listen(echo(b!));
      await expectCode(
        a!.request(`no-such-node-${Math.random().toString(36).slice(2)}`, probe('x')),
        'EHOSTUNREACH',
        'request to an unknown node',
      );
      // The transport still works afterwards.
      expect((await within(a!.request(b!.localId, probe('y')), 'request')).ok).toBe(true);
    });

    it('rejects requests to and from a node that is taken down with EHOSTDOWN', async () => {
      const [a, b, c] = await connect(3);
      for (const t of [a!, b!, c!]) t.listen(echo(t));
      await network!.takeDown(b!.localId);
      await expectCode(a!.request(b!.localId, probe('to-down')), 'EHOSTDOWN', 'request to a node taken down');
      await expectCode(b!.request(c!.localId, probe('from-down')), 'EHOSTDOWN', 'request from a node taken down');
      // The others still reach each other.
      expect((await within(a!.request(c!.localId, probe('a-c')), 'request')).ok).toBe(true);
      expect((await within(c!.request(a!.localId, probe('c-a')), 'request')).ok).toBe(true);
    });

    it('fails a request that is pending when its target is taken down with EHOSTDOWN, without waiting for the handler', async () => {
      const [a, b] = await connect(2);
      let release: (() => void) | undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      cleanups.push(() => release!());
      let started = false;
      b!.listen(async () => {
        started = true;
        await gate;
        return { ok: true };
      });
      const pending = a!.request(b!.localId, probe('slow'));
      // Asserted below (EHOSTDOWN); this only keeps the rejection from counting as unhandled before then.
      pending.catch(() => {});
      await eventually('the handler started', () => started);
      await network!.takeDown(b!.localId);
      await expectCode(pending, 'EHOSTDOWN', 'the pending request');
    });

    it.runIf(common.canRestore === true)('reaches a node again once it is restored', async () => {
      const [a, b] = await connect(2);
      b!.listen(echo(b!));
      await network!.takeDown(b!.localId);
      await expectCode(a!.request(b!.localId, probe('down')), 'EHOSTDOWN', 'request while down');
      await network!.restore!(b!.localId);
      await eventually('the restored node is listed again', () => a!.peers().includes(b!.localId));
      expect((await within(a!.request(b!.localId, probe('up')), 'request')).ok).toBe(true);
    });

    it('lists the reachable peers, excluding itself, and drops nodes that are taken down or closed', async () => {
      const ts = await connect(4);
      for (const t of ts) t.listen(echo(t));
      const ids = ts.map((t) => t.localId);
      for (const t of ts) {
        await eventually(`${t.localId} lists every other node`, () =>
          sameSet(
            t.peers(),
            ids.filter((id) => id !== t.localId),
          ),
        );
        expect(t.peers()).not.toContain(t.localId);
      }
      await network!.takeDown(ids[1]!);
      await ts[3]!.close();
      for (const i of [0, 2]) {
        await eventually(`${ids[i]} lists only the live nodes`, () =>
          sameSet(
            ts[i]!.peers(),
            ids.filter((id, j) => j !== i && j !== 1 && j !== 3),
          ),
        );
      }
      // A closed node reaches no one.
      expect(ts[3]!.peers()).toEqual([]);
    });

    it('tells onPeerGone listeners once when a peer is taken down or closes, and not after they unsubscribe', async () => {
      const ts = await connect(4);
      for (const t of ts) t.listen(echo(t));
      const ids = ts.map((t) => t.localId);
      for (const t of ts) await eventually(`${t.localId} lists every other node`, () => t.peers().length === 3);
      const heard: string[][] = ts.map(() => []);
      const stops = ts.map((t, i) => t.onPeerGone((peer) => heard[i]!.push(peer)));
      stops[2]!();
      await network!.takeDown(ids[1]!);
      await eventually(`${ids[0]} hears that ${ids[1]} is gone`, () => heard[0]!.includes(ids[1]!));
      await ts[3]!.close();
      await eventually(`${ids[0]} hears that ${ids[3]} is gone`, () => heard[0]!.includes(ids[3]!));
      await sleep(50);
      expect(heard[0]!.filter((p) => p === ids[1]).length).toBe(1);
      expect(heard[0]!.filter((p) => p === ids[3]).length).toBe(1);
      // Unsubscribed: nothing more arrives.
      expect(heard[2]).toEqual([]);
      expect(heard[0]).not.toContain(ids[0]);
    });

    it('tells onPeerSeen listeners once when a node connects later, never about themselves, and not after they unsubscribe', async (ctx) => {
      const ts = await connect(3);
      if (network!.connectAnother === undefined) return ctx.skip('this network cannot connect a node later');
      for (const t of ts) t.listen(echo(t));
      for (const t of ts) await eventually(`${t.localId} lists every other node`, () => t.peers().length === 2);
      const heard: string[][] = ts.map(() => []);
      const stops = ts.map((t, i) => t.onPeerSeen((peer) => heard[i]!.push(peer)));
      stops[2]!();
      const late = await network!.connectAnother();
      late.listen(echo(late));
      for (const i of [0, 1])
        await eventually(`${ts[i]!.localId} sees ${late.localId}`, () => heard[i]!.includes(late.localId));
      // Seen means reachable: a request to the newcomer goes through.
      expect((await within(ts[0]!.request(late.localId, probe('hello')), 'request to the newcomer')).ok).toBe(true);
      await sleep(50);
      for (const i of [0, 1]) {
        expect(heard[i]!.filter((p) => p === late.localId)).toHaveLength(1);
        expect(heard[i]).not.toContain(ts[i]!.localId);
      }
      expect(heard[2]).toEqual([]);
    });

    it.runIf(common.canRestore === true)(
      'tells onPeerSeen listeners when a node found gone is reachable again',
      async () => {
        const [a, b, c] = await connect(3);
        for (const t of [a!, b!, c!]) t.listen(echo(t));
        for (const t of [a!, c!])
          await eventually(`${t.localId} lists ${b!.localId}`, () => t.peers().includes(b!.localId));
        const heard: string[] = [];
        const unheard: string[] = [];
        a!.onPeerSeen((peer) => heard.push(peer));
        c!.onPeerSeen((peer) => unheard.push(peer))();
        await network!.takeDown(b!.localId);
        await eventually(`${a!.localId} finds ${b!.localId} gone`, () => !a!.peers().includes(b!.localId));
        expect(heard).toEqual([]);
        await network!.restore!(b!.localId);
        await eventually(`${a!.localId} sees ${b!.localId} again`, () => heard.includes(b!.localId));
        expect(a!.peers()).toContain(b!.localId);
        await sleep(50);
        expect(heard).toEqual([b!.localId]);
        expect(unheard).toEqual([]);
      },
    );

    it('after close(), requests from the closed node fail, and requests to it fail with EHOSTDOWN', async () => {
      const [a, b, c] = await connect(3);
      for (const t of [a!, b!, c!]) t.listen(echo(t));
      expect((await within(a!.request(b!.localId, probe('before')), 'request')).ok).toBe(true);
      await b!.close();
      await expectCode(b!.request(a!.localId, probe('from-closed')), 'EHOSTDOWN', 'request from a closed node');
      await expectCode(a!.request(b!.localId, probe('to-closed')), 'EHOSTDOWN', 'request to a closed node');
      // Closing twice is harmless, and the others carry on.
      await b!.close();
      expect((await within(a!.request(c!.localId, probe('a-c')), 'request')).ok).toBe(true);
    });

    it('after close(), the closed node no longer receives requests', async () => {
      const [a, b] = await connect(2);
      const log: { from: string; request: PeerRequest }[] = [];
      b!.listen(echo(b!, log));
      await b!.close();
      // Whether the request fails, and how, is the contract of the test above; here only delivery counts.
      await a!.request(b!.localId, probe('late')).catch(() => {});
      await sleep(20);
      expect(log).toEqual([]);
    });

    it('answers many concurrent requests, each to its own caller, whatever order the handlers finish in', async () => {
      const ts = await connect(3);
      let seed = 12345;
      const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      for (const t of ts) {
        t.listen(async (from, request) => {
          if (request.kind !== 'end-write') return { ok: true };
          await sleep(Math.floor(random() * 15));
          // The reply carries the request's bytes reversed, the sender's id and the receiver's id.
          return {
            ok: true,
            bytes: request.bytes.slice().reverse(),
            object: descriptor(`${from}>${t.localId}`),
            version: request.handle,
          };
        });
      }
      const calls: Promise<void>[] = [];
      let n = 0;
      for (const a of ts) {
        for (const b of ts) {
          if (a === b) continue;
          for (let k = 0; k < 25; k++) {
            const id = ++n;
            const bytes = new TextEncoder().encode(`${a.localId}->${b.localId}#${id}`);
            calls.push(
              a
                .request(b.localId, {
                  kind: 'end-write',
                  handle: id,
                  lease: id,
                  bytes,
                  discard: false,
                  endOfStream: false,
                })
                .then((reply) => {
                  if (!reply.ok) throw new Error(`error reply ${JSON.stringify(reply.error)}`);
                  expect(reply.version).toBe(id);
                  expect(reply.object?.name).toBe(`${a.localId}>${b.localId}`);
                  expect(new TextDecoder().decode(reply.bytes!.slice().reverse())).toBe(
                    `${a.localId}->${b.localId}#${id}`,
                  );
                }),
            );
          }
        }
      }
      await within(Promise.all(calls), `${calls.length} concurrent requests`);
      expect(calls.length).toBe(150);
    });

    it('waits for a slow handler: a reply that takes a while still arrives', async () => {
      const [a, b] = await connect(2);
      b!.listen(async () => {
        await sleep(Math.min(300, settleMs / 2));
        return { ok: true, valid: true };
      });
      expect(await within(a!.request(b!.localId, probe('slow')), 'a slow request')).toEqual({ ok: true, valid: true });
    });

    it('matches replies to callers when the first request is answered last', async () => {
      const [a, b] = await connect(2);
      const gates: (() => void)[] = [];
      b!.listen(async (_from, request) => {
        await new Promise<void>((resolve) => gates.push(resolve));
        return { ok: true, handle: request.kind === 'release' ? request.handle : -1 };
      });
      const pending = [1, 2, 3, 4, 5].map((h) =>
        a!.request(b!.localId, { kind: 'release', handle: h, destroy: false }),
      );
      await eventually('all five requests reached the handler', () => gates.length === 5);
      for (const open of [...gates].reverse()) {
        open();
        await sleep(1);
      }
      const replies = await within(Promise.all(pending), 'five requests');
      expect(replies.map((r) => (r.ok ? r.handle : undefined))).toEqual([1, 2, 3, 4, 5]);
    });

    it('survives a handler that rejects or throws: the caller gets a DiosError or an error reply, and later requests work', async () => {
      const [a, b] = await connect(2);
      const handler = (_from: string, request: PeerRequest): Promise<PeerReply> => {
        // Not async: 'throw' throws synchronously instead of returning a rejected promise.
        if (request.kind === 'lookup' && request.name === 'throw') throw new RangeError('handler threw');
        if (request.kind === 'lookup' && request.name === 'reject') return Promise.reject(new TypeError('handler bug'));
        if (request.kind === 'lookup' && request.name === 'reject-dios')
          return Promise.reject(new DiosError('EIO', 'test', undefined, 'handler failed'));
        return Promise.resolve({ ok: true, handle: 7 });
      };
      b!.listen(handler);
      for (const name of ['reject', 'reject-dios', 'throw', 'reject']) {
        const outcome = await within(
          a!.request(b!.localId, probe(name)).then(
            (reply) => ({ reply, error: undefined as unknown }),
            (error: unknown) => ({ reply: undefined, error }),
          ),
          `request answered by a failing handler (${name})`,
        );
        if (outcome.reply !== undefined) {
          expect(outcome.reply.ok, 'a failing handler produced a success reply').toBe(false);
        } else {
          expect(
            outcome.error,
            `a failing handler's error reached the caller as ${String(outcome.error)}`,
          ).toBeInstanceOf(DiosError);
        }
        const after = await within(a!.request(b!.localId, probe('fine')), 'request after a handler failure');
        expect(after).toEqual({ ok: true, handle: 7 });
      }
    });
  });
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && new Set(a).size === a.length && b.every((x) => a.includes(x));
}

function descriptor(name: string): ObjectDescriptor {
  return { name, type: 'shared-memory-blob', lifecycle: 'refcounted', size: 3, version: 2, persistent: false };
}

function probe(name: string): PeerRequest {
  return { kind: 'lookup', name, groups: [] };
}

function endWrite(bytes: Uint8Array): PeerRequest {
  return { kind: 'end-write', handle: 1, lease: 1, bytes, discard: false, endOfStream: false };
}

/** Comparable form: Uint8Arrays as plain arrays, undefined fields dropped (a JSON-based codec may drop them). */
function normalise(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: [...value] };
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, normalise(v)]),
    );
  }
  return value;
}

function sampleRequests(peer: string): PeerRequest[] {
  const handle = {
    home: 'k-home',
    handle: 42,
    object: {
      ...descriptor('0'.repeat(64)),
      type: 'task' as const,
      task: { state: 'running' as const, exitStatus: undefined },
    },
  };
  return [
    {
      kind: 'lookup',
      name: 'ab'.repeat(32),
      groups: [
        { key: 'cd'.repeat(32), rights: 15 },
        { key: 'ef'.repeat(32), rights: 0b1001 },
      ],
    },
    { kind: 'release', handle: 3, destroy: true },
    { kind: 'begin-read', handle: 4, offset: 10, length: 4096, nonblock: false },
    { kind: 'end-read', handle: 4, lease: 17, release: true },
    { kind: 'begin-write', handle: 5, offset: 0, length: 7, truncate: true, nonblock: true },
    {
      kind: 'end-write',
      handle: 5,
      lease: 18,
      bytes: Uint8Array.from([0, 255, 128, 1]),
      discard: false,
      endOfStream: true,
    },
    { kind: 'end-write', handle: 5, lease: 19, bytes: Uint8Array.from([7]), at: 3, discard: false, endOfStream: false },
    { kind: 'write-part', handle: 5, lease: 19, at: 0, bytes: Uint8Array.from([1, 2, 3]) },
    { kind: 'watch', handle: 6, mode: 'write', timeoutMs: 2000 },
    { kind: 'share', handle: 7, peer, rights: 0b1001 },
    {
      kind: 'delegate',
      target: 8,
      refs: [
        { ref: handle, rights: 1 },
        { ref: { ...handle, handle: 43 }, rights: 15 },
      ],
    },
    {
      kind: 'run',
      binary: new TextEncoder().encode('#!dios-program x'),
      argv: ['x', 'ünïcødé', ''],
      env: { A: '1', EMPTY: '' },
      inputs: [{ ref: handle, rights: 1 }],
      outputs: [],
      groups: [{ key: '12'.repeat(32), rights: 0b1011 }],
      name: undefined,
      flags: 3,
    },
    {
      kind: 'run',
      binary: new TextEncoder().encode('#!dios-program y'),
      argv: ['y'],
      env: {},
      inputs: [],
      outputs: [{ ref: { ...handle, handle: 44 }, rights: 0b1010 }],
      groups: [],
      name: '34'.repeat(32),
      flags: 1,
    },
    { kind: 'pause', handle: 9, flags: 1 },
    { kind: 'revoked', handle: 10 },
  ];
}

function sampleReplies(): PeerReply[] {
  return [
    { ok: true },
    { ok: true, objects: [{ home: 'k', handle: 1, object: descriptor('x') }], handles: [1, 2, 3] },
    {
      ok: true,
      objects: [
        { home: 'k', handle: 2, rights: 0b1001, object: descriptor('z') },
        { home: 'k', handle: 3, rights: 15, object: descriptor('w') },
      ],
    },
    { ok: true, lease: 5, bytes: Uint8Array.from([3, 1, 4, 1, 5]), object: descriptor('y'), version: 9, valid: false },
    { ok: false, error: { code: 'ENOENT', syscall: 'lookup', argument: 'name', detail: 'nothing here' } },
    { ok: true, handle: 12, object: { ...descriptor('t'), type: 'task', task: { state: 'exited', exitStatus: 3 } } },
    { ok: true, valid: true, version: 0 },
  ];
}
