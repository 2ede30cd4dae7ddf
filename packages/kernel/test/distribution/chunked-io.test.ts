/**
 * Remote blob I/O larger than one chunk (REMOTE_CHUNK_BYTES) travels as
 * several requests, a few in flight at once: a read as one begin-read per
 * chunk, each a lease held to end_read; a commit as write-part requests and
 * a final end-write. The bytes arrive whole, a commit at home between the
 * chunks makes the read invalid, and no lease is left behind.
 */
import { describe, expect, it } from 'vitest';
import { EndReadFlags, Kernel, type LoopbackTransport, type PeerRequest } from '@dios/kernel';
import { REMOTE_CHUNK_BYTES, REMOTE_WINDOW } from '@dios/kernel/testing';
import { blobWith, expectErrno, readAll, writeAll } from '../helpers.js';
import { cluster, expectBytes, proxyTaskOn, type Cluster } from './cluster.js';

/** Large byte arrays equal (expectBytes prints them, too slow for megabytes). */
function expectSame(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  expect(
    Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(
      Buffer.from(expected.buffer, expected.byteOffset, expected.length),
    ),
  ).toBe(true);
}

const SIZE = 2 * REMOTE_CHUNK_BYTES + 12_345;
// Enough chunks to fill the window.
const BIG = (REMOTE_WINDOW + 2) * REMOTE_CHUNK_BYTES + 12_345;

function pattern(n: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = (i * 31 + seed + (i >>> 13)) & 0xff;
  return bytes;
}

/** Wraps kernel `id`'s request handler: `seen` gets every request it serves, `before` runs first; maxInFlight counts the begin-reads being served at once. */
function watchRequests(c: Cluster, id: string, before?: (req: PeerRequest) => Promise<void>): PeerRequest[] {
  const t = c.link[id]!.transport as LoopbackTransport;
  const serve = t.handler!;
  const seen: PeerRequest[] = [];
  let inFlight = 0;
  t.handler = async (from, req) => {
    seen.push(req);
    const bulk = req.kind === 'begin-read';
    if (bulk) maxInFlight = Math.max(maxInFlight, ++inFlight);
    try {
      await before?.(req);
      return await serve(from, req);
    } finally {
      if (bulk) inFlight--;
    }
  };
  return seen;
}
let maxInFlight = 0;

describe('remote blob I/O larger than a chunk', () => {
  it('the chunk size is a boot option: an integer of bytes in [1, 256 MiB]', async () => {
    for (const bad of [0, -1, 1.5, 2 ** 40, '8' as unknown as number]) {
      await expectErrno(Kernel.boot({ remoteChunkBytes: bad }), 'EINVAL', 'options.remoteChunkBytes');
    }
    expect((await Kernel.boot()).remoteChunkBytes).toBe(REMOTE_CHUNK_BYTES);
    expect((await Kernel.boot({ remoteChunkBytes: 1 })).remoteChunkBytes).toBe(1);
  });

  it('a read comes in chunks, at most REMOTE_WINDOW in flight, byte for byte, and leaves no lease at home', async () => {
    const c = await cluster('a', 'b');
    const bytes = pattern(BIG, 7);
    const { name } = await blobWith(c.sys.b!, bytes);
    const [h] = await c.sys.a!.lookup(name);
    const seen = watchRequests(c, 'b');
    maxInFlight = 0;
    const { bytes: got, valid } = await readAll(c.sys.a!, h!);
    expect(valid).toBe(true);
    expectSame(got, bytes);
    const reads = seen.filter((r) => r.kind === 'begin-read');
    expect(reads.map((r) => (r as { length: number }).length)).toEqual([
      ...Array<number>(REMOTE_WINDOW + 2).fill(REMOTE_CHUNK_BYTES),
      12_345,
    ]);
    expect(seen.filter((r) => r.kind === 'end-read')).toHaveLength(REMOTE_WINDOW + 3);
    // Pipelined, within the window.
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(REMOTE_WINDOW);
    // A range from the middle, across a chunk edge.
    const mid = await readAll(c.sys.a!, h!, { offset: REMOTE_CHUNK_BYTES - 10, length: 20 });
    expectBytes(mid.bytes, bytes.subarray(REMOTE_CHUNK_BYTES - 10, REMOTE_CHUNK_BYTES + 10));
    c.check();
  });

  it('a commit at home between the chunks of a read makes it invalid; a release gives every chunk back', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await blobWith(c.sys.b!, pattern(SIZE, 1));
    const [h] = await c.sys.a!.lookup(name);
    let reads = 0;
    watchRequests(c, 'b', async (req) => {
      // Just before the second chunk is served, b commits a change.
      if (req.kind === 'begin-read' && ++reads === 2)
        await writeAll(c.sys.b!, ref, new Uint8Array([42]), { offset: 0 });
    });
    const view = await c.sys.a!.beginRead(h!);
    expect(view.length).toBe(SIZE);
    expect(await c.sys.a!.endRead(h!, view)).toBe(false);
    const again = await c.sys.a!.beginRead(h!);
    expect(await c.sys.a!.endRead(h!, again, EndReadFlags.RELEASE)).toBe(true);
    expect(proxyTaskOn(c.k.b!, 'a')).toBeDefined();
    c.check();
  });

  it('a commit larger than a chunk goes as write-part requests and one end-write, atomically', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await blobWith(c.sys.b!, pattern(100, 3));
    const [h] = await c.sys.a!.lookup(name);
    const seen = watchRequests(c, 'b');
    const bytes = pattern(SIZE, 9);
    await writeAll(c.sys.a!, h!, bytes, { truncate: true });
    expect(seen.filter((r) => r.kind === 'write-part').map((r) => (r as { at: number }).at)).toEqual([
      0,
      REMOTE_CHUNK_BYTES,
    ]);
    const end = seen.find((r) => r.kind === 'end-write') as { at?: number; bytes: Uint8Array };
    expect([end.at, end.bytes.length]).toEqual([2 * REMOTE_CHUNK_BYTES, 12_345]);
    const local = await readAll(c.sys.b!, ref);
    expectSame(local.bytes, bytes);
    // One commit: one version step at home.
    c.check();
  });
});
