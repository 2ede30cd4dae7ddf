/**
 * fopen by path: a path names the object seeded from it in the task's first
 * group; creating modes make it (durable when the kernel has a store).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Kernel, ObjectType, pathName, Rights } from '@dios/kernel';
import { FileBlobStore } from '@dios/kernel/node';
import { fclose, fgets, fopen, fputs } from '../src/index.js';
import { boot, expectErrno } from './stdio-helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('fopen by path', () => {
  it('w creates the object, r reads it back, a appends; the path is normalised', async () => {
    const { kernel, sys } = await boot();
    const out = await fopen(sys, '/data/notes.txt', 'w');
    await fputs(out, 'one\n');
    await fclose(out);
    const more = await fopen(sys, 'data//./notes.txt', 'a');
    await fputs(more, 'two\n');
    await fclose(more);
    const back = await fopen(sys, '/data/notes.txt', 'r');
    expect(await fgets(back, 100)).toBe('one\n');
    expect(await fgets(back, 100)).toBe('two\n');
    expect(await fgets(back, 100)).toBeNull();
    await fclose(back);
    // The object is the one pathName names in the task's first group.
    const [ref] = await sys.lookup(await pathName(kernel.rootGroup.name, '/data/notes.txt'));
    expect(sys.ref(ref!).size).toBe(8);
    expect(sys.ref(ref!).type).toBe(ObjectType.SHARED_MEMORY_BLOB);
    kernel.checkInvariants();
  });

  it('on a kernel with a store, files are durable and survive a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dios-libd-'));
    dirs.push(dir);
    const first = await Kernel.boot({ id: 'p', store: new FileBlobStore(dir) });
    const f = await fopen(first.init, '/kept', 'w');
    await fputs(f, 'still here');
    await fclose(f);
    const second = await Kernel.boot({ id: 'p', store: new FileBlobStore(dir) });
    const g = await fopen(second.init, '/kept', 'r');
    expect(await fgets(g, 100)).toBe('still here');
    await fclose(g);
    const [ref] = await second.init.lookup(await pathName(second.rootGroup.name, '/kept'));
    expect(second.init.ref(ref!).persistent).toBe(true);
    second.checkInvariants();
  });

  it('r of a missing path is ENOENT; creating needs write rights on the first group; no group is ENOENT; each names the path', async () => {
    const { kernel, sys } = await boot();
    await expectErrno(fopen(sys, '/missing', 'r'), 'ENOENT');
    await expectErrno(fopen(sys, '/missing', 'r+'), 'ENOENT');
    const reader = await kernel.attachTask(['reader'], [{ group: kernel.rootGroup, rights: Rights.READ }]);
    await expectErrno(fopen(reader, '/new', 'w'), 'EACCES', '/new', 'fopen');
    const loner = await kernel.attachTask(['loner'], []);
    await expectErrno(fopen(loner, '/new', 'w'), 'ENOENT', '/new', 'fopen');
    kernel.checkInvariants();
  });
});
