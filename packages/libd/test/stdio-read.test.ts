import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ObjectType } from '@dios/kernel';
import { clearerr, EOF, fclose, feof, ferror, fgetc, fgets, fopen, fread, fseek, SEEK_SET } from '@dios/libd';
import { blobWith, boot, counting, dec, enc, expectErrno, intercepted, put } from './stdio-helpers.js';

const bytes = (n: number, seed = 7) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('fread', () => {
  it('reads whole content through buffers smaller and larger than the request', async () => {
    const { kernel, sys } = await boot();
    const content = bytes(1000);
    for (const bufferSize of [1, 4, 7, 64, 999, 1000, 1001, 4096]) {
      // Buffer sizes belong to a reference: the one create returned has them (a lookup would get the defaults).
      const { ref } = await blobWith(sys, content, { readBufferSize: bufferSize });
      for (const chunk of [1, 3, 64, 1000, 5000]) {
        const f = await fopen(sys, { ref }, 'r');
        const got: number[] = [];
        const buf = new Uint8Array(chunk);
        for (;;) {
          const n = await fread(f, buf);
          got.push(...buf.subarray(0, n));
          if (n < chunk) break;
        }
        expect(Uint8Array.from(got)).toEqual(content);
        expect(feof(f)).toBe(true);
        expect(ferror(f)).toBe(false);
        await fclose(f);
      }
    }
    kernel.checkInvariants();
  });

  it('buffers reads: small reads cost one system call per buffer, large ones go straight through', async () => {
    const { kernel, sys: real } = await boot();
    const { ref } = await blobWith(real, bytes(100), { readBufferSize: 10 });
    const { sys, calls } = counting(real);
    const f = await fopen(sys, { ref }, 'r');
    for (let i = 0; i < 10; i++) expect(await fread(f, new Uint8Array(2))).toBe(2);
    expect(calls.beginRead).toBe(2); // 20 bytes in buffers of 10
    expect(await fread(f, new Uint8Array(50))).toBe(50);
    expect(calls.beginRead).toBe(3); // one direct read into the caller's buffer
    await fclose(f);
    kernel.checkInvariants();
  });

  it('returns a short count and sets feof at the end; a read of 0 bytes sets nothing', async () => {
    const { kernel, sys } = await boot();
    const { name } = await blobWith(sys, 'abc');
    const f = await fopen(sys, name, 'r');
    expect(await fread(f, new Uint8Array(0))).toBe(0);
    expect(feof(f)).toBe(false);
    expect(await fread(f, new Uint8Array(3))).toBe(3);
    expect(feof(f)).toBe(false); // exactly the rest: the end was not seen yet
    expect(await fread(f, new Uint8Array(3))).toBe(0);
    expect(feof(f)).toBe(true);
    await fclose(f);
    kernel.checkInvariants();
  });

  it('end of file is sticky: bytes appended later are read only after clearerr or fseek', async () => {
    const { kernel, sys } = await boot();
    const { name, ref } = await blobWith(sys, 'ab');
    const f = await fopen(sys, name, 'r');
    const buf = new Uint8Array(10);
    expect(await fread(f, buf)).toBe(2);
    expect(feof(f)).toBe(true);
    await put(sys, ref, 'abcd');
    expect(await fread(f, buf)).toBe(0);
    expect(await fgetc(f)).toBe(EOF);
    clearerr(f);
    expect(feof(f)).toBe(false);
    expect(await fread(f, buf)).toBe(2);
    expect(dec(buf.subarray(0, 2))).toBe('cd');
    await fseek(f, 1, SEEK_SET);
    expect(feof(f)).toBe(false);
    expect(await fgetc(f)).toBe('b'.charCodeAt(0));
    await fclose(f);
    kernel.checkInvariants();
  });

  it('on a FILE opened only for writing is EBADF naming stream, and sets ferror until clearerr', async () => {
    const { kernel, sys } = await boot();
    const { name } = await blobWith(sys, 'abc');
    for (const mode of ['w', 'a']) {
      const f = await fopen(sys, name, mode);
      await expectErrno(fread(f, new Uint8Array(1)), 'EBADF', 'stream', 'fread');
      expect(ferror(f)).toBe(true);
      clearerr(f);
      expect(ferror(f)).toBe(false);
      await expectErrno(fgetc(f), 'EBADF', 'stream', 'fgetc');
      await expectErrno(fgets(f, 10), 'EBADF', 'stream', 'fgets');
      expect(ferror(f)).toBe(true);
      await fclose(f);
    }
    kernel.checkInvariants();
  });

  it('a buffer that is not a Uint8Array is EINVAL naming buffer', async () => {
    const { kernel, sys } = await boot();
    const { name } = await blobWith(sys, 'abc');
    const f = await fopen(sys, name, 'r');
    await expectErrno(fread(f, [0, 0] as unknown as Uint8Array), 'EINVAL', 'buffer');
    expect(ferror(f)).toBe(true);
    await fclose(f);
    kernel.checkInvariants();
  });

  it('reads again when a write commits between beginRead and endRead, and sees the new bytes', async () => {
    const { kernel, sys } = await boot();
    const { name, ref } = await blobWith(sys, 'old!');
    let interfere = 2;
    const racy = intercepted(sys, {
      beginRead: async (real, handle, options, flags) => {
        const lent = await real.beginRead(handle, options, flags);
        if (interfere-- > 0) await put(real, ref, interfere === 1 ? 'mid!' : 'new!');
        return lent;
      },
    });
    const f = await fopen(racy, name, 'r');
    const buf = new Uint8Array(4);
    expect(await fread(f, buf)).toBe(4);
    expect(dec(buf)).toBe('new!');
    expect(interfere).toBe(-1); // three reads: two invalidated, one valid
    await fclose(f);
    kernel.checkInvariants();
  });

  it('gives up with EAGAIN (and ferror) when every read is invalidated', async () => {
    const { kernel, sys } = await boot();
    const { name, ref } = await blobWith(sys, 'data');
    let n = 0;
    const racy = intercepted(sys, {
      beginRead: async (real, handle, options, flags) => {
        const lent = await real.beginRead(handle, options, flags);
        await put(real, ref, `dat${n++ % 10}`);
        return lent;
      },
    });
    const f = await fopen(racy, name, 'r');
    await expectErrno(fread(f, new Uint8Array(4)), 'EAGAIN', 'stream', 'fread');
    expect(ferror(f)).toBe(true);
    await fclose(f);
    kernel.checkInvariants();
  });

  it('returns the bytes read before a failure, with ferror set', async () => {
    const { kernel, sys } = await boot();
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM);
    const f = await fopen(sys, { ref: stream.ref }, 'r');
    await put(sys, stream.ref, 'abc');
    const buf = new Uint8Array(10);
    const pending = fread(f, buf); // takes 'abc', then waits for more
    await new Promise((r) => setTimeout(r, 5));
    await sys.delete(stream.ref); // the reference goes while fread waits
    expect(await pending).toBe(3);
    expect(dec(buf.subarray(0, 3))).toBe('abc');
    expect(ferror(f)).toBe(true);
    expect(feof(f)).toBe(false);
    await fclose(f);
    kernel.checkInvariants();
  });
});

describe('fgetc', () => {
  it('returns each byte (0 to 255), then EOF with feof set', async () => {
    const { kernel, sys } = await boot();
    const content = Uint8Array.of(0, 1, 0x7f, 0x80, 0xff, 10);
    const { ref } = await blobWith(sys, content, { readBufferSize: 4 });
    const f = await fopen(sys, { ref }, 'r');
    const got: number[] = [];
    for (let c = await fgetc(f); c !== EOF; c = await fgetc(f)) got.push(c);
    expect(got).toEqual([...content]);
    expect(feof(f)).toBe(true);
    expect(await fgetc(f)).toBe(EOF);
    await fclose(f);
    kernel.checkInvariants();
  });
});

describe('fgets', () => {
  it('returns lines including their newline, the last one without, then null', async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys, 'one\ntwo\n\nlast', { readBufferSize: 5 });
    const f = await fopen(sys, { ref }, 'r');
    const lines: (string | null)[] = [];
    for (let i = 0; i < 5; i++) lines.push(await fgets(f, Infinity));
    expect(lines).toEqual(['one\n', 'two\n', '\n', 'last', null]);
    expect(feof(f)).toBe(true);
    await fclose(f);
    kernel.checkInvariants();
  });

  it('stops at maxChars code units without splitting a character', async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys, 'abcdé😀x😀\n', { readBufferSize: 4 });
    const f = await fopen(sys, { ref }, 'r');
    expect(await fgets(f, 3)).toBe('abc');
    expect(await fgets(f, 3)).toBe('dé'); // the emoji needs two code units, one is left
    expect(await fgets(f, 2)).toBe('😀');
    expect(await fgets(f, 1)).toBe('x');
    expect(await fgets(f, 1)).toBe('😀'); // alone, a character wider than the limit still comes whole
    expect(await fgets(f, 10)).toBe('\n');
    expect(await fgets(f, 10)).toBeNull();
    await fclose(f);
    kernel.checkInvariants();
  });

  it('maxChars must be a positive integer or Infinity', async () => {
    const { kernel, sys } = await boot();
    const { name } = await blobWith(sys, 'abc');
    const f = await fopen(sys, name, 'r');
    for (const bad of [0, -1, 1.5, NaN, '3' as unknown as number])
      await expectErrno(fgets(f, bad), 'EINVAL', 'maxChars', 'fgets');
    expect(ferror(f)).toBe(true);
    await fclose(f);
    kernel.checkInvariants();
  });

  it('decodes any bytes exactly as TextDecoder does, line by line, whatever the buffer and the limit', async () => {
    const { kernel, sys } = await boot();
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    // Bytes biased towards UTF-8 structure: ASCII, newlines, lead bytes, continuation bytes, and valid text.
    const piece = fc.oneof(
      fc
        .constantFrom(0x0a, 0x41, 0xc2, 0xc3, 0xe0, 0xed, 0xe2, 0xf0, 0xf4, 0xf5, 0x80, 0x9f, 0xa0, 0xbf, 0xef, 0xbb)
        .map((b) => [b]),
      fc.string({ unit: 'binary', maxLength: 4 }).map((s) => [...enc(s)]),
      fc.integer({ min: 0, max: 255 }).map((b) => [b]),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 30 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 6 }),
        async (pieces, bufferSize, limit) => {
          const content = Uint8Array.from(pieces.flat());
          const { ref } = await blobWith(sys, content, { readBufferSize: bufferSize });
          const f = await fopen(sys, { ref }, 'r');
          const parts: string[] = [];
          for (let line = await fgets(f, limit); line !== null; line = await fgets(f, limit)) {
            expect(line.length).toBeLessThanOrEqual(Math.max(limit, 2));
            expect(line.length).toBeGreaterThan(0);
            parts.push(line);
            if (parts.length > 1000) throw new Error('no progress');
          }
          await fclose(f);
          await sys.delete(ref);
          expect(parts.join('')).toBe(decoder.decode(content));
          // A line stops at a newline, or when the next character would not fit.
          for (const p of parts.slice(0, -1)) if (!p.endsWith('\n')) expect(p.length).toBeGreaterThanOrEqual(limit - 1);
          for (const p of parts) expect(p.indexOf('\n')).toBeOneOf([-1, p.length - 1]);
        },
      ),
      { numRuns: 300 },
    );
    kernel.checkInvariants();
  });
});
