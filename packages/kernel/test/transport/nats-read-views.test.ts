/**
 * Replies over NATS are decoded without copying their bytes (views of the
 * message); a remote read still lends the task bytes with a buffer of their
 * own, so nothing else of the reply (the object's description) can be
 * reached through the buffer, and bytes of several chunks come whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel, ObjectType } from '@dios/kernel';
import { connectNats, type NatsTransport } from '@dios/kernel/nats';
import { decodeFrame, encodeFrame } from '@dios/kernel/testing';
import { encodeFrameParts, JOIN_LIMIT } from '../../src/transport/nats/codec.js';
import { natsMissing, startNatsServer, type NatsServer } from '../support/nats-server.js';

const missing = natsMissing();
let server: NatsServer | undefined;

beforeAll(async () => {
  if (missing !== undefined) return;
  server = await startNatsServer({ config: 'max_payload: 1MB\n' });
}, 20_000);

afterAll(() => {
  server?.stop();
});

describe('decoding with views', () => {
  it('an array within one part is a view of it; one across parts is a copy; without views, every array is a copy', () => {
    const small = Uint8Array.of(1, 2, 3);
    const big = new Uint8Array(5000).map((_, i) => i & 0xff);
    const frame = encodeFrame({ small, big });
    const viewed = decodeFrame([frame], true) as { small: Uint8Array; big: Uint8Array };
    expect(viewed.small.buffer).toBe(frame.buffer);
    expect([...viewed.small]).toEqual([1, 2, 3]);
    const copied = decodeFrame(frame) as { small: Uint8Array };
    expect(copied.small.buffer).not.toBe(frame.buffer);
    expect(copied.small.buffer.byteLength).toBe(3);
    const parts = encodeFrameParts({ big }, 1024);
    expect(parts.length).toBeGreaterThan(4);
    const across = decodeFrame(parts, true) as { big: Uint8Array };
    expect(across.big.buffer.byteLength).toBe(5000);
    expect(Buffer.from(across.big).equals(Buffer.from(big))).toBe(true);
  });
});

describe('encoding in parts', () => {
  it('a frame above JOIN_LIMIT goes as views of its header and arrays; a smaller one as one copied message', () => {
    const big = new Uint8Array(JOIN_LIMIT + 1).fill(7);
    const parts = encodeFrameParts({ kind: 'x', big }, 1 << 20);
    expect(parts.length).toBe(2);
    expect(parts[1]!.buffer).toBe(big.buffer);
    const viewed = decodeFrame(parts, true) as { big: Uint8Array };
    expect(viewed.big.buffer).toBe(big.buffer);
    const small = new Uint8Array(100).fill(7);
    const one = encodeFrameParts({ small }, 1 << 20);
    expect(one.length).toBe(1);
    expect(one[0]!.buffer).not.toBe(small.buffer);
  });
});

describe.skipIf(missing !== undefined)('remote reads over NATS', () => {
  it('lend bytes with a buffer of their own, one chunk or several', async () => {
    const cluster = `views-${Math.random().toString(36).slice(2)}`;
    const transports: NatsTransport[] = [];
    try {
      const ka = await Kernel.boot({ id: 'a', cluster, remoteChunkBytes: 64 * 1024 });
      const kb = await Kernel.boot({ id: 'b', cluster, remoteChunkBytes: 64 * 1024 });
      for (const k of [ka, kb]) {
        const t = await connectNats({ servers: server!.url, id: k.id, cluster });
        transports.push(t);
        k.join(t);
      }
      while (transports.some((t) => t.peers().length === 0)) await new Promise((r) => setTimeout(r, 20));
      const sa = await ka.attachTask(['a']);
      const sb = await kb.attachTask(['b']);
      const bytes = new Uint8Array(300 * 1024).map((_, i) => (i * 13) & 0xff);
      const { name, ref } = await sb.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
      const w = await sb.beginWrite(ref, bytes.length);
      w.set(bytes);
      await sb.endWrite(ref, w);
      const [remote] = await sa.lookup(name);
      for (const length of [10, 64 * 1024, bytes.length]) {
        const lent = await sa.beginRead(remote!, { offset: 0, length });
        expect([lent.byteOffset, lent.buffer.byteLength]).toEqual([0, length]);
        expect(Buffer.from(lent).equals(Buffer.from(bytes.subarray(0, length)))).toBe(true);
        expect(await sa.endRead(remote!, lent)).toBe(true);
      }
    } finally {
      for (const t of transports) await t.close();
    }
  }, 30_000);
});
