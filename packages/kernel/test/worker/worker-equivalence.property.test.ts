/**
 * Property: a worker task's system calls behave exactly as an in-thread
 * task's. Random scripts of calls (valid and invalid handles, options and
 * flags; blobs and streams; reads, writes, copies, deletes, selects,
 * lookups) run once in the kernel's thread and once in a worker thread,
 * each on a fresh kernel; every call must give the same value, or fail with
 * the same code naming the same argument, and both kernels must end in a
 * consistent state.
 *
 * Runs: DIOS_PROPERTY_RUNS / 10 (default 100): each run starts two tasks.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel, ObjectType, type SystemCalls } from '@dios/kernel';
import { useWorkers, type WorkerPool } from '@dios/kernel/node';
import type { ScriptStep } from '../fixtures/script-program.js';

const NUM_RUNS = Math.max(10, Math.round(Number(process.env.DIOS_PROPERTY_RUNS ?? 1000) / 10));
const SCRIPT = new URL('../fixtures/script-program.ts', import.meta.url).href;

const pools: WorkerPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

// Kernels are booted once (one per placement) and reused: each run gets fresh objects, and handles never repeat.
let kernels: { thread: Kernel; worker: Kernel };
beforeAll(async () => {
  const thread = await Kernel.boot();
  const worker = await Kernel.boot();
  pools.push(useWorkers(worker, { size: 1 }));
  kernels = { thread, worker };
});

async function runScript(kernel: Kernel, placement: 'thread' | 'worker', steps: ScriptStep[]): Promise<unknown> {
  const sys: SystemCalls = kernel.init;
  const bytes = kernel.registerProgram('script', { module: SCRIPT, export: 'default' });
  const { ref: bin } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
  const b = await sys.beginWrite(bin, bytes.length);
  b.set(bytes);
  await sys.endWrite(bin, b);
  const { ref: out } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
  const task = await sys.run(bin, { argv: ['script', JSON.stringify(steps)], outputs: [out], placement });
  await sys.select([task]);
  const status = sys.ref(task).task?.exitStatus;
  expect(status, `the ${placement} task failed`).toBe(0);
  const view = await sys.beginRead(out);
  const text = new TextDecoder().decode(view.slice());
  await sys.endRead(out, view);
  for (const h of [task, out, bin]) await sys.delete(h);
  kernel.checkInvariants();
  return JSON.parse(text);
}

// Handles a script uses: the task's first handles (self, then what it creates), and some that are never valid.
const handle = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(0, -1, 1.5, 'x', null, 999) },
);
const smallBytes = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const flags = maybe(fc.constantFrom<unknown>(0, 1, 2, 3, 4, 8, -1, 'f'));
const typeArb = fc.constantFrom<unknown>(ObjectType.SHARED_MEMORY_BLOB, ObjectType.PRIVATE_MEMORY_BLOB, ObjectType.SHARED_MEMORY_STREAM, 'bogus');

const step: fc.Arbitrary<ScriptStep> = fc.oneof(
  fc.record({
    op: fc.constant('create' as const),
    type: typeArb,
    options: maybe(fc.oneof(fc.record({ capacity: fc.integer({ min: 0, max: 64 }) }), fc.record({ lifecycle: fc.constantFrom('refcounted', 'single-delete', 'nope') }), fc.constant({ bogus: 1 }))),
    flags: maybe(fc.constantFrom<unknown>(0, 2, -1)),
  }),
  fc.record({ op: fc.constant('lookup' as const), name: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom('zz', '0'.repeat(64))), flags: maybe(fc.constantFrom<unknown>(0, 1, 8)) }),
  fc.record({
    op: fc.constant('write' as const),
    ref: handle,
    bytes: smallBytes,
    options: maybe(fc.oneof(fc.record({ offset: fc.integer({ min: 0, max: 50 }) }), fc.record({ truncate: fc.boolean() }), fc.constant({ offset: -3 }))),
    flags,
    endOptions: maybe(fc.oneof(fc.record({ length: fc.integer({ min: 0, max: 50 }) }), fc.constant({ length: -1 }))),
    endFlags: maybe(fc.constantFrom<unknown>(0, 1, 2, 5)),
  }),
  fc.record({
    op: fc.constant('read' as const),
    ref: handle,
    options: maybe(fc.oneof(fc.record({ offset: fc.integer({ min: 0, max: 50 }) }), fc.record({ length: fc.integer({ min: 0, max: 50 }) }), fc.constant({ length: 'x' }))),
    // Reads always NONBLOCK (flag 1) or with junk flags: a blocking read of an empty stream would wait forever in both placements.
    flags: fc.constantFrom<unknown>(1, 3, -1),
    endFlags: maybe(fc.constantFrom<unknown>(0, 1, 4)),
  }),
  fc.record({ op: fc.constant('delete' as const), ref: handle, flags: maybe(fc.constantFrom<unknown>(0, 4, 7)) }),
  fc.record({ op: fc.constant('copy' as const), refs: fc.oneof(fc.array(handle, { maxLength: 3 }), fc.constant('no')), options: maybe(fc.record({ rights: fc.integer({ min: 0, max: 20 }) })), flags: maybe(fc.constantFrom<unknown>(0, 1)) }),
  fc.record({ op: fc.constant('select' as const), refs: fc.array(handle, { minLength: 0, maxLength: 3 }), options: fc.constant({ timeoutMs: 0 }), flags: maybe(fc.constantFrom<unknown>(0, 1)) }),
  fc.record({ op: fc.constant('ref' as const), handle }),
  fc.constant({ op: 'handles' as const }),
);

describe('worker tasks: equivalence with in-thread tasks', () => {
  it('every call of a random script gives the same value or the same error in both placements', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        // Handle 1 is the task itself (deleting it exits) and 2 the output the outcomes go to: scripts keep them.
        const safe = steps.filter((s) => !(s.op === 'delete' && (s.ref === 1 || s.ref === 2)));
        const inThread = await runScript(kernels.thread, 'thread', safe);
        const inWorker = await runScript(kernels.worker, 'worker', safe);
        expect(inWorker).toEqual(inThread);
      }),
      { numRuns: NUM_RUNS },
    );
  }, 600_000);
});
