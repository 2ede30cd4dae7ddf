/**
 * libd's interop adapters in any runtime: chunks (async iteration) and the
 * WHATWG ReadableStream / WritableStream adapters, over blobs, streams
 * between tasks, and FILEs.
 */
import { describe, expect, it } from 'vitest';
import { DiosError, ObjectType } from '@dios/kernel';
import { chunks, fclose, fopen, fputs, fread, fwrite, toReadableStream, toWritableStream, type FILE } from '@dios/libd';
import { blobWith, boot, contentOf, dec, enc, expectErrno } from './stdio-helpers.js';

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
const concat = (parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Reads a FILE to its end with fread, `size` bytes at a time, calling `each` after every read. */
async function drain(
  file: FILE,
  size: number,
  each: (n: number) => Promise<void> = async () => {},
): Promise<Uint8Array> {
  const got: Uint8Array[] = [];
  const buf = new Uint8Array(size);
  for (;;) {
    const n = await fread(file, buf);
    got.push(buf.slice(0, n));
    await each(n);
    if (n < size) return concat(got);
  }
}

describe('chunks', () => {
  it('iterates a blob reference in chunks of its readBufferSize; the reference stays open', async () => {
    const { kernel, sys } = await boot();
    const content = bytes(10_000);
    const blob = await blobWith(sys, content, { readBufferSize: 4096 });
    const sizes: number[] = [];
    const got: Uint8Array[] = [];
    for await (const chunk of chunks({ sys, ref: blob.ref })) {
      sizes.push(chunk.length);
      got.push(chunk);
    }
    expect(sizes).toEqual([4096, 4096, 1808]);
    expect(concat(got)).toEqual(content);
    expect(sys.ref(blob.ref).open).toBe(true);
    kernel.checkInvariants();
  });

  it("yields a stream's bytes as they arrive, written by another task, and ends with the stream", async () => {
    const { kernel, sys } = await boot();
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM);
    const producer = await kernel.attachTask(['producer']);
    const w = await fopen(producer, stream.name, 'w');
    const r = await fopen(sys, stream.name, 'r');
    await sys.delete(stream.ref);
    const seen: string[] = [];
    const iterate = (async () => {
      for await (const chunk of chunks(r)) seen.push(dec(chunk));
    })();
    await fputs(w, 'one\n');
    await fclose(w).then(() => {}); // closing the only writer ends the stream
    await iterate;
    expect(seen.join('')).toBe('one\n');
    expect(r.closed).toBe(true); // close defaults to true
    kernel.checkInvariants();
  });

  it('stops early with break, closing the FILE unless told not to', async () => {
    const { sys } = await boot();
    const blob = await blobWith(sys, bytes(20_000));
    const kept = await fopen(sys, blob.name, 'r');
    for await (const chunk of chunks(kept, { close: false })) {
      expect(chunk.length).toBe(4096);
      break;
    }
    expect(kept.closed).toBe(false);
    const rest = await drain(kept, 100_000);
    expect(rest).toEqual(bytes(20_000).subarray(4096));
    for await (const _ of chunks(kept)) break;
    expect(kept.closed).toBe(true);
  });

  it('throws read failures from the iteration, and closes the FILE', async () => {
    const { sys } = await boot();
    const blob = await blobWith(sys, 'x');
    const writeOnly = await fopen(sys, blob.name, 'w');
    await expectErrno(
      (async () => {
        for await (const _ of chunks(writeOnly)) void _;
      })(),
      'EBADF',
      'stream',
      'chunks',
    );
    expect(writeOnly.closed).toBe(true);
    await expectErrno(chunks({ sys, ref: 999 }).next(), 'EBADF', 'target.ref');
    await expectErrno(chunks(42 as never).next(), 'EINVAL', 'source');
  });
});

describe('web streams', () => {
  it('new Response(toReadableStream(file)).text() reads a whole blob as UTF-8', async () => {
    const { sys } = await boot();
    const text = 'grüße, 世界 🌍\n'.repeat(1000);
    const blob = await blobWith(sys, text);
    const file = await fopen(sys, blob.name, 'r');
    expect(await new Response(toReadableStream(file)).text()).toBe(text);
    expect(file.closed).toBe(true);
  });

  it('pipes a ReadableStream into a stream FILE that another task reads', async () => {
    const { kernel, sys } = await boot();
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 1000 });
    const producer = await kernel.attachTask(['producer']);
    const consumer = await kernel.attachTask(['consumer']);
    const w = await fopen(producer, stream.name, 'w');
    const r = await fopen(consumer, stream.name, 'r');
    await sys.delete(stream.ref);
    const content = bytes(50_000);
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < content.length; at += 3000) controller.enqueue(content.slice(at, at + 3000));
        controller.close();
      },
    });
    const [, got] = await Promise.all([source.pipeTo(toWritableStream(w)), drain(r, 2048)]);
    expect(got).toEqual(content);
    expect(w.closed).toBe(true);
    await fclose(r);
    kernel.checkInvariants();
  });

  it('writes to a blob reference with mode w (emptying it) or a, keeping the reference', async () => {
    const { sys } = await boot();
    const blob = await blobWith(sys, 'old content');
    const writer = toWritableStream({ sys, ref: blob.ref }).getWriter();
    await writer.write(enc('hello '));
    await writer.close();
    const appender = toWritableStream({ sys, ref: blob.ref }, { mode: 'a' }).getWriter();
    await appender.write(enc('world'));
    await appender.close();
    expect(dec(await contentOf(sys, blob.ref))).toBe('hello world');
  });

  it('applies back-pressure: a slow reader bounds what the writer has in flight', async () => {
    const { kernel, sys } = await boot();
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 1000 });
    const producer = await kernel.attachTask(['producer']);
    const consumer = await kernel.attachTask(['consumer']);
    const w = await fopen(producer, stream.name, 'w');
    const r = await fopen(consumer, stream.name, 'r');
    await sys.delete(stream.ref);
    let accepted = 0;
    let consumed = 0;
    let most = 0;
    const writer = toWritableStream(w, { highWaterMark: 2000 }).getWriter();
    const produce = (async () => {
      for (let i = 0; i < 200; i++) {
        await writer.ready; // a well-behaved producer waits when the stream says so
        void writer.write(bytes(500));
        accepted += 500;
        most = Math.max(most, accepted - consumed);
      }
      await writer.close();
    })();
    const got = await drain(r, 500, async (n) => {
      consumed += n;
      await tick();
    });
    await produce;
    expect(got.length).toBe(100_000);
    // In flight: the writer's queue (2000 + one chunk), the FILE's buffer (4096), the ring (1000), the reader's buffer (4096).
    expect(most).toBeLessThanOrEqual(2500 + 4096 + 1000 + 4096);
    expect(most).toBeGreaterThan(2000);
    kernel.checkInvariants();
  });

  it('errors the streams on failure: a read, a write, a chunk of the wrong type', async () => {
    const { sys } = await boot();
    const blob = await blobWith(sys, 'abc');
    const writeOnly = await fopen(sys, blob.name, 'w');
    const err = await new Response(toReadableStream(writeOnly)).text().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiosError);
    expect((err as DiosError).code).toBe('EBADF');

    const readOnly = await fopen(sys, blob.name, 'r');
    const writer = toWritableStream(readOnly).getWriter();
    await expectErrno(writer.write(enc('x')), 'EBADF', 'stream', 'fwrite');
    await expectErrno(writer.closed, 'EBADF');

    const other = toWritableStream({ sys, ref: blob.ref }).getWriter();
    await expectErrno(other.write('text' as never), 'EINVAL', 'chunk');

    await expectErrno(toWritableStream({ sys, ref: 999 }).getWriter().closed, 'EBADF', 'target.ref');
  });

  it('cancelling a ReadableStream closes the FILE; close: false only flushes on close', async () => {
    const { sys } = await boot();
    const blob = await blobWith(sys, bytes(10_000));
    const file = await fopen(sys, blob.name, 'r');
    const reader = toReadableStream(file).getReader();
    expect((await reader.read()).value!.length).toBe(4096);
    await reader.cancel();
    expect(file.closed).toBe(true);

    const out = await fopen(sys, blob.name, 'w');
    const writer = toWritableStream(out, { close: false }).getWriter();
    await writer.write(enc('kept open'));
    await writer.close();
    expect(out.closed).toBe(false);
    expect(dec(await contentOf(sys, blob.ref))).toBe('kept open');
    await fwrite(out, enc('!'));
    await fclose(out);
    expect(dec(await contentOf(sys, blob.ref))).toBe('kept open!');
  });
});
