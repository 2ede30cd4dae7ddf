import { describe, expect, it } from 'vitest';
import { EndWriteFlags, ObjectType } from '@dios/kernel';
import { fclose, feof, ferror, fgetc, fgets, fopen, fputs, fread, fwrite, EOF } from '@dios/libd';
import { boot, dec, enc, intercepted, put } from './stdio-helpers.js';

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 13 + 5) & 0xff);

describe('stdio over a stream', () => {
  it('carries a large transfer between two tasks; writes are split to fit the ring, whose size is not visible', async () => {
    const { kernel, sys } = await boot();
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 1000 });
    const producer = await kernel.attachTask(['producer']);
    const consumer = await kernel.attachTask(['consumer']);
    const pieces: number[] = [];
    const watched = intercepted(producer, {
      beginWrite: (real, handle, length, options, flags) => (
        pieces.push(length),
        real.beginWrite(handle, length, options, flags)
      ),
    });
    const w = await fopen(watched, stream.name, 'w');
    const r = await fopen(consumer, stream.name, 'r');
    await sys.delete(stream.ref); // from now on, the stream ends when the producer's FILE closes
    const content = bytes(100_000);
    const produce = (async () => {
      for (let at = 0; at < content.length; at += 7000) await fwrite(w, content.subarray(at, at + 7000));
      await fclose(w);
    })();
    const got: number[] = [];
    const buf = new Uint8Array(3000);
    for (;;) {
      const n = await fread(r, buf);
      got.push(...buf.subarray(0, n));
      if (n < buf.length) break;
    }
    await produce;
    expect(Uint8Array.from(got)).toEqual(content);
    expect([feof(r), ferror(r)]).toEqual([true, false]);
    // The reference advises 4096-byte writes; the ring takes at most 1000: 4096, 2048 and 1024 were refused.
    expect(pieces.slice(0, 4)).toEqual([4096, 2048, 1024, 512]);
    expect(Math.max(...pieces.slice(3))).toBe(512);
    await fclose(r);
    kernel.checkInvariants();
  });

  it("writes pieces of the reference's writeBufferSize when the ring takes them", async () => {
    const { kernel, sys } = await boot();
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 4096, writeBufferSize: 100 });
    const pieces: number[] = [];
    const watched = intercepted(sys, {
      beginWrite: (real, handle, length, options, flags) => (
        pieces.push(length),
        real.beginWrite(handle, length, options, flags)
      ),
    });
    const w = await fopen(watched, { ref: stream.ref }, 'w');
    await fwrite(w, bytes(250));
    expect(pieces).toEqual([100, 100, 50]);
    await fclose(w);
    const lent = await sys.beginRead(stream.ref);
    expect(lent).toEqual(bytes(250));
    await sys.endRead(stream.ref, lent);
    kernel.checkInvariants();
  });

  it('fread waits until the buffer is full or the stream ends; fgets returns lines that arrive in pieces', async () => {
    const { kernel, sys } = await boot();
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM);
    const r = await fopen(sys, { ref: stream.ref }, 'r');
    const buf = new Uint8Array(6);
    let done = false;
    const reading = fread(r, buf).then((n) => ((done = true), n));
    await put(sys, stream.ref, 'abc');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(done).toBe(false);
    await put(sys, stream.ref, 'def');
    expect(await reading).toBe(6);
    expect(dec(buf)).toBe('abcdef');
    const line = fgets(r, 100);
    await put(sys, stream.ref, 'hel');
    await put(sys, stream.ref, 'lo\nrest');
    expect(await line).toBe('hello\n');
    await put(sys, stream.ref, '', EndWriteFlags.END_OF_STREAM);
    expect(await fgets(r, 100)).toBe('rest');
    expect(await fgetc(r)).toBe(EOF);
    expect(feof(r)).toBe(true);
    await fclose(r);
    kernel.checkInvariants();
  });

  it('r+ on a stream reads back its own writes (pending output goes out before a read waits)', async () => {
    const { kernel, sys } = await boot();
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM);
    const f = await fopen(sys, { ref: stream.ref }, 'r+');
    await fputs(f, 'echo\n');
    expect(await fgets(f, 100)).toBe('echo\n');
    await fclose(f);
    kernel.checkInvariants();
  });

  it('a stream read of 0 bytes is the end: feof is set and reads stop', async () => {
    const { kernel, sys } = await boot();
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM);
    const f = await fopen(sys, { ref: stream.ref }, 'r');
    await put(sys, stream.ref, 'x', EndWriteFlags.END_OF_STREAM);
    expect(await fread(f, new Uint8Array(4))).toBe(1);
    expect(feof(f)).toBe(true);
    expect(await fread(f, new Uint8Array(4))).toBe(0);
    expect(await fgets(f, 10)).toBeNull();
    await fclose(f);
    kernel.checkInvariants();
  });

  it('UTF-8 characters split across stream writes are read whole', async () => {
    const { kernel, sys } = await boot();
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { readBufferSize: 4 });
    const f = await fopen(sys, { ref: stream.ref }, 'r');
    const text = enc('a😀é\n');
    const line = fgets(f, 10);
    for (const b of text) await put(sys, stream.ref, Uint8Array.of(b));
    expect(await line).toBe('a😀é\n');
    await fclose(f);
    kernel.checkInvariants();
  });
});
