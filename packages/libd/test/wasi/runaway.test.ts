// A legacy task that never calls (a loop) or never returns from a call (a read of an empty stdin) is stopped when
// the kernel ends it: its thread is terminated, and the kernel runs the next program.
import { afterEach, expect, it } from 'vitest';
import { EndWriteFlags, Kernel, ObjectType, type SystemCalls } from '@dios/kernel';
import { useWorkers, type WorkerPool } from '@dios/kernel/node';
import { wasiInterpreter } from '@dios/libd/wasi';
import { C_DIR, clangMissing, compileC } from './support.js';

const missing = clangMissing();
const pools: WorkerPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

// A WASI command whose _start loops for ever: (func (loop (br 0))), with a memory exported.
const LOOP = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...[0x01, 0x04, 0x01, 0x60, 0x00, 0x00],
  ...[0x03, 0x02, 0x01, 0x00],
  ...[0x05, 0x03, 0x01, 0x00, 0x01],
  ...[0x07, 0x13, 0x02, 0x06, ...new TextEncoder().encode('memory'), 0x02, 0x00],
  ...[0x06, ...new TextEncoder().encode('_start'), 0x00, 0x00],
  ...[0x0a, 0x09, 0x01, 0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b],
]);

async function start(sys: SystemCalls, image: Uint8Array, stdin: number): Promise<number> {
  const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
  const buffer = await sys.beginWrite(ref, image.length);
  buffer.set(image);
  await sys.endWrite(ref, buffer);
  return sys.run(ref, { argv: ['runaway'], inputs: [stdin] });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it.skipIf(missing !== undefined)('a looping task and one blocked in a read are ended; the kernel goes on', async () => {
  const kernel = await Kernel.boot({ consoleSink: () => {} });
  const pool = useWorkers(kernel, { size: 2, stopGraceMs: 50 });
  pools.push(pool);
  kernel.registerInterpreter('wasm', wasiInterpreter);
  const sys = kernel.init;
  const block = compileC(new URL('block.c', C_DIR));
  const { ref: stdin } = await sys.create(ObjectType.SHARED_MEMORY_STREAM);
  const looping = await start(sys, LOOP, stdin);
  const blocked = await start(sys, block, stdin);
  await sleep(300);
  expect(sys.ref(looping).task?.state).toBe('running');
  expect(sys.ref(blocked).task?.state).toBe('running');
  for (const t of kernel.tasks.values()) if (t.setup.argv[0] === 'runaway') kernel.exitTask(t, 9);
  await sys.select([looping]);
  await sys.select([blocked]);
  expect([sys.ref(looping).task?.exitStatus, sys.ref(blocked).task?.exitStatus]).toEqual([9, 9]);
  for (let i = 0; i < 200 && pool.threads > 0; i++) await sleep(10);
  expect(pool.threads).toBe(0);
  // The next program runs: a byte on stdin lets block.c read it and exit 0.
  const next = await start(sys, block, stdin);
  const buffer = await sys.beginWrite(stdin, 1);
  buffer[0] = 0x41;
  await sys.endWrite(stdin, buffer, undefined, EndWriteFlags.END_OF_STREAM);
  await sys.select([next]);
  expect(sys.ref(next).task?.exitStatus).toBe(0);
  kernel.checkInvariants();
});
