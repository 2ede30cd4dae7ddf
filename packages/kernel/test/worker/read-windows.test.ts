/**
 * Reads of ordinary memory by worker tasks: the kernel copies the bytes once
 * into a shared window of the task's own (host/worker/read-windows.ts). The
 * lease semantics hold: right bytes, two open leases never overlap, writes to
 * the copy never reach the blob, and one task cannot reach another's window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel, ObjectType, type SystemCalls } from '@dios/kernel';
import { useWorkers, type WorkerPool } from '@dios/kernel/node';

const FIXTURE = new URL('./read-window-programs.ts', import.meta.url).href;

let kernel: Kernel;
let pool: WorkerPool;
let sys: SystemCalls;
const binaries = new Map<string, number>();

beforeAll(async () => {
  kernel = await Kernel.boot();
  pool = useWorkers(kernel, { size: 2 });
  sys = kernel.init;
  for (const name of ['twoLeases', 'holdLease', 'snoopWindows']) {
    const bytes = kernel.registerProgram(`windows-${name}`, { module: FIXTURE, export: name });
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const b = await sys.beginWrite(ref, bytes.length);
    b.set(bytes);
    await sys.endWrite(ref, b);
    binaries.set(name, ref);
  }
});
afterAll(async () => {
  await pool.close();
});

async function status(task: number): Promise<number | undefined> {
  await sys.select([task]);
  const s = sys.ref(task).task?.exitStatus;
  await sys.delete(task);
  return s;
}

describe('read leases of ordinary memory lent to a worker task', () => {
  it('come in shared windows: right bytes, open leases apart, writes to a window kept from the blob', async () => {
    const task = await sys.run(binaries.get('twoLeases')!, { argv: ['twoLeases'], placement: 'worker' });
    expect(await status(task)).toBe(0);
    kernel.checkInvariants();
  });

  it("a hostile task gets only its own windows: it neither sees nor changes another task's open lease", async () => {
    const { ref: said } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const { ref: go } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const holder = await sys.run(binaries.get('holdLease')!, {
      argv: ['holdLease'],
      inputs: [go],
      outputs: [said],
      placement: 'worker',
    });
    // The holder's lease is open once it said so.
    while (sys.ref(said).size === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const snoop = await sys.run(binaries.get('snoopWindows')!, { argv: ['snoopWindows'], placement: 'worker' });
    expect(await status(snoop)).toBe(0);
    const w = await sys.beginWrite(go, 1);
    w[0] = 1;
    await sys.endWrite(go, w);
    expect(await status(holder)).toBe(0);
    kernel.checkInvariants();
  });
});
