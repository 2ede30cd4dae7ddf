/**
 * A worker task can write anything into its own system-call channel (a
 * SharedArrayBuffer its thread holds) and onto the port beside it. Whatever
 * it writes (bogus slot states, lengths past the slot, text that is no JSON
 * or no UTF-8, unknown calls, forged patches and lease tokens, replayed
 * requests, a doorbell rung in a loop) it gets an error reply, the kernel's
 * thread neither throws nor stalls, and other tasks go on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel, ObjectType, type SystemCalls } from '@dios/kernel';
import { useWorkers, type WorkerPool } from '@dios/kernel/node';

const FIXTURE = new URL('../fixtures/worker-programs.ts', import.meta.url).href;

let kernel: Kernel;
let pool: WorkerPool;
let sys: SystemCalls;
const binaries = new Map<string, number>();

beforeAll(async () => {
  kernel = await Kernel.boot();
  pool = useWorkers(kernel, { size: 2 });
  sys = kernel.init;
  for (const name of ['hostileChannel', 'lookups']) {
    const bytes = kernel.registerProgram(name, { module: FIXTURE, export: name });
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

type Reply = { v?: unknown; e?: [string, string, string | null, string]; x?: string };

// Runs the hostile task with `argv`; resolves to its exit status and the replies it recorded.
async function hostile(...argv: string[]): Promise<{ status: number | undefined; replies: Reply[] }> {
  const { ref: out } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
  const task = await sys.run(binaries.get('hostileChannel')!, {
    argv: ['hostile', ...argv],
    outputs: [out],
    placement: 'worker',
  });
  await sys.select([task]);
  const status = sys.ref(task).task?.exitStatus;
  const view = await sys.beginRead(out);
  const text = new TextDecoder().decode(view.slice());
  await sys.endRead(out, view);
  await sys.delete(task);
  await sys.delete(out);
  return {
    status,
    replies:
      text === ''
        ? []
        : (JSON.parse(text) as string[]).map((r) => (r === 'no reply' ? { x: r } : (JSON.parse(r) as Reply))),
  };
}

// The kernel still serves others: an in-thread call, and a worker task making calls.
async function kernelStillWorks(): Promise<void> {
  const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
  await sys.delete(ref);
  const task = await sys.run(binaries.get('lookups')!, { argv: ['lookups', '50'], placement: 'worker' });
  await sys.select([task]);
  expect(sys.ref(task).task?.exitStatus).toBe(0);
  await sys.delete(task);
  kernel.checkInvariants();
}

describe('a worker task writing into its own channel', () => {
  it('gets an error reply for text that is no JSON, no UTF-8, or no [call, patches, ...arguments] request', async () => {
    const { status, replies } = await hostile('garbage');
    expect(status).toBe(0);
    expect(replies).toHaveLength(8);
    for (const r of replies.slice(0, 7)) expect(r.x, JSON.stringify(r)).toMatch(/^malformed request: /);
    expect(replies[5]!.x).toContain('unknown call "nope"');
    // A well-formed request still works after the garbage.
    expect(replies[7]!.v).toEqual(expect.any(Array));
    await kernelStillWorks();
  });

  it('gets an error reply for lengths past the slot, negative, or naming port messages never posted', async () => {
    const { status, replies } = await hostile('lengths');
    expect(status).toBe(0);
    expect(replies).toHaveLength(6);
    for (const r of replies) expect(r.x, JSON.stringify(r)).toMatch(/^malformed request: /);
    await kernelStillWorks();
  });

  it("gets the call's own error for forged patches, tokens and arguments: the kernel reads them as any call's", async () => {
    const { status, replies } = await hostile('arguments');
    expect(status).toBe(0);
    const codes = replies.map((r) =>
      r.e !== undefined ? `${r.e[0]} ${r.e[1]}(${r.e[2] ?? ''})` : r.x !== undefined ? 'x' : 'ok',
    );
    expect(codes).toEqual([
      'EINVAL lookup(name)',
      'EINVAL channel(patches)', // a patch through __proto__
      'EINVAL channel(patches)', // a patch naming no argument
      'EINVAL channel(patches)', // a patch of no known kind
      'EINVAL channel(patches)', // patches that are no list
      'EBADF beginRead(ref)', // 1e999 is Infinity: no handle
      'EINVAL endWrite(buffer)', // a forged lease token lends nothing
      'EINVAL endRead(buffer)',
      'EINVAL channel(call)', // a refusal of no call
      'ok', // a refusal of a real call: counted as a failed call, nothing else
      'EINVAL run(spec.argv)', // 5000 arguments, more than run takes
    ]);
    await kernelStillWorks();
  });

  it('ignores bogus slot states, and answers a replayed request again', async () => {
    const { status, replies } = await hostile('states');
    expect(status).toBe(0);
    expect(replies.map((r) => Array.isArray(r.v))).toEqual([true, false, true]);
    // The replay is answered (not left hanging): the slot held a reply's text, which is no request.
    expect(replies[1]).toEqual({ x: expect.stringMatching(/malformed request/) as unknown });
    await kernelStillWorks();
  });

  it("cannot stall the kernel's thread by ringing the doorbell in a loop: timers fire and other tasks finish meanwhile", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    try {
      const other = (async () => {
        const task = await sys.run(binaries.get('lookups')!, { argv: ['lookups', '200'], placement: 'worker' });
        await sys.select([task]);
        const status = sys.ref(task).task?.exitStatus;
        await sys.delete(task);
        return { status, ticks };
      })();
      const { status, replies } = await hostile('storm', '600');
      const done = await other;
      expect(status).toBe(0);
      expect(Array.isArray(replies[0]?.v)).toBe(true);
      expect(done.status).toBe(0);
      // 600 ms of storm: a stalled thread would let no 10 ms tick through.
      expect(ticks).toBeGreaterThan(10);
    } finally {
      clearInterval(timer);
    }
    await kernelStillWorks();
  }, 30_000);
});
