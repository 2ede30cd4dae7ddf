/**
 * Paths and the host import/export helpers: host files become durable
 * blobs named by path in the task's first group, and come back unchanged.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CreateFlags, DeleteFlags, Kernel, normalizePath, ObjectType, pathName, pathSeed } from '@dios/kernel';
import {
  exportDirectory,
  exportFile,
  FileBlobStore,
  importDirectory,
  importFile,
  DIRECTORY_INDEX,
} from '@dios/kernel/node';
import { enc, expectErrno } from './helpers.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dios-io-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('normalizePath', () => {
  it.each([
    ['/data/input.txt', '/data/input.txt'],
    ['data//input.txt', '/data/input.txt'],
    ['/a/./b/../c/', '/a/c'],
    ['/../..', '/'],
    ['/', '/'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizePath(input)).toBe(expected);
  });
  it('rejects empty, NUL and over-long paths with EINVAL', async () => {
    await expectErrno(() => normalizePath(''), 'EINVAL', 'path');
    await expectErrno(() => normalizePath('/a\0b'), 'EINVAL', 'path');
    await expectErrno(() => normalizePath('/' + 'x'.repeat(5000)), 'EINVAL', 'path');
  });
});

describe('import and export', () => {
  it('a host file round-trips through a durable blob named by its path, across a restart', async () => {
    const host = tempDir();
    const store = tempDir();
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) & 0xff);
    writeFileSync(join(host, 'in.bin'), bytes);
    const first = await Kernel.boot({ id: 'io', store: new FileBlobStore(store) });
    const name = await importFile(first.init, join(host, 'in.bin'), 'data//in.bin');
    expect(name.equals(await pathName(first.rootGroup.name, '/data/in.bin'))).toBe(true);
    // Importing again replaces the content of the same object.
    writeFileSync(join(host, 'in.bin'), bytes.subarray(0, 10));
    await importFile(first.init, join(host, 'in.bin'), '/data/in.bin');
    first.checkInvariants();

    const second = await Kernel.boot({ id: 'io', store: new FileBlobStore(store) });
    expect(await exportFile(second.init, '/data/in.bin', join(host, 'out', 'copy.bin'))).toBe(10);
    expect([...readFileSync(join(host, 'out', 'copy.bin'))]).toEqual([...bytes.subarray(0, 10)]);
    // The error names the path the caller gave, not the path's 256-bit name.
    const missing = await exportFile(second.init, '/data/missing', join(host, 'x')).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'ENOENT', argument: 'diosPath' });
    expect((missing as Error).message).toContain('/data/missing');
    expect((missing as Error).message).not.toMatch(/[0-9a-f]{64}/);
    second.checkInvariants();
  });

  it('exporting a single-delete file (as a C program makes them) leaves it in place', async () => {
    const kernel = await Kernel.boot({ store: new FileBlobStore(tempDir()) });
    const sys = kernel.init;
    const { ref } = await sys.create(
      ObjectType.DURABLE_BLOB,
      { nameSeed: pathSeed('/made-by-c'), lifecycle: 'single-delete' },
      CreateFlags.NAME_DETERMINISTIC,
    );
    const buf = await sys.beginWrite(ref, 3);
    buf.set(enc('abc'));
    await sys.endWrite(ref, buf);
    await sys.delete(ref, DeleteFlags.DROP);
    const out = join(tempDir(), 'out');
    expect(await exportFile(sys, '/made-by-c', out)).toBe(3);
    expect(await exportFile(sys, '/made-by-c', out)).toBe(3);
    expect(readFileSync(out, 'utf8')).toBe('abc');
  });

  it('a directory tree round-trips, with its index', async () => {
    const host = tempDir();
    mkdirSync(join(host, 'src', 'sub'), { recursive: true });
    writeFileSync(join(host, 'src', 'a.txt'), 'alpha');
    writeFileSync(join(host, 'src', 'sub', 'b.txt'), 'beta');
    writeFileSync(join(host, 'src', 'empty'), '');
    const kernel = await Kernel.boot({ store: new FileBlobStore(tempDir()) });
    const paths = await importDirectory(kernel.init, join(host, 'src'), '/tree');
    expect(paths).toEqual(['/tree/a.txt', '/tree/empty', '/tree/sub/b.txt']);
    const written = await exportDirectory(kernel.init, '/tree', join(host, 'dst'));
    expect(written).toEqual(['a.txt', 'empty', 'sub/b.txt']);
    expect(readFileSync(join(host, 'dst', 'a.txt'), 'utf8')).toBe('alpha');
    expect(readFileSync(join(host, 'dst', 'sub', 'b.txt'), 'utf8')).toBe('beta');
    expect(readFileSync(join(host, 'dst', 'empty'), 'utf8')).toBe('');
    kernel.checkInvariants();
  });

  it('an index that points outside the target directory is refused before anything is written', async () => {
    const host = tempDir();
    const kernel = await Kernel.boot({ store: new FileBlobStore(tempDir()) });
    writeFileSync(join(host, 'evil-index'), enc('ok.txt\n../escaped.txt\n'));
    writeFileSync(join(host, 'ok.txt'), 'fine');
    await importFile(kernel.init, join(host, 'ok.txt'), '/evil/ok.txt');
    await importFile(kernel.init, join(host, 'ok.txt'), '/evil/escaped.txt');
    await importFile(kernel.init, join(host, 'evil-index'), `/evil/${DIRECTORY_INDEX}`);
    const target = join(host, 'out');
    await expectErrno(exportDirectory(kernel.init, '/evil', target), 'EINVAL', 'index');
    expect(existsSync(join(host, 'escaped.txt'))).toBe(false);
    expect(existsSync(join(target, 'ok.txt'))).toBe(false);
    kernel.checkInvariants();
  });
});
