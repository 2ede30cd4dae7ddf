import { afterEach, describe, expect, it } from 'vitest';
import { Kernel, Name, ObjectType, formatTaskReports, monitorTasks, wasmImportModules } from '@dios/kernel';
import { useWorkers, type WorkerPool } from '@dios/kernel/node';
import { dec, expectErrno, readAll, writeAll } from '../helpers.js';
import { wasmImporting } from '../support/wasm-module.js';

const INTERPRETER = { module: new URL('../fixtures/interpreter.ts', import.meta.url).href };
const pools: WorkerPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

async function setup(options: { workers?: boolean; interpreter?: boolean } = {}) {
  const kernel = await Kernel.boot();
  if (options.workers !== false) pools.push(useWorkers(kernel, { size: 1 }));
  if (options.interpreter !== false) kernel.registerInterpreter('wasm', INTERPRETER);
  const sys = kernel.init;
  const binary = async (bytes: Uint8Array) => {
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    await writeAll(sys, ref, bytes);
    return ref;
  };
  return { kernel, sys, binary };
}

describe('interpreters: run of a WebAssembly binary', () => {
  it.each([
    ['legacy', ['wasi_snapshot_preview1']],
    ['hybrid', ['wasi_snapshot_preview1', 'dios']],
  ] as const)(
    'starts the interpreter in a worker with the image and blocking calls: a %s process',
    async (kind, modules) => {
      const { kernel, sys, binary } = await setup();
      const image = wasmImporting(...modules);
      const task = await sys.run(await binary(image), { argv: ['prog', 'out-seed', 'a', 'b'] });
      expect(sys.ref(task).process).toBe(kind);
      await sys.select([task]);
      expect(sys.ref(task).task).toEqual({ state: 'exited', exitStatus: 7 });
      const [out] = await sys.lookup(await Name.seeded(sys.groupNames[0]!, 'out-seed'));
      expect(dec((await readAll(sys, out!)).bytes)).toBe(`${image.length} a,b`);
      const report = monitorTasks(kernel).find((r) => r.argv[0] === 'prog');
      expect(report?.process).toBe(kind);
      expect(formatTaskReports(monitorTasks(kernel))).toContain(kind);
      kernel.checkInvariants();
    },
  );

  it('a program binary makes a pure process', async () => {
    const { kernel, sys } = await setup({ workers: false });
    const bytes = kernel.registerProgram('noop', () => 0);
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    await writeAll(sys, ref, bytes);
    const task = await sys.run(ref, { argv: ['noop'] });
    expect(sys.ref(task).process).toBe('pure');
    const { ref: blob } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    expect(sys.ref(blob).process).toBeUndefined();
  });

  it('ENOEXEC without an interpreter, for a malformed module, and for bytes of neither kind', async () => {
    const { sys, binary } = await setup({ interpreter: false });
    await expectErrno(
      sys.run(await binary(wasmImporting('wasi_snapshot_preview1')), { argv: ['x'] }),
      'ENOEXEC',
      'binary',
    );
    const { sys: sys2, binary: binary2 } = await setup();
    const good = wasmImporting('wasi_snapshot_preview1');
    await expectErrno(sys2.run(await binary2(good.subarray(0, good.length - 3)), { argv: ['x'] }), 'ENOEXEC', 'binary');
    const badVersion = good.slice();
    badVersion[4] = 2;
    await expectErrno(sys2.run(await binary2(badVersion), { argv: ['x'] }), 'ENOEXEC', 'binary');
    await expectErrno(
      sys2.run(await binary2(new TextEncoder().encode('#!/bin/sh')), { argv: ['x'] }),
      'ENOEXEC',
      'binary',
    );
  });

  it('ENOTSUP for the kernel thread, or on a kernel without workers', async () => {
    const { sys, binary } = await setup();
    const bin = await binary(wasmImporting('wasi_snapshot_preview1'));
    await expectErrno(sys.run(bin, { argv: ['x'], placement: 'thread' }), 'ENOTSUP', 'spec.placement');
    const { sys: sys2, binary: binary2 } = await setup({ workers: false });
    await expectErrno(sys2.run(await binary2(wasmImporting('dios')), { argv: ['x'] }), 'ENOTSUP', 'spec.placement');
  });

  it('registerInterpreter refuses a format it does not know and a function program', async () => {
    const kernel = await Kernel.boot();
    expect(() => kernel.registerInterpreter('elf' as 'wasm', INTERPRETER)).toThrow(/format/);
    expect(() => kernel.registerInterpreter('wasm', (() => 0) as never)).toThrow(/module program/);
  });

  it('reads the import modules of a module, each once', () => {
    expect([...wasmImportModules(wasmImporting('a', 'b', 'a'))]).toEqual(['a', 'b']);
    expect([...wasmImportModules(wasmImporting())]).toEqual([]);
  });
});
