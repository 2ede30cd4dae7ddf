import { describe, expect, it } from 'vitest';
import {
  EndReadFlags,
  EndWriteFlags,
  MAX_BLOB_BYTES,
  ObjectType,
  Rights,
  Kernel,
  type TaskContext,
} from '@dios/kernel';
import type { BlobObject } from '../src/core/objects/blob.js';
import { boot, dec, enc, expectErrno, krefOf, readAll, writeAll } from './helpers.js';

async function setup() {
  const kernel = await boot();
  const sys = kernel.init;
  const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
  await writeAll(sys, ref, enc('original'));
  const [readOnly, writeOnly] = await sys.copy([ref, ref], sys.self, { rights: [Rights.READ, Rights.WRITE] });
  return { kernel, sys, ref, readOnly: readOnly!, writeOnly: writeOnly! };
}

/** Everything a failed call must leave as it was. */
function snapshot(kernel: Kernel, sys: TaskContext, ref: number) {
  const kref = krefOf(kernel, sys, ref);
  const blob = kref.object as BlobObject;
  const leases = sys.handles.reduce((n, h) => n + krefOf(kernel, sys, h).leases.size, 0);
  return { version: blob.version, size: blob.size, locks: blob.locks, leases, handles: sys.handles };
}

async function expectUnchanged(
  kernel: Kernel,
  sys: TaskContext,
  ref: number,
  before: ReturnType<typeof snapshot>,
  text: string,
) {
  expect(snapshot(kernel, sys, ref)).toEqual(before);
  expect(dec((await readAll(sys, ref)).bytes)).toBe(text);
  kernel.checkInvariants();
}

describe('bad handles: EBADF', () => {
  it('on all four calls', async () => {
    const { kernel, sys, ref } = await setup();
    const before = snapshot(kernel, sys, ref);
    for (const h of [0, 999, -3, 2.5, 'x' as unknown as number]) {
      await expectErrno(sys.beginRead(h), 'EBADF', 'ref');
      await expectErrno(sys.endRead(h, new Uint8Array(1)), 'EBADF', 'ref');
      await expectErrno(sys.beginWrite(h, 1), 'EBADF', 'ref');
      await expectErrno(sys.endWrite(h, new Uint8Array(1)), 'EBADF', 'ref');
    }
    await expectUnchanged(kernel, sys, ref, before, 'original');
  });
});

describe('missing rights: EACCES', () => {
  it('reading needs READ, writing needs WRITE', async () => {
    const { kernel, sys, ref, readOnly, writeOnly } = await setup();
    const before = snapshot(kernel, sys, ref);
    await expectErrno(sys.beginRead(writeOnly), 'EACCES', 'ref');
    await expectErrno(sys.beginWrite(readOnly, 1), 'EACCES', 'ref');
    await expectUnchanged(kernel, sys, ref, before, 'original');
    // The permitted directions work.
    await writeAll(sys, writeOnly, enc('changed!'));
    expect(dec((await readAll(sys, readOnly)).bytes)).toBe('changed!');
    kernel.checkInvariants();
  });
});

describe('bad lengths and offsets: EINVAL', () => {
  it.each([
    ['negative', -1],
    ['fractional', 1.5],
    ['a string', '4'],
    ['NaN', NaN],
    ['beyond the largest blob', MAX_BLOB_BYTES + 1],
  ])('begin_write with a %s length', async (_what, length) => {
    const { kernel, sys, ref } = await setup();
    const before = snapshot(kernel, sys, ref);
    await expectErrno(sys.beginWrite(ref, length as number), 'EINVAL', 'length');
    await expectUnchanged(kernel, sys, ref, before, 'original');
  });

  it.each([
    ['begin_read options.offset -1', (s: TaskContext, r: number) => s.beginRead(r, { offset: -1 }), 'options.offset'],
    ['begin_read options.offset 0.5', (s: TaskContext, r: number) => s.beginRead(r, { offset: 0.5 }), 'options.offset'],
    ['begin_read options.length -1', (s: TaskContext, r: number) => s.beginRead(r, { length: -1 }), 'options.length'],
    ['begin_read offset past the end', (s: TaskContext, r: number) => s.beginRead(r, { offset: 9 }), 'options.offset'],
    [
      'begin_read unknown option',
      (s: TaskContext, r: number) => s.beginRead(r, { whence: 1 } as object),
      'options.whence',
    ],
    [
      'begin_write options.offset -2',
      (s: TaskContext, r: number) => s.beginWrite(r, 1, { offset: -2 }),
      'options.offset',
    ],
    [
      'begin_write offset past the end',
      (s: TaskContext, r: number) => s.beginWrite(r, 1, { offset: 9 }),
      'options.offset',
    ],
    [
      'begin_write offset + length too large',
      (s: TaskContext, r: number) => s.beginWrite(r, MAX_BLOB_BYTES, { offset: 8 }),
      'length',
    ],
    [
      'begin_write truncate not a boolean',
      (s: TaskContext, r: number) => s.beginWrite(r, 1, { truncate: 1 as unknown as boolean }),
      'options.truncate',
    ],
    [
      'begin_write options not an object',
      (s: TaskContext, r: number) => s.beginWrite(r, 1, 5 as unknown as object),
      'options',
    ],
  ])('%s', async (_what, call, argument) => {
    const { kernel, sys, ref } = await setup();
    const before = snapshot(kernel, sys, ref);
    await expectErrno(call(sys, ref), 'EINVAL', argument);
    await expectUnchanged(kernel, sys, ref, before, 'original');
  });

  it('end_write with a length beyond the buffer is EINVAL, and the lease stays usable', async () => {
    const { kernel, sys, ref } = await setup();
    const buf = await sys.beginWrite(ref, 3);
    buf.set(enc('new'));
    const before = snapshot(kernel, sys, ref);
    await expectErrno(sys.endWrite(ref, buf, { length: 4 }), 'EINVAL', 'options.length');
    await expectErrno(sys.endWrite(ref, buf, { length: -1 }), 'EINVAL', 'options.length');
    await expectErrno(sys.endWrite(ref, buf, { size: 1 } as object), 'EINVAL', 'options.size');
    expect(snapshot(kernel, sys, ref)).toEqual(before);
    kernel.checkInvariants();
    await sys.endWrite(ref, buf, { length: 3 });
    expect(dec((await readAll(sys, ref)).bytes)).toBe('newginal');
    kernel.checkInvariants();
  });

  it('end_write with bad flags leaves the lease outstanding', async () => {
    const { kernel, sys, ref } = await setup();
    const buf = await sys.beginWrite(ref, 1);
    await expectErrno(sys.endWrite(ref, buf, {}, EndWriteFlags.END_OF_STREAM), 'EINVAL', 'flags');
    await expectErrno(sys.endWrite(ref, buf, {}, 0x80), 'EINVAL', 'flags');
    expect(krefOf(kernel, sys, ref).leases.size).toBe(1);
    kernel.checkInvariants();
    await sys.endWrite(ref, buf, {}, EndWriteFlags.DISCARD);
    expect(krefOf(kernel, sys, ref).leases.size).toBe(0);
    kernel.checkInvariants();
  });

  it('end_read with bad flags leaves the lease outstanding', async () => {
    const { kernel, sys, ref } = await setup();
    const buf = await sys.beginRead(ref);
    await expectErrno(sys.endRead(ref, buf, 0x40), 'EINVAL', 'flags');
    expect(await sys.endRead(ref, buf, EndReadFlags.RELEASE)).toBe(true);
    kernel.checkInvariants();
  });
});

describe('objects without bytes: EINVAL', () => {
  it.each([
    ['a group', ObjectType.GROUP],
    ['a tag', ObjectType.TAG],
  ])('reading or writing %s', async (_what, type) => {
    const kernel = await boot();
    const sys = kernel.init;
    const h = (await sys.create(type)).ref;
    const handles = sys.handles;
    await expectErrno(sys.beginRead(h), 'EINVAL', 'ref');
    await expectErrno(sys.beginWrite(h, 1), 'EINVAL', 'ref');
    expect(krefOf(kernel, sys, h).leases.size).toBe(0);
    expect(sys.handles).toEqual(handles);
    kernel.checkInvariants();
  });
});

describe("a task object's bytes are its label, for that task alone", () => {
  it("reading another task's object is EINVAL; reading one's own gives the label", async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const other = await kernel.attachTask(['other']);
    const [h] = await sys.lookup(other.taskName);
    await expectErrno(sys.beginRead(h!), 'EINVAL', 'ref');
    expect(krefOf(kernel, sys, h!).leases.size).toBe(0);
    const own = await sys.beginRead(sys.self);
    expect(JSON.parse(new TextDecoder().decode(own))).toEqual({ secrecy: [], integrity: [] });
    await sys.endRead(sys.self, own);
    kernel.checkInvariants();
  });
});

describe('buffers that were not lent: EINVAL', () => {
  it('a read buffer returned twice', async () => {
    const { kernel, sys, ref } = await setup();
    const buf = await sys.beginRead(ref);
    expect(await sys.endRead(ref, buf)).toBe(true);
    await expectErrno(sys.endRead(ref, buf), 'EINVAL', 'buffer');
    kernel.checkInvariants();
  });

  it('a write buffer returned twice: the second return commits nothing', async () => {
    const { kernel, sys, ref } = await setup();
    const buf = await sys.beginWrite(ref, 3);
    buf.set(enc('one'));
    await sys.endWrite(ref, buf);
    const before = snapshot(kernel, sys, ref);
    buf.set(enc('two'));
    await expectErrno(sys.endWrite(ref, buf), 'EINVAL', 'buffer');
    await expectUnchanged(kernel, sys, ref, before, 'oneginal');
  });

  it('end_read of a buffer never lent, or lent for writing, or lent through another reference', async () => {
    const { kernel, sys, ref, readOnly } = await setup();
    await expectErrno(sys.endRead(ref, new Uint8Array(8)), 'EINVAL', 'buffer');
    await expectErrno(sys.endRead(ref, 'abc' as unknown as Uint8Array), 'EINVAL', 'buffer');
    const w = await sys.beginWrite(ref, 2);
    await expectErrno(sys.endRead(ref, w), 'EINVAL', 'buffer');
    const r = await sys.beginRead(readOnly);
    await expectErrno(sys.endRead(ref, r), 'EINVAL', 'buffer');
    // A copy of a lent buffer is not the lent buffer.
    await expectErrno(sys.endRead(readOnly, r.slice()), 'EINVAL', 'buffer');
    kernel.checkInvariants();
    await sys.endRead(readOnly, r);
    await sys.endWrite(ref, w, {}, EndWriteFlags.DISCARD);
    kernel.checkInvariants();
  });

  it('end_write of a buffer never lent, or lent for reading', async () => {
    const { kernel, sys, ref } = await setup();
    const before = snapshot(kernel, sys, ref);
    await expectErrno(sys.endWrite(ref, enc('forged!!')), 'EINVAL', 'buffer');
    const r = await sys.beginRead(ref);
    await expectErrno(sys.endWrite(ref, r), 'EINVAL', 'buffer');
    await sys.endRead(ref, r);
    await expectUnchanged(kernel, sys, ref, before, 'original');
  });
});

describe('streams and the console', () => {
  it('the same checks apply: EACCES, EINVAL buffer, and nothing changes', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
    const [readOnly] = await sys.copy([ref], sys.self, { rights: Rights.READ });
    await writeAll(sys, ref, enc('abc'));
    await expectErrno(sys.beginWrite(readOnly!, 1), 'EACCES', 'ref');
    const buf = await sys.beginRead(ref);
    await sys.endRead(ref, buf, EndReadFlags.RELEASE);
    await expectErrno(sys.endRead(ref, buf), 'EINVAL', 'buffer');
    expect(sys.ref(ref).size).toBe(3);
    kernel.checkInvariants();
  });
});

// The blob side of the race the simulation found in streams: waiters woken by one change take their lease in the turn
// that saw the blob free, so two exclusive writers never both get in.
describe('exclusive writers waiting on a blob', () => {
  it('when the writer ahead commits, exactly one of two waiting exclusive writers gets the blob', async () => {
    const kernel = await Kernel.boot();
    const sys = kernel.init;
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { consistency: 'exclusive' });
    const held = await sys.beginWrite(ref, 1);
    const first = sys.beginWrite(ref, 1);
    const second = sys.beginWrite(ref, 1);
    let granted = 0;
    void first.then(() => granted++);
    void second.then(() => granted++);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(granted).toBe(0);
    await sys.endWrite(ref, held);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(granted).toBe(1);
    kernel.checkInvariants();
    await sys.endWrite(ref, await first, undefined, EndWriteFlags.DISCARD);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(granted).toBe(2);
    await sys.endWrite(ref, await second, undefined, EndWriteFlags.DISCARD);
    kernel.checkInvariants();
  });
});
