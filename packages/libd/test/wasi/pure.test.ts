// A legacy program in a locked-down (pure) worker thread: the WASI runtime needs nothing the lock-down takes away.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ObjectType, RunFlags } from '@dios/kernel';
import { bootWasi, C_DIR, clangMissing, compileC, type WasiKernel } from './support.js';

const missing = clangMissing();
let k: WasiKernel;
beforeAll(async () => {
  if (missing === undefined) k = await bootWasi();
});
afterAll(() => k?.close());

it.skipIf(missing !== undefined)(
  'runs with RunFlags.PURE: its blocking calls work in a thread whose Error is frozen',
  async () => {
    const image = compileC(new URL('trap.c', C_DIR));
    const { ref } = await k.sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const buffer = await k.sys.beginWrite(ref, image.length);
    buffer.set(image);
    await k.sys.endWrite(ref, buffer);
    const task = await k.sys.run(ref, { argv: ['trap', 'exit'] }, RunFlags.PURE);
    await k.sys.select([task]);
    expect(k.sys.ref(task).task).toEqual({ state: 'exited', exitStatus: 42 });
    expect(k.sys.ref(task).process).toBe('legacy');
    expect(k.failures).toEqual([]);
    k.kernel.checkInvariants();
  },
  // A clang compile and a worker thread: on a loaded machine more than vitest's default 5 s.
  30_000,
);
