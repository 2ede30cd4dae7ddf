// The write-behind buffer: random writes, reads, truncations and syncs read back what POSIX gives; fsync commits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fclose, fopen, fread } from '@dios/libd';
import { bootWasi, C_DIR, clangMissing, compileC, runWasm, type WasiKernel } from './support.js';

const missing = clangMissing();
const INCLUDE = new URL('../../include/', import.meta.url).pathname;
// More random operations per seed with DIOS_WASI_LONG=1.
const OPS = process.env.DIOS_WASI_LONG === '1' ? 20000 : 600;
const LONG_TIMEOUT = OPS > 600 ? 300_000 : undefined;

describe.skipIf(missing !== undefined)('WASI: write-behind', () => {
  let k: WasiKernel;
  beforeAll(async () => {
    k = await bootWasi({ store: true });
  });
  afterAll(() => k?.close());

  it.each([1, 2, 3])(
    'random pwrite/pread/ftruncate/fsync against a model (seed %i)',
    async (seed) => {
      const r = await runWasm(k.sys, compileC(new URL('writebehind.c', C_DIR)), {
        argv: ['writebehind', String(seed), String(OPS)],
      });
      expect(r.stdout).toMatch(/^ok \d+\n$/);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      k.kernel.checkInvariants();
    },
    LONG_TIMEOUT,
  );

  it('writes are committed at fsync, close and exit, not at each write', async () => {
    const r = await runWasm(k.sys, compileC(new URL('durability.c', C_DIR), [`-I${INCLUDE}`]), {
      argv: ['durability'],
    });
    expect(r.stdout).toBe(
      'before fsync: 0\nafter fsync: 1000\nafter a write: 1000\nafter close: 1004\nO_DSYNC write: 3\nclose after unlink: 0\n',
    );
    expect(r.status).toBe(0);
    const file = await fopen(k.sys, '/journal', 'r');
    const buffer = new Uint8Array(2000);
    const n = await fread(file, buffer);
    await fclose(file);
    expect(n).toBe(1005);
    expect(new TextDecoder().decode(buffer.subarray(1000, n))).toBe('tail!');
    k.kernel.checkInvariants();
  });
});
