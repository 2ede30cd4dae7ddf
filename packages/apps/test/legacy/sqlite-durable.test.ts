/**
 * A SQLite database written by SQLite on DIOS is a durable DIOS blob: after
 * the kernel and its store are closed and a new kernel boots on the same
 * directory, SQLite on DIOS reads the same rows, and the blob, copied out to
 * a host file, is a database native SQLite opens and checks as sound.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeleteFlags, ObjectType, pathName } from '@dios/kernel';
import { exportFile } from '@dios/kernel/node';
import { asScript, fill, nativeOutput, QUERIES, SCHEMA } from './sql-scripts.js';
import { bootLegacyKernel, runWasm, wasmMissing } from './wasm-programs.js';

const skip = wasmMissing('sqlite-shell');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

// The read-only queries: they print the same before and after the restart.
const READS = QUERIES.filter((q) => q.startsWith('SELECT') || q.startsWith('PRAGMA'));

describe.skipIf(skip !== undefined)('a SQLite database on DIOS survives a kernel restart', () => {
  it('the same rows from a new kernel on the same store, and a sound file natively', async () => {
    const store = tempDir('dios-sqlite-durable-');
    const host = tempDir('dios-sqlite-durable-host-');
    const write = [...SCHEMA, ...fill(1000)];
    const expected = nativeOutput(join(host, 'native.db'), [...write, ...READS]);

    const first = await bootLegacyKernel(store);
    const created = await runWasm(first.sys, 'sqlite-shell', ['/shop.db'], asScript([...write, ...READS]));
    await first.close();
    expect(first.failures).toEqual([]);
    expect(created.stderr).toBe('');
    expect(new TextDecoder().decode(created.stdout)).toBe(expected);

    const second = await bootLegacyKernel(store);
    try {
      // The file is a durable blob, named by its path in the root group, back from the store before anything ran.
      const [db] = await second.sys.lookup(await pathName(second.sys.groupNames[0]!, '/shop.db'));
      expect(second.sys.ref(db!).type).toBe(ObjectType.DURABLE_BLOB);
      // DROP: a C program's file is single-delete (unlink destroys it), so a plain delete with WRITE would too.
      await second.sys.delete(db!, DeleteFlags.DROP);
      const again = await runWasm(second.sys, 'sqlite-shell', ['/shop.db'], asScript(READS));
      expect(again.status, again.stderr).toBe(0);
      expect(new TextDecoder().decode(again.stdout)).toBe(expected);
      // No journal was left behind by a clean close.
      await expect(second.sys.lookup(await pathName(second.sys.groupNames[0]!, '/shop.db-journal'))).rejects.toThrow(
        /ENOENT/,
      );
      // The blob holds the database file itself: native SQLite opens a copy and finds it sound, with the rows.
      // (Last: exportFile drops its reference with a plain delete, which destroys a single-delete file.)
      const copy = join(host, 'copied.db');
      expect(await exportFile(second.sys, '/shop.db', copy)).toBeGreaterThan(50_000);
      expect(nativeOutput(copy, ['PRAGMA integrity_check', 'SELECT count(*) FROM orders'])).toBe('ok\n1000\n');
    } finally {
      await second.close();
    }
    expect(second.failures).toEqual([]);
  });
});
