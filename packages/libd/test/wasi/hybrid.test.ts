// The hybrid example (examples/c/blob-reader.c): DIOS calls from C beside printf; a hybrid process shows as one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectType } from '@dios/kernel';
import { bootWasi, C_DIR, clangMissing, compileC, runWasm, type WasiKernel } from './support.js';

const missing = clangMissing();
const EXAMPLE = new URL('../../../../examples/c/blob-reader.c', import.meta.url);
const INCLUDE = new URL('../../include/', import.meta.url).pathname;

describe.skipIf(missing !== undefined)('WASI: hybrid processes (the dios import module)', () => {
  let k: WasiKernel;
  let reader: Uint8Array;
  beforeAll(async () => {
    reader = compileC(EXAMPLE, [`-I${INCLUDE}`]);
    k = await bootWasi();
  });
  afterAll(() => k?.close());

  it('blob-reader prints a blob it reads by name; its task reference says hybrid, a pure WASI one legacy', async () => {
    const text = 'x'.repeat(5000) + '\nthe end\n';
    const { name, ref } = await k.sys.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
    const bytes = new TextEncoder().encode(text);
    const buffer = await k.sys.beginWrite(ref, bytes.length);
    buffer.set(bytes);
    await k.sys.endWrite(ref, buffer);
    const r = await runWasm(k.sys, reader, { argv: ['blob-reader', name.key] });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${text}(${bytes.length} bytes)\n`);
    expect(r.status).toBe(0);
    expect(r.process).toBe('hybrid');
    const legacy = await runWasm(k.sys, compileC(new URL('stdio.c', C_DIR)), { argv: ['stdio'] });
    expect(legacy.process).toBe('legacy');
    expect(k.failures).toEqual([]);
    k.kernel.checkInvariants();
  });

  it('a name that resolves to nothing, and a bad argument', async () => {
    const r = await runWasm(k.sys, reader, { argv: ['blob-reader', 'ab'.repeat(32)] });
    expect(r.stderr).toBe(`${'ab'.repeat(32)}: lookup failed (WASI errno 44)\n`);
    expect(r.status).toBe(1);
    const bad = await runWasm(k.sys, reader, { argv: ['blob-reader', 'xyz'] });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^usage: /);
    k.kernel.checkInvariants();
  });

  it('dios_path_name names the file open(2) opens, and writes through begin_write/end_write reach it', async () => {
    const r = await runWasm(k.sys, compileC(new URL('hybrid-paths.c', C_DIR), [`-I${INCLUDE}`]), {
      argv: ['hybrid-paths'],
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('via DIOS: written with write(2)\nvia open: written with DIOS\n');
    expect(r.status).toBe(0);
    k.kernel.checkInvariants();
  });
});
