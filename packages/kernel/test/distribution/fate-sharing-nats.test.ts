/**
 * Fate sharing end to end over a real nats-server: a kernel whose NATS
 * connection drops without a goodbye (a crash) is found gone through
 * liveness, and both sides apply fate sharing within the deadline. Also
 * copy with MAKE_LOCAL of a large blob over NATS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { CopyFlags, EXIT_PEER_GONE, Kernel, ObjectType, programBinary, type SystemCalls } from '@dios/kernel';
import type { PeerLink } from '@dios/kernel/testing';
import { NatsTransport } from '@dios/kernel/nats';
import { blobWith, enc, expectErrno, flush, track, writeAll } from '../helpers.js';
import { expectBytes, proxyTaskOn } from './cluster.js';
import { natsMissing, startNatsServer, type NatsServer } from '../support/nats-server.js';

// Fast liveness: a crashed node is gone within DEAD_MS plus a sweep period.
const HEARTBEAT_MS = 100;
const DEAD_MS = 600;
const BOUND_MS = DEAD_MS + DEAD_MS / 4 + 600;

const missing = natsMissing();
let server: NatsServer | undefined;
let clusters = 0;

beforeAll(async () => {
  if (missing !== undefined) return;
  server = await startNatsServer();
}, 20_000);

afterAll(() => {
  server?.stop();
});

interface Node {
  kernel: Kernel;
  sys: SystemCalls;
  transport: NatsTransport;
  /** Drops the connection without a goodbye, as a crash would. */
  crash(): Promise<void>;
}

async function node(id: string, cluster: string): Promise<Node> {
  const kernel = await Kernel.boot({ id, cluster });
  const nc: NatsConnection = await connect({ servers: server!.url });
  const transport = new NatsTransport(nc, {
    id,
    cluster,
    requestTimeoutMs: 5000,
    heartbeatMs: HEARTBEAT_MS,
    deadMs: DEAD_MS,
  });
  kernel.join(transport);
  return { kernel, sys: await kernel.attachTask([`host-${id}`]), transport, crash: () => nc.close() };
}

async function meshed(nodes: Node[]): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!nodes.every((n) => nodes.every((m) => m === n || n.transport.peers().includes(m.kernel.id)))) {
    if (Date.now() > deadline) throw new Error('the nodes did not hear each other within 3 s');
    await flush(10);
  }
}

/** Runs `use` with two nodes of a fresh cluster that hear each other; closes both after. */
async function twoNodes(use: (a: Node, b: Node) => Promise<void>): Promise<void> {
  const cluster = `fate-${process.pid}-${++clusters}`;
  const a = await node('a', cluster);
  const b = await node('b', cluster);
  try {
    await meshed([a, b]);
    await use(a, b);
  } finally {
    await a.transport.close();
    await b.transport.close();
  }
}

async function within(what: string, ms: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not ${what} within ${ms} ms`);
    await flush(10);
  }
}

describe.skipIf(missing !== undefined)('fate sharing over NATS', () => {
  it('the home crashes: a read pending there and a select on a task there end with EHOSTDOWN within the deadline', async () => {
    await twoNodes(async (a, b) => {
      b.kernel.registerProgram('idle', () => new Promise<never>(() => {}));
      const bin = await blobWith(a.sys, programBinary('idle'));
      const t = await a.sys.run(bin.ref, { argv: ['idle'], kernel: 'b' });
      const stream = await b.sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
      const [h] = await a.sys.lookup(stream.name);
      const reading = track(a.sys.beginRead(h!));
      const waiting = track(a.sys.select([t], { timeoutMs: 10_000 }));
      await flush(50);
      expect(reading.settled).toBe(false);
      expect(waiting.settled).toBe(false);
      const crashedAt = Date.now();
      await b.crash();
      await within('the pending read failed', BOUND_MS, () => reading.settled && waiting.settled);
      expect(Date.now() - crashedAt).toBeLessThan(BOUND_MS);
      expect(reading.error).toMatchObject({ code: 'EHOSTDOWN', syscall: 'beginRead', argument: 'ref' });
      expect(waiting.value).toBe(t);
      expect(a.sys.ref(t).task).toBeUndefined();
      await expectErrno(a.sys.beginWrite(h!, 1), 'EHOSTDOWN', 'ref');
      await expectErrno(a.sys.pause(t), 'EHOSTDOWN', 'task');
      await a.sys.delete(h!);
      await a.sys.delete(t);
      expect((a.kernel.distribution as PeerLink).remoteCount).toBe(0);
      a.kernel.checkInvariants();
    });
  });

  it('the client crashes: its task at the home is stopped, its handles there closed and its lease given back', async () => {
    await twoNodes(async (a, b) => {
      b.kernel.registerProgram('idle', () => new Promise<never>(() => {}));
      const bin = await blobWith(a.sys, programBinary('idle'));
      const stream = await b.sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
      const [h] = await a.sys.lookup(stream.name);
      await a.sys.run(bin.ref, { argv: ['idle-fate'], inputs: [h!], kernel: 'b' });
      // a holds the stream's one write lease.
      await a.sys.beginWrite(h!, 4);
      await expectErrno(b.sys.beginWrite(stream.ref, 1, {}, 1 /* NONBLOCK */), 'EAGAIN');
      const task = [...b.kernel.tasks.values()].find((x) => x.setup.argv[0] === 'idle-fate')!;
      const streamObj = b.kernel.objects.get(stream.name.key)!;
      expect(streamObj.refCount).toBe(3);
      await a.crash();
      await within('b stopped a’s task', BOUND_MS, () => task.state === 'exited');
      expect(task.exitStatus).toBe(EXIT_PEER_GONE);
      expect(proxyTaskOn(b.kernel, 'a')).toBeUndefined();
      expect(streamObj.refCount).toBe(1);
      const w = await b.sys.beginWrite(stream.ref, 2, {}, 1 /* NONBLOCK */);
      w.set(enc('ok'));
      await b.sys.endWrite(stream.ref, w);
      expectBytes(await b.sys.beginRead(stream.ref, {}, 1), enc('ok'));
      b.kernel.checkInvariants();
    });
  });

  it('copy with MAKE_LOCAL fetches a 64 MiB blob from the other node into a local copy', async () => {
    // The bytes are made before the nodes start: filling 64 MiB can hold the event loop past DEAD_MS on a loaded
    // machine, and two nodes in one process that miss each other's heartbeats that long drop each other.
    const size = 64 * 1024 * 1024;
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 13 + (i >>> 16)) & 0xff;
    await twoNodes(async (a, b) => {
      const orig = await b.sys.create(ObjectType.SHARED_MEMORY_BLOB);
      await writeAll(b.sys, orig.ref, bytes);
      await meshed([a, b]);
      const [h] = await a.sys.lookup(orig.name);
      const [local] = await a.sys.copy([h!], a.sys.self, {}, CopyFlags.MAKE_LOCAL);
      const view = a.sys.ref(local!);
      expect(view.proximity).toBe('local-memory');
      expect(view.size).toBe(size);
      const got = await a.sys.beginRead(local!);
      expect(Buffer.compare(Buffer.from(got.buffer, got.byteOffset, got.length), Buffer.from(bytes.buffer))).toBe(0);
      await a.sys.endRead(local!, got);
      a.kernel.checkInvariants();
      b.kernel.checkInvariants();
    });
  }, 60_000);
});
