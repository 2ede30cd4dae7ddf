import { describe, expect, it } from 'vitest';
import { EndWriteFlags, ObjectType, Rights } from '@dios/kernel';
import {
  clearerr,
  fclose,
  feof,
  ferror,
  fflush,
  fflushAll,
  fgetc,
  fgets,
  FILE,
  fopen,
  fputc,
  fputs,
  fread,
  fseek,
  ftell,
  fwrite,
  rewind,
  setvbuf,
} from '@dios/libd';
import { blobWith, boot, contentOf, dec, enc, expectErrno, put, spawn } from './stdio-helpers.js';

/** Every stdio function, applied to `f` with harmless arguments. */
const uses: Record<string, (f: FILE) => unknown> = {
  fread: (f) => fread(f, new Uint8Array(1)),
  fgetc: (f) => fgetc(f),
  fgets: (f) => fgets(f, 10),
  fwrite: (f) => fwrite(f, enc('x')),
  fputc: (f) => fputc(f, 1),
  fputs: (f) => fputs(f, 'x'),
  fseek: (f) => fseek(f, 0),
  ftell: (f) => ftell(f),
  rewind: (f) => rewind(f),
  fflush: (f) => fflush(f),
  fclose: (f) => fclose(f),
  feof: (f) => feof(f),
  ferror: (f) => ferror(f),
  clearerr: (f) => clearerr(f),
  setvbuf: (f) => setvbuf(f, 'none'),
};

describe('fclose', () => {
  it('writes out pending output', async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys);
    const f = await fopen(sys, { ref }, 'w');
    await fputs(f, 'pending');
    expect(sys.ref(ref).size).toBe(0);
    await fclose(f);
    expect(dec(await contentOf(sys, ref))).toBe('pending');
    kernel.checkInvariants();
  });

  it('after it, every function is EBADF naming stream (with the function as the syscall)', async () => {
    const { kernel, sys } = await boot();
    const { name } = await blobWith(sys, 'abc');
    const f = await fopen(sys, name, 'r+');
    await fclose(f);
    expect(f.closed).toBe(true);
    for (const [fn, use] of Object.entries(uses)) await expectErrno(() => use(f), 'EBADF', 'stream', fn);
    kernel.checkInvariants();
  });

  it('something that is not an open FILE is EBADF naming stream', async () => {
    const { kernel } = await boot();
    const fake = Object.create(FILE.prototype) as FILE;
    for (const [fn, use] of Object.entries(uses)) {
      await expectErrno(() => use(fake), 'EBADF', 'stream', fn);
      await expectErrno(() => use({} as FILE), 'EBADF', 'stream', fn);
    }
    kernel.checkInvariants();
  });

  it('closes the FILE and deletes its reference even when writing out fails, then throws', async () => {
    const { kernel, sys } = await boot();
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM);
    const before = sys.handles;
    const f = await fopen(sys, stream.name, 'w');
    await fputs(f, 'too late');
    await put(sys, stream.ref, '', EndWriteFlags.END_OF_STREAM);
    await expectErrno(fclose(f), 'EPIPE');
    expect(f.closed).toBe(true);
    expect(sys.handles).toEqual(before);
    kernel.checkInvariants();
  });

  it('succeeds when the object was destroyed meanwhile and nothing is pending', async () => {
    const { kernel, sys } = await boot();
    const group = await sys.create(ObjectType.GROUP);
    const { ref, name } = await blobWith(sys, 'x', { group: group.ref, lifecycle: 'single-delete' });
    const [readOnly] = await sys.copy([group.ref], sys.self, { rights: Rights.READ | Rights.DELEGATE });
    let opened!: () => void;
    const ready = new Promise<void>((resolve) => (opened = resolve));
    let destroyed!: () => void;
    const gone = new Promise<void>((resolve) => (destroyed = resolve));
    const child = await spawn(
      kernel,
      sys,
      async (c) => {
        const f = await fopen(c, name, 'r'); // found read-only: deleting this reference only drops it
        opened();
        await gone;
        await expectErrno(fgetc(f), 'EBADF', 'ref', 'beginRead');
        await fclose(f);
        expect(f.closed).toBe(true);
      },
      { groups: [readOnly!] },
    );
    await ready;
    await sys.delete(ref); // a reference with WRITE: destroys the single-delete blob, revoking the FILE's reference
    destroyed();
    await child.done;
    kernel.checkInvariants();
  });

  it('closing a FILE opened by name never destroys what it names, even a writable single-delete object', async () => {
    const { kernel, sys } = await boot();
    const { ref, name } = await blobWith(sys, 'precious', { lifecycle: 'single-delete' });
    const f = await fopen(sys, name, 'r+'); // the looked-up reference can write
    await fclose(f); // fclose drops its reference with DeleteFlags.DROP
    expect(sys.ref(ref).open).toBe(true);
    const again = await fopen(sys, name, 'r');
    const buf = new Uint8Array(8);
    expect(await fread(again, buf)).toBe(8);
    expect(new TextDecoder().decode(buf)).toBe('precious');
    await fclose(again);
    kernel.checkInvariants();
  });

  it('a second fclose is EBADF', async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys);
    const f = await fopen(sys, { ref }, 'r');
    const first = fclose(f);
    const second = fclose(f); // queued behind the first
    await first;
    await expectErrno(second, 'EBADF', 'stream', 'fclose');
    kernel.checkInvariants();
  });
});

describe('fflushAll', () => {
  it("writes out every open FILE of the task, and only the task's", async () => {
    const { kernel, sys } = await boot();
    const other = await kernel.attachTask(['other']);
    const a = await blobWith(sys);
    const b = await blobWith(sys);
    const c = await blobWith(sys);
    const fa = await fopen(sys, a.name, 'w');
    const fb = await fopen(sys, b.name, 'a');
    const closed = await fopen(sys, b.name, 'r');
    await fclose(closed);
    const fc = await fopen(other, c.name, 'w');
    for (const f of [fa, fb, fc]) await fputs(f, 'data');
    await fflushAll(sys);
    expect(dec(await contentOf(sys, a.ref))).toBe('data');
    expect(dec(await contentOf(sys, b.ref))).toBe('data');
    expect(sys.ref(c.ref).size).toBe(0);
    for (const f of [fa, fb, fc]) await fclose(f);
    kernel.checkInvariants();
  });

  it('flushes the others when one fails, then throws that failure', async () => {
    const { kernel, sys } = await boot();
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM);
    const blob = await blobWith(sys);
    const broken = await fopen(sys, { ref: stream.ref }, 'w');
    const fine = await fopen(sys, { ref: blob.ref }, 'w');
    await fputs(broken, 'x');
    await fputs(fine, 'y');
    await put(sys, stream.ref, '', EndWriteFlags.END_OF_STREAM);
    await expectErrno(fflushAll(sys), 'EPIPE');
    expect(dec(await contentOf(sys, blob.ref))).toBe('y');
    expect([ferror(broken), ferror(fine)]).toEqual([true, false]);
    await fclose(broken);
    await fclose(fine);
    kernel.checkInvariants();
  });
});
