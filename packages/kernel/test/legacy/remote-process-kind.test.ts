// A legacy process started on another kernel: the caller's task reference shows its kind and its exit.
import { afterEach, expect, it } from 'vitest';
import { useWorkers, type WorkerPool } from '@dios/kernel/node';
import { blobWith } from '../helpers.js';
import { cluster } from '../distribution/cluster.js';
import { wasmImporting } from '../support/wasm-module.js';

const INTERPRETER = { module: new URL('../fixtures/interpreter.ts', import.meta.url).href };
const pools: WorkerPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

it.each([
  [false, 'legacy'],
  [true, 'hybrid'],
] as const)(
  'run on kernel b of a WebAssembly binary from a (hybrid %s): a sees a %s process and its exit',
  async (hybrid, kind) => {
    const c = await cluster('a', 'b');
    pools.push(useWorkers(c.k.b!, { size: 1 }));
    c.k.b!.registerInterpreter('wasm', INTERPRETER);
    const a = c.sys.a!;
    const { ref: bin } = await blobWith(
      a,
      hybrid ? wasmImporting('wasi_snapshot_preview1', 'dios') : wasmImporting('wasi_snapshot_preview1'),
    );
    const task = await a.run(bin, { argv: ['prog', `out-${kind}`], kernel: 'b' });
    expect(a.ref(task).process).toBe(kind);
    await a.select([task]);
    expect(a.ref(task).task).toEqual({ state: 'exited', exitStatus: 7 });
    // Kernel a has no interpreter: the same binary run here is refused.
    await expect(a.run(bin, { argv: ['prog'] })).rejects.toMatchObject({ code: 'ENOEXEC' });
  },
);
