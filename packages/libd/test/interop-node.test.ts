/**
 * @dios/libd/node: Node Readable / Writable over FILEs and references, so
 * that pipeline() moves bytes between host streams and DIOS objects.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { DiosError, ObjectType } from '@dios/kernel';
import { chunks, fclose, fopen, fread, type FILE } from '@dios/libd';
import { toNodeReadable, toNodeWritable } from '@dios/libd/node';
import { blobWith, boot, contentOf, dec, expectErrno } from './stdio-helpers.js';

const bytes = (n: number, seed = 0) => Uint8Array.from({ length: n }, (_, i) => (i * 11 + seed) & 0xff);
const concat = (parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A Writable that collects what it is given. */
function collector(): { sink: Writable; got: Uint8Array[] } {
  const got: Uint8Array[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      got.push(new Uint8Array(chunk));
      callback();
    },
  });
  return { sink, got };
}

describe('@dios/libd/node', () => {
  it('pipeline from a Node Readable into a DIOS stream that another task reads', async () => {
    const { kernel, sys } = await boot();
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 4096 });
    const producer = await kernel.attachTask(['producer']);
    const consumer = await kernel.attachTask(['consumer']);
    const w = await fopen(producer, stream.name, 'w');
    const r = await fopen(consumer, stream.name, 'r');
    await sys.delete(stream.ref); // the stream ends when the producer's FILE closes
    const buffers = Array.from({ length: 40 }, (_, i) => Buffer.from(bytes(1000 + i, i)));
    const read = (async () => {
      const got: Uint8Array[] = [];
      for await (const chunk of chunks(r)) got.push(chunk);
      return concat(got);
    })();
    await pipeline(Readable.from(buffers), toNodeWritable(w));
    expect(w.closed).toBe(true);
    expect(await read).toEqual(concat(buffers));
    kernel.checkInvariants();
  });

  it('pipeline from a DIOS blob to a Node Writable, and strings through toNodeWritable', async () => {
    const { sys } = await boot();
    const content = bytes(30_000);
    const blob = await blobWith(sys, content);
    const { sink, got } = collector();
    await pipeline(toNodeReadable({ sys, ref: blob.ref }), sink);
    expect(concat(got)).toEqual(content);
    expect(sys.ref(blob.ref).open).toBe(true);

    const out = await blobWith(sys, '');
    await pipeline(Readable.from(['héllo ', 'wörld'], { objectMode: false }), toNodeWritable({ sys, ref: out.ref }));
    expect(dec(await contentOf(sys, out.ref))).toBe('héllo wörld');
  });

  it('copies a blob into a stream and back out between tasks, DIOS to DIOS', async () => {
    const { kernel, sys } = await boot();
    const content = bytes(100_000);
    const blob = await blobWith(sys, content);
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 1000 });
    const reader = await kernel.attachTask(['reader']);
    const r = await fopen(reader, stream.name, 'r');
    const w = await fopen(sys, { ref: stream.ref }, 'w');
    const { sink, got } = collector();
    await Promise.all([
      pipeline(toNodeReadable({ sys, ref: blob.ref }), toNodeWritable(w)).then(() => sys.delete(stream.ref)),
      pipeline(toNodeReadable(r), sink),
    ]);
    expect(concat(got)).toEqual(content);
    expect(r.closed).toBe(true);
    kernel.checkInvariants();
  });

  it('back-pressure: a slow DIOS reader holds up the Node producer', async () => {
    const { kernel, sys } = await boot();
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 1000 });
    const producer = await kernel.attachTask(['producer']);
    const consumer = await kernel.attachTask(['consumer']);
    const w = await fopen(producer, stream.name, 'w');
    const r = await fopen(consumer, stream.name, 'r');
    await sys.delete(stream.ref);
    let produced = 0;
    let consumed = 0;
    let most = 0;
    async function* source() {
      for (let i = 0; i < 200; i++) {
        produced += 500;
        most = Math.max(most, produced - consumed);
        yield Buffer.from(bytes(500, i));
      }
    }
    const writing = pipeline(
      Readable.from(source(), { objectMode: false, highWaterMark: 1000 }),
      toNodeWritable(w, { highWaterMark: 1000 }),
    );
    const buf = new Uint8Array(500);
    for (;;) {
      const n = await fread(r, buf);
      consumed += n;
      await tick();
      if (n < buf.length) break;
    }
    await writing;
    expect(consumed).toBe(100_000);
    // In flight: the Readable's and the Writable's buffers (1000 + a chunk each), the FILE's buffer (4096),
    // the ring (1000) and the reader's buffer (4096).
    expect(most).toBeLessThanOrEqual(2 * 1500 + 4096 + 1000 + 4096 + 500);
    expect(most).toBeGreaterThan(1000);
    kernel.checkInvariants();
  });

  it('propagates errors as stream errors, and closes the FILEs', async () => {
    const { sys } = await boot();
    const blob = await blobWith(sys, 'abc');
    const writeOnly: FILE = await fopen(sys, blob.name, 'w');
    const { sink } = collector();
    const readErr = await pipeline(toNodeReadable(writeOnly), sink).catch((e: unknown) => e);
    expect(readErr).toBeInstanceOf(DiosError);
    expect((readErr as DiosError).code).toBe('EBADF');
    expect(writeOnly.closed).toBe(true);

    const readOnly = await fopen(sys, blob.name, 'r');
    await expectErrno(
      pipeline(Readable.from([Buffer.from('x')]), toNodeWritable(readOnly)),
      'EBADF',
      'stream',
      'fwrite',
    );
    expect(readOnly.closed).toBe(true);

    // A failing source: the DIOS writer is destroyed, and its FILE closed with what was written.
    const out = await fopen(sys, blob.name, 'w');
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('source failed'));
      },
    });
    await expect(pipeline(failing, toNodeWritable(out))).rejects.toThrow('source failed');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(out.closed).toBe(true);

    await expectErrno(pipeline(toNodeReadable({ sys, ref: 999 }), collector().sink), 'EBADF', 'target.ref');
    await expectErrno(
      pipeline(Readable.from([Buffer.from('x')]), toNodeWritable({ sys, ref: 999 })),
      'EBADF',
      'target.ref',
    );
  });

  it('destroying a Readable early closes the FILE (or keeps it with close: false)', async () => {
    const { sys } = await boot();
    const blob = await blobWith(sys, bytes(50_000));
    const file = await fopen(sys, blob.name, 'r');
    const readable = toNodeReadable(file, { close: false });
    for await (const _ of readable) break;
    expect(file.closed).toBe(false);
    const closing = toNodeReadable(file);
    for await (const _ of closing) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(file.closed).toBe(true);
    await expectErrno(fclose(file), 'EBADF', 'stream');
  });
});
