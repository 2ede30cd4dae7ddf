import { describe, expect, it } from 'vitest';
import { ObjectType } from '@dios/kernel';
import {
  fclose,
  feof,
  ferror,
  fgetc,
  fopen,
  fputs,
  fread,
  fseek,
  ftell,
  rewind,
  SEEK_CUR,
  SEEK_END,
  SEEK_SET,
  stdio,
  type Whence,
} from '@dios/libd';
import { blobWith, boot, contentOf, dec, expectErrno } from './stdio-helpers.js';

describe('fseek and ftell', () => {
  it('move from the start, the current position and the end', async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys, 'abcdefghij', { readBufferSize: 4 });
    const f = await fopen(sys, { ref }, 'r');
    await fseek(f, 3, SEEK_SET);
    expect(ftell(f)).toBe(3);
    expect(await fgetc(f)).toBe('d'.charCodeAt(0));
    expect(ftell(f)).toBe(4); // read-ahead does not move the position
    await fseek(f, 2, SEEK_CUR);
    expect(ftell(f)).toBe(6);
    expect(await fgetc(f)).toBe('g'.charCodeAt(0));
    await fseek(f, -1, SEEK_CUR);
    expect(await fgetc(f)).toBe('g'.charCodeAt(0));
    await fseek(f, -3, SEEK_END);
    expect(ftell(f)).toBe(7);
    expect(await fgetc(f)).toBe('h'.charCodeAt(0));
    await fseek(f, 5); // whence defaults to SEEK_SET
    expect(ftell(f)).toBe(5);
    await fclose(f);
    kernel.checkInvariants();
  });

  it('count pending output in the position, and write it out before moving', async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys, '', { writeBufferSize: 100 });
    const f = await fopen(sys, { ref }, 'w+');
    await fputs(f, 'hello');
    expect(ftell(f)).toBe(5);
    expect(sys.ref(ref).size).toBe(0);
    await fseek(f, 0, SEEK_END);
    expect(sys.ref(ref).size).toBe(5);
    expect(ftell(f)).toBe(5);
    await fclose(f);
    kernel.checkInvariants();
  });

  it('a position below 0 is EINVAL naming offset, and the position stays', async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys, 'abc');
    const f = await fopen(sys, { ref }, 'r');
    await fseek(f, 2, SEEK_SET);
    await expectErrno(fseek(f, -1, SEEK_SET), 'EINVAL', 'offset', 'fseek');
    await expectErrno(fseek(f, -3, SEEK_CUR), 'EINVAL', 'offset');
    await expectErrno(fseek(f, -4, SEEK_END), 'EINVAL', 'offset');
    expect(ftell(f)).toBe(2);
    expect(ferror(f)).toBe(true);
    await fclose(f);
    kernel.checkInvariants();
  });

  it('a bad whence or a non-integer offset is EINVAL', async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys, 'abc');
    const f = await fopen(sys, { ref }, 'r');
    await expectErrno(fseek(f, 0, 3 as Whence), 'EINVAL', 'whence');
    await expectErrno(fseek(f, 0, -1 as Whence), 'EINVAL', 'whence');
    await expectErrno(fseek(f, 0.5, SEEK_SET), 'EINVAL', 'offset');
    await expectErrno(fseek(f, NaN, SEEK_SET), 'EINVAL', 'offset');
    await fclose(f);
    kernel.checkInvariants();
  });

  it('a successful fseek clears end of file; a failed one does not', async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys, 'ab');
    const f = await fopen(sys, { ref }, 'r');
    await fread(f, new Uint8Array(5));
    expect(feof(f)).toBe(true);
    await expectErrno(fseek(f, -10, SEEK_CUR), 'EINVAL');
    expect(feof(f)).toBe(true);
    await fseek(f, 0, SEEK_END);
    expect(feof(f)).toBe(false);
    await fclose(f);
    kernel.checkInvariants();
  });
});

describe('rewind', () => {
  it('goes back to the start and clears both indicators', async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys, 'xyz');
    const f = await fopen(sys, { ref }, 'r+');
    await fread(f, new Uint8Array(10));
    await expectErrno(fseek(f, -100, SEEK_SET), 'EINVAL');
    expect([feof(f), ferror(f)]).toEqual([true, true]);
    await fputs(f, '!');
    await rewind(f);
    expect([feof(f), ferror(f), ftell(f)]).toEqual([false, false, 0]);
    const buf = new Uint8Array(4);
    expect(await fread(f, buf)).toBe(4);
    expect(dec(buf)).toBe('xyz!');
    await fclose(f);
    expect(dec(await contentOf(sys, ref))).toBe('xyz!');
    kernel.checkInvariants();
  });
});

describe('streams and the console have no position', () => {
  it('fseek, ftell and rewind are ESPIPE naming stream, and set ferror', async () => {
    const { kernel, sys } = await boot();
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM);
    const s = await fopen(sys, { ref: stream.ref }, 'r+');
    const { stdout, stdin } = await stdio(sys);
    for (const f of [s, stdout, stdin]) {
      await expectErrno(fseek(f, 0, SEEK_SET), 'ESPIPE', 'stream', 'fseek');
      expect(ferror(f)).toBe(true);
      await expectErrno(() => ftell(f), 'ESPIPE', 'stream', 'ftell');
      await expectErrno(rewind(f), 'ESPIPE', 'stream', 'rewind');
    }
    await fclose(s);
    kernel.checkInvariants();
  });
});
