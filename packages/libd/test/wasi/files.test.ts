// File calls (open, create, read, write, seek, pread, pwrite, truncate, stat, unlink, rename, mkdir, readdir, rmdir) on a durable store and in memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootWasi, C_DIR, clangMissing, compileC, runWasm, type WasiKernel } from './support.js';

const missing = clangMissing();

const TRANSCRIPT = `open in missing dir: -1 No such file or directory
mkdir /t: 0
mkdir /t again: -1 File exists
open: 1
write: 13
lseek end: 13
lseek set: 7
read: 5
got [world]
pwrite: 5
pread: 13
got [hello, WORLD
]
pwrite past end: 1
fstat: 0
size 21 regular 1
ftruncate: 0
fsync: 0
close: 0
stat: 0
size 5
stat dir: 0
dir 1
stat missing: -1 No such file or directory
open excl: -1 File exists
open missing: -1 No such file or directory
open dir for writing: -1 Is a directory
open file as dir: -1 Not a directory
mkdir /t/sub: 0
ls /t: a.txt sub/
rename: 0
ls /t: sub/
ls /t/sub: b.txt
read renamed: 5
got [hello]
rmdir non-empty: -1 Directory not empty
unlink dir: -1 Is a directory
rmdir file: -1 Not a directory
unlink: 0
unlink again: -1 No such file or directory
rmdir: 0
ls /t:
rename dir: 0
ls /: u/
read log: 14
got [one
two
three
]
`;

describe.skipIf(missing !== undefined)('WASI: files and directories', () => {
  let image: Uint8Array;
  beforeAll(() => {
    image = compileC(new URL('fileio.c', C_DIR));
  });

  describe.each([
    ['a durable store', true],
    ['memory (no store)', false],
  ])('on %s', (_label, store) => {
    let k: WasiKernel;
    beforeAll(async () => {
      k = await bootWasi({ store });
    });
    afterAll(() => k?.close());

    it('gives the transcript POSIX gives', async () => {
      const r = await runWasm(k.sys, image, { argv: ['fileio'] });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(TRANSCRIPT);
      expect(r.status).toBe(0);
      expect(k.failures).toEqual([]);
      k.kernel.checkInvariants();
    });
  });
});
