/**
 * Requests and replies too large for a channel slot travel over the port
 * beside it (the Overflow of channel.ts, on both sides): a worker task's
 * large calls give what the same calls give in the kernel's thread.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel, ObjectType, type SystemCalls } from '@dios/kernel';
import { useWorkers, type WorkerPool } from '@dios/kernel/node';

const PROGRAM = new URL('./overflow-program.ts', import.meta.url).href;

let kernel: Kernel;
let pool: WorkerPool;
let sys: SystemCalls;
let binary: number;

beforeAll(async () => {
  kernel = await Kernel.boot();
  pool = useWorkers(kernel, { size: 1 });
  sys = kernel.init;
  const bytes = kernel.registerProgram('overflow', { module: PROGRAM, export: 'overflow' });
  binary = (await sys.create(ObjectType.SHARED_MEMORY_BLOB)).ref;
  const b = await sys.beginWrite(binary, bytes.length);
  b.set(bytes);
  await sys.endWrite(binary, b);
});
afterAll(async () => {
  await pool.close();
});

async function report(placement: 'thread' | 'worker'): Promise<unknown> {
  const { ref: out } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
  const task = await sys.run(binary, { argv: ['overflow'], outputs: [out], placement });
  await sys.select([task]);
  expect(sys.ref(task).task?.exitStatus, `the ${placement} task failed`).toBe(0);
  const view = await sys.beginRead(out);
  const text = new TextDecoder().decode(view.slice());
  await sys.endRead(out, view);
  await sys.delete(task);
  await sys.delete(out);
  return JSON.parse(text);
}

describe('the worker channel with calls larger than a slot', () => {
  it("carries a 200 KiB copied write and read and a 100 000-character spec as the kernel's thread does", async () => {
    const inWorker = await report('worker');
    expect(inWorker).toMatchObject({ readBack: true, valid: true });
    // run refuses a blob that holds no program: the kernel read the whole spec (a cut text would fail to parse: EIO).
    expect((inWorker as { run: unknown }).run).toEqual(expect.arrayContaining(['run']));
    expect(inWorker).toEqual(await report('thread'));
    kernel.checkInvariants();
  }, 30_000);
});
