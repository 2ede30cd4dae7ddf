/**
 * Streams across kernels over loopback: select on a remote stream, reading a
 * remote stream to end-of-stream, writing into one.
 */
import { describe, expect, it } from 'vitest';
import { BeginReadFlags, EndWriteFlags, ObjectType, SelectFlags } from '@dios/kernel';
import { dec, enc, expectErrno, flush, track } from '../helpers.js';
import { cluster, expectBytes, until } from './cluster.js';

describe('select on a remote stream', () => {
  it('blocks while the stream is empty and wakes when the home kernel writes', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 64 });
    const [h] = await c.sys.a!.lookup(name);
    expect(c.sys.a!.ref(h!).proximity).toBe('remote-memory-1hop');
    const waiting = track(c.sys.a!.select([h!], { timeoutMs: 1500 }));
    await flush(30);
    expect(waiting.settled).toBe(false);
    const buf = await c.sys.b!.beginWrite(ref, 5);
    buf.set(enc('ready'));
    await c.sys.b!.endWrite(ref, buf);
    expect(await waiting.promise).toBe(h);
    // The data is there to read.
    const got = await c.sys.a!.beginRead(h!, {}, BeginReadFlags.NONBLOCK);
    expectBytes(got, enc('ready'));
    await c.sys.a!.endRead(h!, got);
    expect(c.k.b!.objects.get(name.key)!.size).toBe(0);
    c.check();
  });

  it('times out on a remote stream nobody writes', async () => {
    const c = await cluster('a', 'b');
    const { name } = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 64 });
    const [h] = await c.sys.a!.lookup(name);
    const start = Date.now();
    await expectErrno(c.sys.a!.select([h!], { timeoutMs: 60 }), 'ETIMEDOUT');
    expect(Date.now() - start).toBeGreaterThanOrEqual(55);
    c.check();
  });

  it('returns the ready one among a local and a remote stream', async () => {
    const c = await cluster('a', 'b');
    const local = await c.sys.a!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 64 });
    const far = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 64 });
    const [h] = await c.sys.a!.lookup(far.name);
    const waiting = track(c.sys.a!.select([local.ref, h!], { timeoutMs: 1500 }));
    await flush(20);
    expect(waiting.settled).toBe(false);
    const buf = await c.sys.b!.beginWrite(far.ref, 1);
    await c.sys.b!.endWrite(far.ref, buf);
    expect(await waiting.promise).toBe(h);
    c.check();
  });

  it('wakes a select for writing on a full remote stream when the home kernel reads', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 4 });
    const [h] = await c.sys.a!.lookup(name);
    const buf = await c.sys.a!.beginWrite(h!, 4);
    buf.set(enc('full'));
    await c.sys.a!.endWrite(h!, buf);
    await expectErrno(c.sys.a!.beginWrite(h!, 1, {}, 1 /* NONBLOCK */), 'EAGAIN');
    const waiting = track(c.sys.a!.select([h!], { timeoutMs: 1500 }, SelectFlags.WRITE));
    await flush(20);
    expect(waiting.settled).toBe(false);
    const r = await c.sys.b!.beginRead(ref);
    expectBytes(r, enc('full'));
    await c.sys.b!.endRead(ref, r);
    expect(await waiting.promise).toBe(h);
    c.check();
  });

  it('a select on a remote stream ends when the home kernel deletes it (single-delete)', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM, {
      capacity: 8,
      lifecycle: 'single-delete',
    });
    const [h] = await c.sys.a!.lookup(name);
    const waiting = track(c.sys.a!.select([h!], { timeoutMs: 1500 }));
    await flush(20);
    await c.sys.b!.delete(ref);
    await until('the select ended', () => waiting.settled, 1500);
    expect(waiting.error).toBeDefined();
    expect((waiting.error as { code?: string }).code).toBe('EBADF');
    c.check();
  });
});

describe('reading and writing remote streams', () => {
  it('reads a remote stream to end-of-stream while the home kernel writes it', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 16 });
    const [h] = await c.sys.a!.lookup(name);
    const chunks = ['alpha ', 'beta ', 'gamma ', 'delta ', 'epsilon'];
    const writer = (async () => {
      for (const [i, chunk] of chunks.entries()) {
        const bytes = enc(chunk);
        const buf = await c.sys.b!.beginWrite(ref, bytes.length);
        buf.set(bytes);
        await c.sys.b!.endWrite(ref, buf, {}, i === chunks.length - 1 ? EndWriteFlags.END_OF_STREAM : 0);
        await flush(2);
      }
    })();
    let text = '';
    let reads = 0;
    for (;;) {
      const buf = await c.sys.a!.beginRead(h!, { length: 8 });
      expect(buf.length).toBeLessThanOrEqual(8);
      const part = dec(buf);
      await c.sys.a!.endRead(h!, buf);
      if (part.length === 0) break;
      text += part;
      expect(++reads).toBeLessThan(100);
    }
    await writer;
    expect(text).toBe(chunks.join(''));
    // End-of-stream stays: another read returns nothing at once.
    const more = await c.sys.a!.beginRead(h!, {}, BeginReadFlags.NONBLOCK);
    expect(more.length).toBe(0);
    await c.sys.a!.endRead(h!, more);
    c.check();
  });

  it('a remote read that releases its buffer consumes nothing at home', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 16 });
    const [h] = await c.sys.a!.lookup(name);
    const w = await c.sys.b!.beginWrite(ref, 3);
    w.set(enc('abc'));
    await c.sys.b!.endWrite(ref, w);
    const peek = await c.sys.a!.beginRead(h!);
    expectBytes(peek, enc('abc'));
    await c.sys.a!.endRead(h!, peek, 1 /* RELEASE */);
    expect(c.k.b!.objects.get(name.key)!.size).toBe(3);
    const take = await c.sys.a!.beginRead(h!, { length: 2 });
    expectBytes(take, enc('ab'));
    await c.sys.a!.endRead(h!, take);
    expect(c.k.b!.objects.get(name.key)!.size).toBe(1);
    c.check();
  });

  it('writes a remote stream and ends it; the home kernel reads everything then end-of-stream', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
    const [h] = await c.sys.a!.lookup(name);
    const payload = 'the quick brown fox';
    const writer = (async () => {
      const bytes = enc(payload);
      for (let off = 0; off < bytes.length; off += 5) {
        const part = bytes.subarray(off, Math.min(off + 5, bytes.length));
        const buf = await c.sys.a!.beginWrite(h!, part.length);
        buf.set(part);
        await c.sys.a!.endWrite(h!, buf, {}, off + 5 >= bytes.length ? EndWriteFlags.END_OF_STREAM : 0);
      }
    })();
    let text = '';
    for (;;) {
      const buf = await c.sys.b!.beginRead(ref);
      const part = dec(buf);
      await c.sys.b!.endRead(ref, buf);
      if (part.length === 0) break;
      text += part;
    }
    await writer;
    expect(text).toBe(payload);
    // Writing after end-of-stream is refused at home and reported remotely.
    await expectErrno(c.sys.a!.beginWrite(h!, 1), 'EPIPE');
    c.check();
  });

  it('a blocked remote read fails with EBADF when its reference is deleted, and the home lease is returned', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
    const [h] = await c.sys.a!.lookup(name);
    const reading = track(c.sys.a!.beginRead(h!));
    await flush(20);
    expect(reading.settled).toBe(false);
    await c.sys.a!.delete(h!);
    // The blocked read at home ends when its proxy reference is released.
    await until('the blocked remote read ended', () => reading.settled, 1500);
    expect((reading.error as { code?: string } | undefined)?.code).toBe('EBADF');
    // The stream is usable at home: nobody holds a read lease.
    const w = await c.sys.b!.beginWrite(ref, 2);
    w.set(enc('ok'));
    await c.sys.b!.endWrite(ref, w);
    const r = await c.sys.b!.beginRead(ref, {}, BeginReadFlags.NONBLOCK);
    expectBytes(r, enc('ok'));
    await c.sys.b!.endRead(ref, r);
    c.check();
  });
});
