// A file written by libd's fopen is the file a C program reads, and the other way round; C's files survive a restart.
import { afterAll, describe, expect, it } from 'vitest';
import { fclose, fopen, fread, fwrite } from '@dios/libd';
import type { SystemCalls } from '@dios/kernel';
import { bootWasi, C_DIR, clangMissing, compileC, runWasm, type WasiKernel } from './support.js';

const missing = clangMissing();

async function readFile(sys: SystemCalls, path: string): Promise<string> {
  const file = await fopen(sys, path, 'r');
  const buffer = new Uint8Array(4096);
  const n = await fread(file, buffer);
  await fclose(file);
  return new TextDecoder().decode(buffer.subarray(0, n));
}

describe.skipIf(missing !== undefined)('WASI files are libd paths', () => {
  const kernels: WasiKernel[] = [];
  afterAll(async () => {
    for (const k of kernels.splice(0)) await k.close();
  });

  it('fopen writes, C reads; C writes, fopen reads; the C file is there after a restart', async () => {
    const image = compileC(new URL('cat.c', C_DIR));
    const first = await bootWasi({ store: true });
    kernels.push(first);
    const file = await fopen(first.sys, '/from-libd.txt', 'w');
    await fwrite(file, new TextEncoder().encode('written by fopen\n'));
    await fclose(file);
    const r = await runWasm(first.sys, image, { argv: ['cat', '/from-libd.txt', '/from-c.txt', 'written by C\n'] });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('written by fopen\n');
    expect(r.status).toBe(0);
    expect(await readFile(first.sys, '/from-c.txt')).toBe('written by C\n');
    first.kernel.checkInvariants();
    await first.close(true);
    kernels.pop();

    const second = await bootWasi({ store: true, dir: first.dir! });
    kernels.push(second);
    expect(await readFile(second.sys, '/from-c.txt')).toBe('written by C\n');
    const again = await runWasm(second.sys, image, { argv: ['cat', '/from-c.txt', '/again.txt', 'x'] });
    expect(again.stdout).toBe('written by C\n');
    expect(again.status).toBe(0);
    second.kernel.checkInvariants();
  });

  it('a missing file: the C program says so and fails', async () => {
    const k = await bootWasi();
    kernels.push(k);
    const r = await runWasm(k.sys, compileC(new URL('cat.c', C_DIR)), { argv: ['cat', '/nope', '/out', 'x'] });
    expect(r.stderr).toBe('/nope: No such file or directory\n');
    expect(r.status).toBe(1);
    k.kernel.checkInvariants();
  });
});
