/**
 * A C program (WASI) as a container's entry, on a kernel in hypervisor
 * mode: it runs inside the container, reads a file of its image by path and
 * prints to the container's console, while the same binary is refused
 * outside any container (EPERM, recorded in the provenance log).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel, ObjectType, RunFlags } from '@dios/kernel';
import { useWorkers, type WorkerPool } from '@dios/kernel/node';
import { wasiInterpreter } from '@dios/libd/wasi';
import { expectErrno } from '../../../kernel/test/support/errno.js';
import { ContainerEngine } from '../../src/containers/engine/engine.js';
import { nodeEngineHost } from '../../src/cli/containers/host-files.js';
import { wasmMissing, wasmPath } from '../legacy/wasm-programs.js';

const skip = wasmMissing('cat', 'wc');
const dec = new TextDecoder();

describe.skipIf(skip !== undefined)('a WebAssembly container in hypervisor mode', () => {
  let dir: string;
  let kernel: Kernel;
  let pool: WorkerPool;
  let engine: ContainerEngine;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dios-engine-wasi-'));
    const image = join(dir, 'image');
    mkdirSync(join(image, 'bin'), { recursive: true });
    mkdirSync(join(image, 'etc'));
    copyFileSync(wasmPath('cat'), join(image, 'bin', 'cat.wasm'));
    copyFileSync(wasmPath('wc'), join(image, 'bin', 'wc.wasm'));
    writeFileSync(join(image, 'etc', 'motd'), 'one two three\nfour five\n');
    writeFileSync(join(image, 'dios-image.json'), JSON.stringify({ entry: '/bin/cat.wasm', args: ['/etc/motd'] }));
    kernel = await Kernel.boot({ hypervisor: true });
    pool = useWorkers(kernel, { size: 1, pureSpares: 1 });
    kernel.registerInterpreter('wasm', wasiInterpreter);
    engine = await ContainerEngine.open(kernel, { host: nodeEngineHost(join(dir, 'modules')) });
    await engine.buildImage(image, 'cat');
  });
  afterAll(async () => {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the C program inside the container: its image file by path, its output on the container console', async () => {
    await engine.create({ image: 'cat', name: 'cat' });
    await engine.start('cat');
    expect(await engine.wait('cat')).toBe(0);
    expect(dec.decode(await engine.logs('cat'))).toBe('one two three\nfour five\n');
    expect(engine.inspect('cat').Config.Entry).toBe('/bin/cat.wasm');
  });

  it('another C program of the image runs as the entry too; its exit status is the container’s', async () => {
    await engine.create({ image: 'cat', name: 'missing', args: ['/etc/none'] });
    await engine.start('missing');
    expect(await engine.wait('missing')).not.toBe(0);
    await engine.create({ image: 'cat', name: 'wc', entry: '/bin/wc.wasm', args: ['/etc/motd'] });
    await engine.start('wc');
    expect(await engine.wait('wc')).toBe(0);
    expect(
      dec
        .decode(await engine.logs('wc'))
        .trim()
        .split(/\s+/)
        .slice(0, 3),
    ).toEqual(['2', '5', '24']);
  });

  it('outside a container the host may not run it: EPERM naming binary, recorded', async () => {
    const bytes = readFileSync(wasmPath('cat'));
    const { ref } = await kernel.init.create(ObjectType.SHARED_MEMORY_BLOB);
    const buf = await kernel.init.beginWrite(ref, bytes.length);
    buf.set(bytes);
    await kernel.init.endWrite(ref, buf);
    await expectErrno(kernel.init.run(ref, { argv: ['cat'] }, RunFlags.PURE), 'EPERM', 'binary');
    const last = kernel.provenance!.records().at(-1)!;
    expect(last).toMatchObject({ operation: 'run', allowed: false, syscall: 'run' });
  });
});
