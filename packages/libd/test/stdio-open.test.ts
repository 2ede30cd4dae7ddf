import { describe, expect, it } from 'vitest';
import { Name, ObjectType, Rights, RunFlags, PauseFlags } from '@dios/kernel';
import {
  fclose,
  feof,
  ferror,
  fgets,
  fopen,
  fread,
  fputs,
  fseek,
  ftell,
  fwrite,
  SEEK_SET,
  type FILE,
} from '@dios/libd';
import { blobWith, boot, contentOf, dec, enc, expectErrno, put, spawn } from './stdio-helpers.js';

async function readRest(file: FILE): Promise<string> {
  const buf = new Uint8Array(1024);
  const n = await fread(file, buf);
  return dec(buf.subarray(0, n));
}

describe('fopen: modes', () => {
  it('accepts r, w, a with an optional + and a b anywhere after the letter', async () => {
    const { kernel, sys } = await boot();
    const { name } = await blobWith(sys, 'x');
    for (const mode of ['r', 'rb', 'r+', 'rb+', 'r+b', 'w', 'wb', 'w+', 'wb+', 'w+b', 'a', 'ab', 'a+', 'ab+', 'a+b']) {
      const f = await fopen(sys, name, mode);
      expect(f.mode).toBe(mode);
      await fclose(f);
    }
    kernel.checkInvariants();
  });

  it('rejects any other mode with EINVAL naming mode, before looking anything up', async () => {
    const { kernel, sys } = await boot();
    const { name } = await blobWith(sys, 'x');
    const before = sys.handles;
    for (const mode of ['', 'x', 'R', 'rw', 'r++', 'rbb', 'br', '+r', 'r+b+', 'w ', 'a+x', 'rt']) {
      await expectErrno(fopen(sys, name, mode), 'EINVAL', 'mode', 'fopen');
    }
    await expectErrno(fopen(sys, name, 3 as unknown as string), 'EINVAL', 'mode');
    // A bad mode on an unknown name is still a mode error: the mode is checked first.
    await expectErrno(fopen(sys, Name.random(), 'q'), 'EINVAL', 'mode');
    expect(sys.handles).toEqual(before);
    kernel.checkInvariants();
  });

  it('r reads from the start and leaves the content alone', async () => {
    const { kernel, sys } = await boot();
    const { name, ref } = await blobWith(sys, 'hello');
    const f = await fopen(sys, name, 'r');
    expect(ftell(f)).toBe(0);
    expect(await readRest(f)).toBe('hello');
    await fclose(f);
    expect(dec(await contentOf(sys, ref))).toBe('hello');
    kernel.checkInvariants();
  });

  it('w and w+ empty the blob at once; r+ does not', async () => {
    const { kernel, sys } = await boot();
    for (const mode of ['w', 'w+']) {
      const { name, ref } = await blobWith(sys, 'old content');
      const f = await fopen(sys, name, mode);
      expect(sys.ref(ref).size).toBe(0);
      await fputs(f, 'new');
      await fclose(f);
      expect(dec(await contentOf(sys, ref))).toBe('new');
    }
    const { name, ref } = await blobWith(sys, 'old content');
    const f = await fopen(sys, name, 'r+');
    await fputs(f, 'NEW');
    await fclose(f);
    expect(dec(await contentOf(sys, ref))).toBe('NEW content');
    kernel.checkInvariants();
  });

  it('a starts at the end and a+ at the start; both write at the end', async () => {
    const { kernel, sys } = await boot();
    const { name, ref } = await blobWith(sys, 'abc');
    const a = await fopen(sys, name, 'a');
    expect(ftell(a)).toBe(3);
    await fputs(a, 'de');
    await fclose(a);
    const ap = await fopen(sys, name, 'a+');
    expect(ftell(ap)).toBe(0);
    expect(await readRest(ap)).toBe('abcde');
    await fseek(ap, 1, SEEK_SET);
    await fputs(ap, 'F');
    expect(ftell(ap)).toBe(6);
    await fclose(ap);
    expect(dec(await contentOf(sys, ref))).toBe('abcdeF');
    kernel.checkInvariants();
  });
});

describe('fopen: targets', () => {
  it('opens a Name, its 64 hex digits (either case), or a held reference', async () => {
    const { kernel, sys } = await boot();
    const { name, ref } = await blobWith(sys, 'data');
    for (const target of [name, name.toString(), name.toString().toUpperCase(), { ref }]) {
      const f = await fopen(sys, target, 'r');
      expect(await readRest(f)).toBe('data');
      await fclose(f);
    }
    kernel.checkInvariants();
  });

  it('a name opens a reference of its own, deleted by fclose; a { ref } target is used as is and kept', async () => {
    const { kernel, sys } = await boot();
    const { name, ref } = await blobWith(sys, 'data');
    const before = sys.handles;
    const byName = await fopen(sys, name, 'r');
    expect(byName.handle).not.toBe(ref);
    expect(sys.handles).toEqual([...before, byName.handle]);
    await fclose(byName);
    expect(sys.handles).toEqual(before);
    const byRef = await fopen(sys, { ref }, 'r+');
    expect(byRef.handle).toBe(ref);
    await fclose(byRef);
    expect(sys.handles).toEqual(before);
    expect(sys.ref(ref).open).toBe(true);
    kernel.checkInvariants();
  });

  it('w on a { ref } target empties it too', async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys, 'old');
    const f = await fopen(sys, { ref }, 'w');
    expect(sys.ref(ref).size).toBe(0);
    await fclose(f);
    kernel.checkInvariants();
  });

  it('a name nobody can resolve is ENOENT', async () => {
    const { kernel, sys } = await boot();
    const before = sys.handles;
    await expectErrno(fopen(sys, Name.random(), 'r'), 'ENOENT');
    await expectErrno(fopen(sys, Name.random().toString(), 'w'), 'ENOENT');
    expect(sys.handles).toEqual(before);
    kernel.checkInvariants();
  });

  it('a string that is not 64 hex digits is a path: ENOENT to read when nothing is there, EINVAL when empty', async () => {
    const { kernel, sys } = await boot();
    for (const target of ['/data/x', 'abc', 'g'.repeat(64), 'a'.repeat(63), 'a'.repeat(65)]) {
      await expectErrno(fopen(sys, target, 'r'), 'ENOENT', target, 'fopen');
    }
    await expectErrno(fopen(sys, '', 'r'), 'EINVAL', 'target', 'fopen');
    await expectErrno(fopen(sys, '/a\0b', 'w'), 'EINVAL', 'target', 'fopen');
    await expectErrno(fopen(sys, 42 as unknown as string, 'r'), 'EINVAL', 'target');
    await expectErrno(fopen(sys, null as unknown as string, 'r'), 'EINVAL', 'target');
    kernel.checkInvariants();
  });

  it('a handle the task does not hold is EBADF naming target.ref', async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys, 'x');
    await sys.delete(ref);
    await expectErrno(fopen(sys, { ref }, 'r'), 'EBADF', 'target.ref', 'fopen');
    await expectErrno(fopen(sys, { ref: 999 }, 'r'), 'EBADF', 'target.ref');
    await expectErrno(fopen(sys, { ref: '3' } as unknown as { ref: number }, 'r'), 'EINVAL', 'target.ref');
    kernel.checkInvariants();
  });

  it('a task or a group has no bytes: EINVAL naming target, and the looked-up reference is not kept', async () => {
    const { kernel, sys } = await boot();
    const group = await sys.create(ObjectType.GROUP);
    const before = sys.handles;
    await expectErrno(fopen(sys, group.name, 'r'), 'EINVAL', 'target');
    await expectErrno(fopen(sys, sys.taskName, 'r'), 'EINVAL', 'target');
    await expectErrno(fopen(sys, { ref: sys.self }, 'r'), 'EINVAL', 'target');
    expect(sys.handles).toEqual(before);
    kernel.checkInvariants();
  });
});

describe('fopen: rights', () => {
  it('a name found only through a read-only group opens for r, and is EACCES (mode) for any writing mode', async () => {
    const { kernel, sys } = await boot();
    const group = await sys.create(ObjectType.GROUP);
    const { name } = await blobWith(sys, 'shared', { group: group.ref });
    const [readOnly] = await sys.copy([group.ref], sys.self, { rights: Rights.READ | Rights.DELEGATE });
    const child = await spawn(
      kernel,
      sys,
      async (c) => {
        const f = await fopen(c, name, 'r');
        expect(await readRest(f)).toBe('shared');
        await fclose(f);
        const before = c.handles;
        for (const mode of ['w', 'a', 'r+', 'w+', 'a+'])
          await expectErrno(fopen(c, name, mode), 'EACCES', 'mode', 'fopen');
        expect(c.handles).toEqual(before);
      },
      { groups: [readOnly!] },
    );
    await child.done;
    kernel.checkInvariants();
  });

  it('a stream reference without DELEGATE cannot be narrowed and is used as found', async () => {
    const { kernel, sys } = await boot();
    const group = await sys.create(ObjectType.GROUP);
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { group: group.ref });
    await put(sys, stream.ref, 'abc');
    const child = await spawn(
      kernel,
      sys,
      async (c) => {
        // The child's only way to the stream is a group reference with rw-- (no delegation).
        const before = c.handles;
        const f = await fopen(c, stream.name, 'r');
        expect(c.handles).toEqual([...before, f.handle]);
        const buf = new Uint8Array(3);
        expect(await fread(f, buf)).toBe(3);
        expect(dec(buf)).toBe('abc');
        await fclose(f);
      },
      {},
      RunFlags.START_PAUSED,
    );
    await sys.copy([group.ref], child.task, { rights: Rights.READ | Rights.WRITE });
    await sys.pause(child.task, PauseFlags.RESUME);
    await child.done;
    kernel.checkInvariants();
  });

  it('a stream opened with r by name does not count as a writer: it ends when the real writer goes', async () => {
    const { kernel, sys } = await boot();
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM);
    const reader = await fopen(sys, stream.name, 'r');
    await put(sys, stream.ref, 'last words');
    await sys.delete(stream.ref); // the only writer goes: the stream ends
    expect(await fgets(reader, 100)).toBe('last words');
    expect(await fgets(reader, 100)).toBeNull();
    expect(feof(reader)).toBe(true);
    expect(ferror(reader)).toBe(false);
    await fclose(reader);
    kernel.checkInvariants();
  });

  it('a stream opened with w by name does not count as a reader: writing fails with EPIPE once the reader goes', async () => {
    const { kernel, sys } = await boot();
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM);
    const [readOnly] = await sys.copy([stream.ref], sys.self, { rights: Rights.READ });
    const writer = await fopen(sys, stream.name, 'w');
    await sys.delete(stream.ref);
    await fputs(writer, 'x');
    await sys.delete(readOnly!);
    await expectErrno(fclose(writer), 'EPIPE');
    kernel.checkInvariants();
  });
});

describe('fopen: round trip', () => {
  it('writes through one FILE and reads back through another', async () => {
    const { kernel, sys } = await boot();
    const { name } = await blobWith(sys);
    const w = await fopen(sys, name, 'w');
    await fwrite(w, enc('line 1\nline 2\n'));
    await fclose(w);
    const r = await fopen(sys, name, 'r');
    expect(await fgets(r, 100)).toBe('line 1\n');
    expect(await fgets(r, 100)).toBe('line 2\n');
    expect(await fgets(r, 100)).toBeNull();
    await fclose(r);
    kernel.checkInvariants();
  });
});
