import { describe, expect, it } from 'vitest';
import { EndWriteFlags, ObjectType } from '@dios/kernel';
import {
  clearerr,
  fclose,
  ferror,
  fflush,
  fopen,
  fputc,
  fputs,
  fread,
  fseek,
  ftell,
  fwrite,
  SEEK_END,
  SEEK_SET,
  setvbuf,
} from '@dios/libd';
import { blobWith, boot, contentOf, counting, dec, enc, expectErrno, put } from './stdio-helpers.js';

const bytes = (n: number, seed = 3) => Uint8Array.from({ length: n }, (_, i) => (i * 17 + seed) & 0xff);

describe('fwrite', () => {
  it('round-trips content written in chunks smaller and larger than the buffer', async () => {
    const { kernel, sys } = await boot();
    const content = bytes(3000);
    for (const bufferSize of [1, 5, 64, 2999, 3000, 4096]) {
      for (const chunk of [1, 7, 100, 3000]) {
        const { ref } = await blobWith(sys, '', { writeBufferSize: bufferSize });
        const f = await fopen(sys, { ref }, 'w');
        for (let at = 0; at < content.length; at += chunk)
          expect(await fwrite(f, content.subarray(at, at + chunk))).toBe(Math.min(chunk, content.length - at));
        await fclose(f);
        expect(await contentOf(sys, ref)).toEqual(content);
        await sys.delete(ref);
      }
    }
    kernel.checkInvariants();
  });

  it('keeps output in the buffer until it is full, fflush or fclose', async () => {
    const { kernel, sys: real } = await boot();
    const { ref } = await blobWith(real, '', { writeBufferSize: 8 });
    const { sys, calls } = counting(real);
    const f = await fopen(sys, { ref }, 'w');
    const afterOpen = calls.beginWrite; // the truncation
    await fputs(f, 'abc');
    await fputs(f, 'defgh'); // exactly full: still buffered
    expect(real.ref(ref).size).toBe(0);
    await fputs(f, 'i'); // does not fit: the 8 pending bytes go out
    expect(dec(await contentOf(real, ref))).toBe('abcdefgh');
    await fflush(f);
    expect(dec(await contentOf(real, ref))).toBe('abcdefghi');
    await fputs(f, 'jk');
    await fclose(f);
    expect(dec(await contentOf(real, ref))).toBe('abcdefghijk');
    expect(calls.beginWrite - afterOpen).toBe(3);
    kernel.checkInvariants();
  });

  it('a write of at least a buffer goes out with the pending bytes in one atomic commit', async () => {
    const { kernel, sys: real } = await boot();
    const { ref } = await blobWith(real, '', { writeBufferSize: 8 });
    const { sys, calls } = counting(real);
    const f = await fopen(sys, { ref }, 'r+');
    const afterOpen = calls.beginWrite; // fopen checks, with an empty write it discards, that r+ may write
    await fputs(f, 'ab');
    const version = real.ref(ref).version;
    await fwrite(f, bytes(100));
    expect(calls.beginWrite - afterOpen).toBe(1);
    expect(real.ref(ref).version).toBe(version + 1);
    expect(real.ref(ref).size).toBe(102);
    await fclose(f);
    kernel.checkInvariants();
  });

  it('on a FILE opened only for reading is EBADF naming stream, and sets ferror', async () => {
    const { kernel, sys } = await boot();
    const { name, ref } = await blobWith(sys, 'abc');
    const f = await fopen(sys, name, 'r');
    await expectErrno(fwrite(f, enc('x')), 'EBADF', 'stream', 'fwrite');
    expect(ferror(f)).toBe(true);
    clearerr(f);
    await expectErrno(fputc(f, 65), 'EBADF', 'stream', 'fputc');
    expect(ferror(f)).toBe(true);
    clearerr(f);
    await expectErrno(fputs(f, 'x'), 'EBADF', 'stream', 'fputs');
    expect(ferror(f)).toBe(true);
    await fclose(f);
    expect(dec(await contentOf(sys, ref))).toBe('abc');
    kernel.checkInvariants();
  });

  it('rejects arguments of the wrong kind with EINVAL', async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys);
    const f = await fopen(sys, { ref }, 'w');
    await expectErrno(fwrite(f, 'text' as unknown as Uint8Array), 'EINVAL', 'bytes');
    await expectErrno(fputc(f, 1.5), 'EINVAL', 'c');
    await expectErrno(fputc(f, 'a' as unknown as number), 'EINVAL', 'c');
    await expectErrno(fputs(f, 5 as unknown as string), 'EINVAL', 'text');
    expect(ferror(f)).toBe(true);
    await fclose(f);
    expect(sys.ref(ref).size).toBe(0);
    kernel.checkInvariants();
  });

  it('fputc writes the low byte of its argument and returns it', async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys);
    const f = await fopen(sys, { ref }, 'w');
    expect(await fputc(f, 65)).toBe(65);
    expect(await fputc(f, 0x1ff)).toBe(0xff);
    expect(await fputc(f, -1)).toBe(0xff);
    expect(await fputc(f, 0)).toBe(0);
    await fclose(f);
    expect([...(await contentOf(sys, ref))]).toEqual([65, 0xff, 0xff, 0]);
    kernel.checkInvariants();
  });

  it('fputs writes UTF-8 without adding a newline and returns the byte count', async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys);
    const f = await fopen(sys, { ref }, 'w');
    expect(await fputs(f, 'é😀')).toBe(6);
    expect(await fputs(f, '')).toBe(0);
    await fclose(f);
    expect(dec(await contentOf(sys, ref))).toBe('é😀');
    kernel.checkInvariants();
  });

  it('writing past the end fills the gap with zeros, in the same commit', async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys, 'ab');
    const f = await fopen(sys, { ref }, 'r+');
    await fseek(f, 5, SEEK_SET);
    expect(ftell(f)).toBe(5);
    expect(sys.ref(ref).size).toBe(2); // seeking alone does not grow the blob
    const version = sys.ref(ref).version;
    await fputs(f, 'z');
    await fflush(f);
    expect([...(await contentOf(sys, ref))]).toEqual([97, 98, 0, 0, 0, 122]);
    expect(sys.ref(ref).version).toBe(version + 1);
    await fclose(f);
    kernel.checkInvariants();
  });

  it('in append mode each write-out lands at the end as it is then, after other writers', async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys, 'start;');
    const f = await fopen(sys, { ref }, 'a+');
    await fputs(f, 'mine1;');
    await put(sys, ref, 'start;other;'); // someone else grows the blob meanwhile
    expect(ftell(f)).toBe(12 + 6); // the end plus what is pending
    await fflush(f);
    expect(dec(await contentOf(sys, ref))).toBe('start;other;mine1;');
    expect(ftell(f)).toBe(18);
    await fseek(f, 0, SEEK_SET);
    await fputs(f, 'mine2');
    await fclose(f);
    expect(dec(await contentOf(sys, ref))).toBe('start;other;mine1;mine2');
    kernel.checkInvariants();
  });

  it('a write after reading goes where the reading stopped; a read after writing sees the write', async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys, '0123456789', { readBufferSize: 4, writeBufferSize: 4 });
    const f = await fopen(sys, { ref }, 'r+');
    const two = new Uint8Array(2);
    await fread(f, two); // reads '01' (and reads ahead)
    await fputs(f, 'ab');
    expect(ftell(f)).toBe(4);
    expect(await fread(f, two)).toBe(2);
    expect(dec(two)).toBe('45');
    await fseek(f, 0, SEEK_SET);
    const all = new Uint8Array(10);
    expect(await fread(f, all)).toBe(10);
    expect(dec(all)).toBe('01ab456789');
    await fclose(f);
    kernel.checkInvariants();
  });

  it('a failed write-out drops the pending bytes, sets ferror, and throws the kernel error', async () => {
    const { kernel, sys } = await boot();
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM);
    const f = await fopen(sys, { ref: stream.ref }, 'w');
    await fputs(f, 'end');
    await put(sys, stream.ref, '', EndWriteFlags.END_OF_STREAM); // no more writes
    await expectErrno(fflush(f), 'EPIPE', 'ref', 'beginWrite');
    expect(ferror(f)).toBe(true);
    clearerr(f);
    await fflush(f); // nothing is pending any more
    expect(ferror(f)).toBe(false);
    await fclose(f);
    kernel.checkInvariants();
  });
});

describe('setvbuf', () => {
  it("'none' writes each call out at once, 'line' at each newline, 'full' when full", async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys, '', { writeBufferSize: 64 });
    const f = await fopen(sys, { ref }, 'w');
    await setvbuf(f, 'none');
    await fputs(f, 'a');
    expect(dec(await contentOf(sys, ref))).toBe('a');
    await setvbuf(f, 'line');
    await fputs(f, 'b');
    expect(dec(await contentOf(sys, ref))).toBe('a');
    await fputs(f, 'c\nd');
    expect(dec(await contentOf(sys, ref))).toBe('abc\n'); // up to the last newline
    await setvbuf(f, 'full'); // writes out what is pending
    expect(dec(await contentOf(sys, ref))).toBe('abc\nd');
    await fputs(f, 'e\n');
    expect(dec(await contentOf(sys, ref))).toBe('abc\nd');
    await expectErrno(setvbuf(f, 'sometimes' as 'full'), 'EINVAL', 'buffering');
    await fclose(f);
    expect(dec(await contentOf(sys, ref))).toBe('abc\nde\n');
    kernel.checkInvariants();
  });
});

describe('concurrent calls on one FILE', () => {
  it('run one at a time, in the order they were made', async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys, '', { writeBufferSize: 3, readBufferSize: 4 });
    const f = await fopen(sys, { ref }, 'w+');
    const writes = Array.from({ length: 20 }, (_, i) => fputs(f, `<${i}>`));
    const seek = fseek(f, 0, SEEK_SET);
    const buf = new Uint8Array(200);
    const read = fread(f, buf);
    await Promise.all([...writes, seek]);
    const n = await read;
    const expected = Array.from({ length: 20 }, (_, i) => `<${i}>`).join('');
    expect(dec(buf.subarray(0, n))).toBe(expected);
    await fseek(f, 0, SEEK_END);
    expect(ftell(f)).toBe(expected.length);
    await fclose(f);
    kernel.checkInvariants();
  });
});
