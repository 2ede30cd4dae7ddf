import { describe, expect, it } from 'vitest';
import {
  BeginReadFlags,
  BeginWriteFlags,
  DEFAULT_STREAM_CAPACITY,
  EndReadFlags,
  EndWriteFlags,
  ObjectType,
  Rights,
  SelectFlags,
} from '@dios/kernel';
import type { StreamObject } from '../src/core/objects/stream.js';
import { boot, dec, enc, expectErrno, flush, krefOf, track, writeAll } from './helpers.js';
import type { TaskContext } from '@dios/kernel';

async function setup(capacity?: number) {
  const kernel = await boot();
  const sys = kernel.init;
  const { ref, name } = await sys.create(ObjectType.SHARED_MEMORY_STREAM, capacity === undefined ? {} : { capacity });
  return { kernel, sys, ref, name };
}

/** Reads one lease (up to `length`) and consumes it. */
async function readChunk(sys: TaskContext, ref: number, length?: number, flags = 0): Promise<Uint8Array> {
  const buf = await sys.beginRead(ref, length === undefined ? {} : { length }, flags);
  const copy = buf.slice();
  expect(await sys.endRead(ref, buf)).toBe(true);
  return copy;
}

/** Reads until `n` bytes arrived (several leases when the data wraps the ring). */
async function readN(sys: TaskContext, ref: number, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const chunk = await readChunk(sys, ref, n - got);
    expect(chunk.length).toBeGreaterThan(0);
    out.set(chunk, got);
    got += chunk.length;
  }
  return out;
}

/** Splits `sys`'s all-rights reference into a read-only and a write-only one, then drops the original. */
async function split(sys: TaskContext, ref: number): Promise<{ reader: number; writer: number }> {
  const [reader, writer] = await sys.copy([ref, ref], sys.self, { rights: [Rights.READ, Rights.WRITE] });
  await sys.delete(ref);
  return { reader: reader!, writer: writer! };
}

describe('FIFO', () => {
  it('delivers bytes in the order they were committed', async () => {
    const { kernel, sys, ref } = await setup();
    for (const part of ['one ', 'two ', 'three']) await writeAll(sys, ref, enc(part));
    expect(sys.ref(ref).size).toBe(13);
    expect(dec(await readChunk(sys, ref, 6))).toBe('one tw');
    expect(dec(await readChunk(sys, ref))).toBe('o three');
    expect(sys.ref(ref).size).toBe(0);
    kernel.checkInvariants();
  });

  it('has the default capacity unless told otherwise', async () => {
    const { kernel, sys, ref } = await setup();
    expect((krefOf(kernel, sys, ref).object as StreamObject).capacity).toBe(DEFAULT_STREAM_CAPACITY);
  });

  it('end_write commits only options.length bytes', async () => {
    const { kernel, sys, ref } = await setup(16);
    const buf = await sys.beginWrite(ref, 6);
    buf.set(enc('abcdef'));
    await sys.endWrite(ref, buf, { length: 2 });
    await writeAll(sys, ref, enc('XY'));
    expect(dec(await readChunk(sys, ref))).toBe('abXY');
    kernel.checkInvariants();
  });

  it('DISCARD appends nothing', async () => {
    const { kernel, sys, ref } = await setup(16);
    await writeAll(sys, ref, enc('a'));
    const v = sys.ref(ref).version;
    const buf = await sys.beginWrite(ref, 4);
    buf.set(enc('zzzz'));
    expect(await sys.endWrite(ref, buf, {}, EndWriteFlags.DISCARD)).toBe(v);
    await writeAll(sys, ref, enc('b'));
    expect(dec(await readChunk(sys, ref))).toBe('ab');
    kernel.checkInvariants();
  });

  it('end_read with RELEASE consumes nothing', async () => {
    const { kernel, sys, ref } = await setup(16);
    await writeAll(sys, ref, enc('keep me'));
    const buf = await sys.beginRead(ref);
    expect(dec(buf)).toBe('keep me');
    expect(await sys.endRead(ref, buf, EndReadFlags.RELEASE)).toBe(true);
    expect(sys.ref(ref).size).toBe(7);
    expect(dec(await readChunk(sys, ref))).toBe('keep me');
    kernel.checkInvariants();
  });

  it('streams have no offsets: ESPIPE', async () => {
    const { kernel, sys, ref } = await setup(16);
    await writeAll(sys, ref, enc('x'));
    await expectErrno(sys.beginRead(ref, { offset: 1 }), 'ESPIPE', 'options.offset');
    await expectErrno(sys.beginWrite(ref, 1, { offset: 1 }), 'ESPIPE', 'options.offset');
    kernel.checkInvariants();
  });

  it('a read asks for at least one byte: length 0 is EINVAL naming options.length (an empty buffer means end-of-stream)', async () => {
    const { kernel, sys, ref } = await setup(16);
    await expectErrno(sys.beginRead(ref, { length: 0 }, BeginReadFlags.NONBLOCK), 'EINVAL', 'options.length');
    await writeAll(sys, ref, enc('data'));
    await expectErrno(sys.beginRead(ref, { length: 0 }), 'EINVAL', 'options.length');
    // The offset is checked first; nothing was consumed.
    await expectErrno(sys.beginRead(ref, { offset: 1, length: 0 }), 'ESPIPE', 'options.offset');
    expect(dec(await readChunk(sys, ref, 4))).toBe('data');
    // Also once the stream has ended.
    const b = await sys.beginWrite(ref, 0);
    await sys.endWrite(ref, b, {}, EndWriteFlags.END_OF_STREAM);
    await expectErrno(sys.beginRead(ref, { length: 0 }), 'EINVAL', 'options.length');
    // Blobs take a zero-length read.
    const blob = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const empty = await sys.beginRead(blob.ref, { length: 0 });
    expect(empty.length).toBe(0);
    await sys.endRead(blob.ref, empty);
    kernel.checkInvariants();
  });

  it('a write larger than the ring is EINVAL (it could never fit)', async () => {
    const { kernel, sys, ref } = await setup(8);
    await expectErrno(sys.beginWrite(ref, 9), 'EINVAL', 'length');
    const buf = await sys.beginWrite(ref, 8);
    await sys.endWrite(ref, buf);
    kernel.checkInvariants();
  });
});

describe('back-pressure', () => {
  it('a writer waits while the ring is full and proceeds after a read', async () => {
    const { kernel, sys, ref } = await setup(8);
    await writeAll(sys, ref, enc('12345678'));
    const writer = track(sys.beginWrite(ref, 3));
    await flush();
    expect(writer.settled).toBe(false);
    expect(dec(await readChunk(sys, ref, 2))).toBe('12');
    await flush();
    expect(writer.settled).toBe(false); // 2 bytes free, 3 needed
    expect(dec(await readChunk(sys, ref, 1))).toBe('3');
    const buf = await writer.promise;
    buf.set(enc('abc'));
    await sys.endWrite(ref, buf);
    expect(dec(await readN(sys, ref, 8))).toBe('45678abc');
    kernel.checkInvariants();
  });

  it('NONBLOCK gives EAGAIN on a full ring and on an empty one', async () => {
    const { kernel, sys, ref } = await setup(4);
    await expectErrno(sys.beginRead(ref, {}, BeginReadFlags.NONBLOCK), 'EAGAIN');
    await writeAll(sys, ref, enc('full'));
    await expectErrno(sys.beginWrite(ref, 1, {}, BeginWriteFlags.NONBLOCK), 'EAGAIN');
    expect(sys.ref(ref).size).toBe(4);
    kernel.checkInvariants();
  });

  it('a reader waits for data and wakes on the commit, not on begin_write', async () => {
    const { kernel, sys, ref } = await setup(16);
    const reader = track(sys.beginRead(ref));
    await flush();
    expect(reader.settled).toBe(false);
    const buf = await sys.beginWrite(ref, 2);
    buf.set(enc('hi'));
    await flush();
    expect(reader.settled).toBe(false);
    await sys.endWrite(ref, buf);
    const view = await reader.promise;
    expect(dec(view)).toBe('hi');
    await sys.endRead(ref, view);
    kernel.checkInvariants();
  });

  it('one read lease and one write lease at a time', async () => {
    const { kernel, sys, ref } = await setup(16);
    await writeAll(sys, ref, enc('data'));
    const r = await sys.beginRead(ref, { length: 1 });
    await expectErrno(sys.beginRead(ref, {}, BeginReadFlags.NONBLOCK), 'EAGAIN');
    const w = await sys.beginWrite(ref, 1);
    await expectErrno(sys.beginWrite(ref, 1, {}, BeginWriteFlags.NONBLOCK), 'EAGAIN');
    kernel.checkInvariants();
    await sys.endRead(ref, r);
    await sys.endWrite(ref, w, {}, EndWriteFlags.DISCARD);
    kernel.checkInvariants();
  });
});

describe('wrap-around', () => {
  it('keeps data intact while writes and reads wrap the ring many times', async () => {
    const { kernel, sys, ref } = await setup(13);
    const sent: number[] = [];
    const received: number[] = [];
    let next = 0;
    // Chunk sizes chosen so the write position lands everywhere in the ring, including exactly at its end.
    for (const n of [5, 7, 1, 12, 13, 3, 9, 10, 2, 11, 6, 13, 4, 8]) {
      const chunk = new Uint8Array(n).map(() => next++ & 0xff);
      await writeAll(sys, ref, chunk);
      sent.push(...chunk);
      received.push(...(await readN(sys, ref, n)));
      kernel.checkInvariants();
    }
    expect(received).toEqual(sent);
  });

  it('a read never crosses the end of the ring: the wrapped rest comes with the next read', async () => {
    const { kernel, sys, ref } = await setup(8);
    await writeAll(sys, ref, enc('123456'));
    await readN(sys, ref, 6);
    await writeAll(sys, ref, enc('abcde')); // lands at 6, 7, 0, 1, 2
    expect(dec(await readChunk(sys, ref))).toBe('ab');
    expect(dec(await readChunk(sys, ref))).toBe('cde');
    kernel.checkInvariants();
  });

  it('a partial commit of a wrapping write keeps just the committed bytes', async () => {
    const { kernel, sys, ref } = await setup(8);
    await writeAll(sys, ref, enc('1234567'));
    await readN(sys, ref, 7);
    const buf = await sys.beginWrite(ref, 5);
    buf.set(enc('vwxyz'));
    await sys.endWrite(ref, buf, { length: 3 });
    await writeAll(sys, ref, enc('!'));
    expect(dec(await readN(sys, ref, 4))).toBe('vwx!');
    kernel.checkInvariants();
  });
});

describe('end of stream', () => {
  it('END_OF_STREAM: readers drain the data, then get an empty buffer; writers get EPIPE', async () => {
    const { kernel, sys, ref } = await setup(16);
    await writeAll(sys, ref, enc('ab'));
    const buf = await sys.beginWrite(ref, 2);
    buf.set(enc('cd'));
    await sys.endWrite(ref, buf, {}, EndWriteFlags.END_OF_STREAM);
    expect(dec(await readChunk(sys, ref))).toBe('abcd');
    expect((await readChunk(sys, ref, undefined, BeginReadFlags.NONBLOCK)).length).toBe(0);
    expect((await readChunk(sys, ref)).length).toBe(0);
    expect(await sys.select([ref], { timeoutMs: 0 })).toBe(ref);
    await expectErrno(sys.beginWrite(ref, 1), 'EPIPE', 'ref');
    kernel.checkInvariants();
  });

  it('END_OF_STREAM applies to streams only and excludes DISCARD', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const blob = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const b = await sys.beginWrite(blob.ref, 1);
    await expectErrno(sys.endWrite(blob.ref, b, {}, EndWriteFlags.END_OF_STREAM), 'EINVAL', 'flags');
    await sys.endWrite(blob.ref, b);
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
    const s = await sys.beginWrite(stream.ref, 1);
    await expectErrno(
      sys.endWrite(stream.ref, s, {}, EndWriteFlags.END_OF_STREAM | EndWriteFlags.DISCARD),
      'EINVAL',
      'flags',
    );
    await sys.endWrite(stream.ref, s);
    await writeAll(sys, stream.ref, enc('more')); // the stream was not ended
    kernel.checkInvariants();
  });

  it('deleting the last reference that can write ends the stream for the reader', async () => {
    const { kernel, sys, ref } = await setup(16);
    const { reader, writer } = await split(sys, ref);
    await writeAll(sys, writer, enc('last words'));
    await sys.delete(writer);
    // The stream lives on for its reader.
    expect(dec(await readChunk(sys, reader))).toBe('last words');
    expect((await readChunk(sys, reader)).length).toBe(0);
    kernel.checkInvariants();
  });

  it('a reader waiting on an empty stream wakes with an empty buffer when the last writer goes', async () => {
    const { kernel, sys, ref } = await setup(16);
    const { reader, writer } = await split(sys, ref);
    const pending = track(sys.beginRead(reader));
    await flush();
    expect(pending.settled).toBe(false);
    await sys.delete(writer);
    const buf = await pending.promise;
    expect(buf.length).toBe(0);
    await sys.endRead(reader, buf);
    kernel.checkInvariants();
  });

  it('end-of-stream latches: a writer that turns up after the last one went does not reopen the stream', async () => {
    const { kernel, sys, ref, name } = await setup(16);
    const { reader, writer } = await split(sys, ref);
    await writeAll(sys, writer, enc('bye'));
    await sys.delete(writer);
    expect((krefOf(kernel, sys, reader).object as StreamObject).ended).toBe(true);
    // A new reference with WRITE (found by name) comes too late.
    const [late] = await sys.lookup(name);
    expect(krefOf(kernel, sys, late!).rights & Rights.WRITE).toBe(Rights.WRITE);
    expect((krefOf(kernel, sys, reader).object as StreamObject).ended).toBe(true);
    await expectErrno(sys.beginWrite(late!, 1), 'EPIPE', 'ref');
    expect(await sys.select([late!], { timeoutMs: 0 }, SelectFlags.WRITE)).toBe(late);
    expect(dec(await readChunk(sys, reader))).toBe('bye');
    expect((await readChunk(sys, reader, undefined, BeginReadFlags.NONBLOCK)).length).toBe(0);
    kernel.checkInvariants();
  });

  it('a writer remaining keeps the stream open', async () => {
    const { kernel, sys, ref } = await setup(16);
    const [reader, w1, w2] = await sys.copy([ref, ref, ref], sys.self, {
      rights: [Rights.READ, Rights.WRITE, Rights.WRITE],
    });
    await sys.delete(ref);
    await sys.delete(w1!);
    await expectErrno(sys.beginRead(reader!, {}, BeginReadFlags.NONBLOCK), 'EAGAIN');
    await writeAll(sys, w2!, enc('x'));
    expect(dec(await readChunk(sys, reader!))).toBe('x');
    kernel.checkInvariants();
  });
});

describe('EPIPE', () => {
  it('writing when no reference can read any more is EPIPE', async () => {
    const { kernel, sys, ref } = await setup(16);
    const { reader, writer } = await split(sys, ref);
    await writeAll(sys, writer, enc('ok'));
    await sys.delete(reader);
    await expectErrno(sys.beginWrite(writer, 1), 'EPIPE', 'ref');
    expect(await sys.select([writer], { timeoutMs: 0 }, SelectFlags.WRITE)).toBe(writer);
    kernel.checkInvariants();
  });

  it('a writer waiting on a full ring gets EPIPE when the last reader goes', async () => {
    const { kernel, sys, ref } = await setup(4);
    const { reader, writer } = await split(sys, ref);
    await writeAll(sys, writer, enc('full'));
    const pending = track(sys.beginWrite(writer, 1));
    await flush();
    expect(pending.settled).toBe(false);
    await sys.delete(reader);
    await expectErrno(pending.promise, 'EPIPE', 'ref');
    kernel.checkInvariants();
  });
});

// Found by the deterministic simulation (examples/testing/counter-service.ts): two writers waiting for room were both
// granted once a read freed it, since the lease was taken a few promise hops after the wait saw room.
describe('writers waiting for room', () => {
  it('one read that frees room lets exactly one waiting writer in; the other waits for the next', async () => {
    const { kernel, sys, ref } = await setup(1);
    const { reader, writer } = await split(sys, ref);
    await writeAll(sys, writer, enc('a'));
    const first = track(sys.beginWrite(writer, 1));
    const second = track(sys.beginWrite(writer, 1));
    await flush();
    expect([first.settled, second.settled]).toEqual([false, false]);
    expect(dec(await readChunk(sys, reader))).toBe('a');
    await flush();
    expect([first.settled, second.settled]).toEqual([true, false]);
    kernel.checkInvariants();
    const buf = await first.promise;
    buf.set(enc('b'));
    await sys.endWrite(writer, buf);
    expect(dec(await readChunk(sys, reader))).toBe('b');
    await flush();
    expect(second.settled).toBe(true);
    kernel.checkInvariants();
    await sys.endWrite(writer, await second.promise, undefined, EndWriteFlags.DISCARD);
  });
});
