/**
 * Property: a worker task's system calls behave exactly as an in-thread
 * task's. Random scripts of calls (valid and invalid handles, options and
 * flags; blobs and streams; reads, writes, copies, deletes, selects,
 * lookups) run once in the kernel's thread and once in a worker thread,
 * each on a fresh kernel; every call must give the same value, or fail with
 * the same code naming the same argument, and both kernels must end in a
 * consistent state. Arguments include values JSON cannot carry (Symbol,
 * BigInt, functions, Date, Proxy, throwing and changing getters, cyclic
 * objects, sparse arrays, NaN, ±Infinity, -0, undefined beside missing):
 * the worker must give exactly the in-thread value, DiosError (code, call,
 * argument and message) or thrown error.
 *
 * Runs: DIOS_PROPERTY_RUNS / 10 (default 100): each run starts two tasks.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel, monitorTasks, ObjectType, type SystemCalls } from '@dios/kernel';
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

// The task's figures that must not depend on where it ran: calls by kind, failed calls, bytes, objects made.
const counted = new Map<Kernel, unknown>();

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
  const argv1 = JSON.stringify(steps);
  const stats = monitorTasks(kernel)
    .filter((r) => r.argv[1] === argv1)
    .at(-1)?.stats;
  counted.set(
    kernel,
    stats && {
      calls: stats.calls,
      failed: stats.failedCalls,
      read: stats.bytesRead,
      written: stats.bytesWritten,
      made: stats.objectsCreated,
    },
  );
  const view = await sys.beginRead(out);
  const text = new TextDecoder().decode(view.slice());
  await sys.endRead(out, view);
  for (const h of [task, out, bin]) await sys.delete(h);
  kernel.checkInvariants();
  return JSON.parse(text);
}

// Values JSON cannot carry, or carries as something else, as descriptors the script program decodes (fixtures/script-program.ts).
const oddScalar = fc.constantFrom<unknown>(
  { $: 'symbol' },
  { $: 'bigint' },
  { $: 'fn' },
  { $: 'date' },
  { $: 'nan' },
  { $: 'inf' },
  { $: '-inf' },
  { $: '-0' },
  { $: 'undefined' },
  { $: 'boxed' },
  { $: 'map' },
  { $: 'revoked' },
  null,
  true,
  '1',
  [],
  {},
);
const odd = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: arb }, { weight: 1, arbitrary: oddScalar });

// Handles a script uses: the task's first handles (self, then what it creates), and some that are never valid.
const handle = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(0, -1, 1.5, 'x', null, 999) },
  { weight: 1, arbitrary: oddScalar },
);
const smallBytes = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const flags = maybe(odd(fc.constantFrom<unknown>(0, 1, 2, 3, 4, 8, -1, 'f')));
const typeArb = odd(
  fc.constantFrom<unknown>(
    ObjectType.SHARED_MEMORY_BLOB,
    ObjectType.PRIVATE_MEMORY_BLOB,
    ObjectType.SHARED_MEMORY_STREAM,
    ObjectType.TCP_LISTENER,
    'bogus',
  ),
);

// Lists of handles: plain, or sparse, cyclic, behind a Proxy, with a length that changes from read to read.
const handleList = fc.oneof(
  { weight: 6, arbitrary: fc.array(handle, { maxLength: 3 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      { $: 'sparse', length: 3, at: { 1: 2 } },
      { $: 'sparse', length: 2, at: { 0: 2 } },
      { $: 'cyclicArray', v: [2] },
      { $: 'proxy', v: [2, 3] },
      { $: 'lyingLength', v: [2, 3, 4] },
      'no',
    ),
  },
  { weight: 1, arbitrary: oddScalar },
);

/**
 * Options objects: `base` (valid ones), or base made odd: behind a Proxy, of
 * a class, inheriting, null-prototype, with a throwing or a changing getter
 * for one of `keys`, cyclic, with an odd value, a non-enumerable or
 * symbol-keyed property, an unknown key set to undefined, or not an object.
 */
function options(
  base: fc.Arbitrary<Record<string, unknown>>,
  keys: readonly string[],
  good: fc.Arbitrary<unknown>,
): fc.Arbitrary<unknown> {
  const key = fc.constantFrom(...keys);
  return fc.oneof(
    { weight: 8, arbitrary: base },
    {
      weight: 6,
      arbitrary: fc.oneof(
        oddScalar,
        fc.record({ k: key, v: oddScalar }).map(({ k, v }) => ({ [k]: v })),
        base.map((v) => ({ $: 'proxy', v })),
        base.map((v) => ({ $: 'class', v })),
        base.map((v) => ({ $: 'inherit', v })),
        base.map((v) => ({ $: 'nullproto', v })),
        base.map((v) => ({ $: 'symkey', v })),
        fc.record({ k: key, v: base }).map(({ k, v }) => ({ $: 'throwing', key: k, v })),
        fc
          .record({ k: key, first: good, then: oddScalar })
          .map(({ k, first, then }) => ({ $: 'flip', key: k, first, then, v: {} })),
        key.map((k) => ({ $: 'cyclic', key: k, v: {} })),
        fc.record({ k: key, value: good }).map(({ k, value }) => ({ $: 'nonenum', key: k, value, v: {} })),
        key.map((k) => ({ [k]: { $: 'undefined' } })),
        fc.constant({ bogus: { $: 'undefined' } }),
      ),
    },
  );
}
const smallInt = fc.integer({ min: 0, max: 50 });
const specArb = options(
  fc.oneof(
    fc.constant({ argv: ['x'] }),
    fc.record({
      argv: fc.constant(['x']),
      env: fc.oneof(
        fc.constant({ A: 'b' }),
        fc.constant({ A: { $: 'symbol' } }),
        fc.constant({ $: 'date' }),
        fc.constant({ __proto__: 'x' }),
        oddScalar,
      ),
    }),
    fc.record({
      argv: fc.oneof(
        fc.constant<unknown>({ $: 'sparse', length: 2, at: { 0: 'a' } }),
        fc.constant<unknown>({ $: 'cyclicArray', v: ['a'] }),
        fc.constant<unknown>(['a', { $: 'symbol' }]),
      ),
    }),
    fc.record({ argv: fc.constant(['x']), inputs: handleList }),
    fc.record({ argv: fc.constant(['x']), kernel: odd(fc.constant('k1')) }),
    fc.record({ argv: fc.constant(['x']), placement: odd(fc.constantFrom('thread', 'worker', 'moon')) }),
    fc.record({ argv: fc.constant(['x']), name: odd(fc.constant('seed')) }),
  ),
  ['argv', 'env', 'inputs', 'kernel', 'placement', 'name'],
  fc.constant(['x']),
);

const step: fc.Arbitrary<ScriptStep> = fc.oneof(
  fc.record({
    op: fc.constant('create' as const),
    type: typeArb,
    options: maybe(
      options(
        fc.oneof(
          fc.record({ capacity: fc.integer({ min: 0, max: 64 }) }),
          fc.record({ lifecycle: fc.constantFrom('refcounted', 'single-delete', 'nope') }),
          fc.record({
            address: fc.oneof(
              fc.record({ port: odd(fc.constant(80)) }),
              fc.record({ port: fc.constant(80), host: oddScalar }),
              oddScalar,
            ),
          }),
          fc.record({ nameSeed: odd(fc.constant('s')), group: odd(fc.constant(1)) }),
          fc.constant({ bogus: 1 }),
        ),
        ['capacity', 'lifecycle', 'nameSeed', 'readBufferSize'],
        fc.constant(4),
      ),
    ),
    flags: maybe(odd(fc.constantFrom<unknown>(0, 1, 2, -1))),
  }),
  fc.record({
    op: fc.constant('lookup' as const),
    name: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom('zz', '0'.repeat(64)), oddScalar),
    flags: maybe(odd(fc.constantFrom<unknown>(0, 1, 8))),
  }),
  fc.record({
    op: fc.constant('write' as const),
    ref: handle,
    bytes: smallBytes,
    options: maybe(
      options(
        fc.oneof(fc.record({ offset: smallInt }), fc.record({ truncate: fc.boolean() }), fc.constant({ offset: -3 })),
        ['offset', 'truncate'],
        fc.constant(0),
      ),
    ),
    flags,
    endOptions: maybe(
      options(fc.oneof(fc.record({ length: smallInt }), fc.constant({ length: -1 })), ['length'], fc.constant(1)),
    ),
    endFlags: maybe(odd(fc.constantFrom<unknown>(0, 1, 2, 5))),
  }),
  fc.record({
    op: fc.constant('read' as const),
    ref: handle,
    options: maybe(
      options(
        fc.oneof(fc.record({ offset: smallInt }), fc.record({ length: smallInt }), fc.constant({ length: 'x' })),
        ['offset', 'length'],
        fc.constant(0),
      ),
    ),
    // Reads always NONBLOCK (flag 1) or with junk flags: a blocking read of an empty stream would wait forever in both placements.
    flags: fc.oneof(fc.constantFrom<unknown>(1, 3, -1), oddScalar),
    endFlags: maybe(odd(fc.constantFrom<unknown>(0, 1, 4))),
  }),
  fc.record({ op: fc.constant('delete' as const), ref: handle, flags: maybe(odd(fc.constantFrom<unknown>(0, 4, 7))) }),
  fc.record({
    op: fc.constant('copy' as const),
    refs: handleList,
    options: maybe(
      options(
        fc.record({
          rights: fc.oneof(
            fc.integer({ min: 0, max: 20 }),
            fc.constant<unknown>([1, 1]),
            fc.constant<unknown>({ $: 'sparse', length: 2, at: { 0: 1 } }),
            oddScalar,
          ),
        }),
        ['rights'],
        fc.constant(1),
      ),
    ),
    flags: maybe(odd(fc.constantFrom<unknown>(0, 1))),
  }),
  fc.record({
    op: fc.constant('select' as const),
    refs: handleList,
    // A timeout that could wait is replaced by 0 (a poll) when the step is run: see pollOnly.
    options: options(fc.constant({ timeoutMs: 0 }), ['timeoutMs'], fc.constant(0)),
    // 2 and 3 carry SelectFlags.ALL: an array of handles crosses the channel.
    flags: maybe(odd(fc.constantFrom<unknown>(0, 1, 2, 3))),
  }),
  fc.record({ op: fc.constant('ref' as const), handle }),
  fc.constant({ op: 'handles' as const }),
  fc.record({
    op: fc.constant('run' as const),
    binary: handle,
    spec: maybe(specArb),
    flags: maybe(odd(fc.constantFrom<unknown>(0, 2, 64))),
  }),
  fc.record({ op: fc.constant('pause' as const), task: handle, flags: maybe(odd(fc.constantFrom<unknown>(0, 1, 2))) }),
);

// Steps that could wait for ever or stop the script are left out: deleting or pausing the task itself,
// deleting its output, and a select whose options some reading (today's or an earlier one) takes as
// "no timeout" (it would wait for a stream that never fills).
const WAITS = new Set(['date', 'map', 'boxed', 'undefined', 'class', 'inherit', 'nonenum']);
function harmless(s: ScriptStep): boolean {
  if ((s.op === 'delete' && (s.ref === 1 || s.ref === 2)) || (s.op === 'pause' && s.task === 1)) return false;
  if (s.op !== 'select') return true;
  const o = s.options as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return true;
  if (typeof o.$ === 'string') return !WAITS.has(o.$);
  const t = o.timeoutMs as { $?: unknown } | undefined;
  return (
    Object.keys(o).length === 1 &&
    t !== undefined &&
    !(typeof t === 'object' && t !== null && (t.$ === 'undefined' || !('$' in t)))
  );
}

// Fixed cases from the issue, each with what both placements must give. Handle 3 is the script's first create.
const BLOB = { op: 'create', type: ObjectType.SHARED_MEMORY_BLOB } as const;
const CASES: { title: string; steps: ScriptStep[]; expected: unknown }[] = [
  {
    title: "copy with rights: Symbol() is EINVAL naming options.rights (never the source's full rights)",
    steps: [BLOB, { op: 'copy', refs: [3], options: { rights: { $: 'symbol' } } }],
    expected: { error: ['EINVAL', 'copy', 'options.rights', 'not a rights mask: symbol'] },
  },
  {
    title: 'a BigInt flag is EINVAL naming flags',
    steps: [BLOB, { op: 'read', ref: 3, flags: { $: 'bigint' } }],
    expected: { error: ['EINVAL', 'beginRead', 'flags', 'unknown flag bits in bigint (allowed: 0x1)'] },
  },
  {
    title: 'a Symbol flag is EINVAL naming flags',
    steps: [BLOB, { op: 'write', ref: 3, bytes: [1], flags: { $: 'symbol' } }],
    expected: { error: ['EINVAL', 'beginWrite', 'flags', 'unknown flag bits in symbol (allowed: 0x3)'] },
  },
  {
    title: 'a Date where options go is EINVAL naming options',
    steps: [{ op: 'create', type: ObjectType.SHARED_MEMORY_BLOB, options: { $: 'date' } }],
    expected: { error: ['EINVAL', 'create', 'options', 'expected an options object, got Date'] },
  },
  {
    title: 'a throwing getter throws its own error',
    steps: [{ op: 'create', type: ObjectType.SHARED_MEMORY_BLOB, options: { $: 'throwing', key: 'capacity', v: {} } }],
    expected: { thrown: ['Error', 'getter capacity'] },
  },
  {
    title: 'a getter is read once: a name seed that turns into a number after the check is used as the string it was',
    steps: [
      {
        op: 'create',
        type: ObjectType.SHARED_MEMORY_BLOB,
        options: { $: 'flip', key: 'nameSeed', first: 's', then: 5, v: {} },
        flags: 1,
      },
      { op: 'handles' },
    ],
    expected: { ok: [1, 2, 3] },
  },
  {
    title: 'an undefined unknown option is EINVAL naming it (JSON would drop it)',
    steps: [BLOB, { op: 'read', ref: 3, options: { bogus: { $: 'undefined' } }, flags: 1 }],
    expected: { error: ['EINVAL', 'beginRead', 'options.bogus', 'unknown option (known: offset, length)'] },
  },
  {
    title: 'a hole in a list of handles is EBADF naming it',
    steps: [BLOB, { op: 'copy', refs: { $: 'sparse', length: 2, at: { 1: 3 } } }],
    expected: { error: ['EBADF', 'copy', 'refs[0]', 'not a reference handle: undefined'] },
  },
  {
    title: 'NaN, Infinity and -0: NaN and Infinity are EINVAL, -0 is 0',
    steps: [
      BLOB,
      { op: 'write', ref: 3, bytes: [], options: { offset: { $: 'nan' } } },
      { op: 'write', ref: 3, bytes: [], options: { offset: { $: 'inf' } } },
      { op: 'write', ref: 3, bytes: [7], options: { offset: { $: '-0' } } },
    ],
    expected: { ok: { length: 1, version: 1 } },
  },
  {
    title: 'a cyclic options object is EINVAL naming the key that loops',
    steps: [{ op: 'create', type: ObjectType.SHARED_MEMORY_BLOB, options: { $: 'cyclic', key: 'capacity', v: {} } }],
    expected: { error: ['EINVAL', 'create', 'options.capacity', 'expected an integer in [0, 2147483647], got Object'] },
  },
];

describe('worker tasks: odd argument values', () => {
  it.each(CASES)(
    '$title',
    async ({ steps, expected }) => {
      const inThread = (await runScript(kernels.thread, 'thread', steps)) as unknown[];
      const inWorker = await runScript(kernels.worker, 'worker', steps);
      expect(inThread.at(-1)).toEqual(expected);
      expect(inWorker).toEqual(inThread);
      expect(counted.get(kernels.worker)).toEqual(counted.get(kernels.thread));
    },
    60_000,
  );
});

describe('worker tasks: a call the reader refuses', () => {
  it('is counted by the kernel, and while the task is paused it does not return (as an in-thread call would not)', async () => {
    const kernel = kernels.worker;
    const sys: SystemCalls = kernel.init;
    const bytes = kernel.registerProgram('refusedLoop', {
      module: new URL('../fixtures/worker-programs.ts', import.meta.url).href,
      export: 'refusedLoop',
    });
    const { ref: bin } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const b = await sys.beginWrite(bin, bytes.length);
    b.set(bytes);
    await sys.endWrite(bin, b);
    const task = await sys.run(bin, { argv: ['refusedLoop', '20000'], placement: 'worker' });
    const calls = () =>
      monitorTasks(kernel)
        .filter((r) => r.argv[0] === 'refusedLoop')
        .at(-1)?.stats;
    while ((calls()?.calls.create ?? 0) < 100) await new Promise((r) => setTimeout(r, 5));
    await sys.pause(task);
    const paused = calls()!.calls.create;
    await new Promise((r) => setTimeout(r, 200));
    // At most the call already past the gate when the pause came.
    expect(calls()!.calls.create - paused).toBeLessThanOrEqual(1);
    await sys.pause(task, 1);
    await sys.select([task]);
    expect(sys.ref(task).task?.exitStatus).toBe(0);
    const done = calls()!;
    expect(done.calls.create).toBe(20000);
    expect(done.failedCalls).toBe(20000);
    await sys.delete(task);
    await sys.delete(bin);
  }, 120_000);
});

describe('worker tasks: equivalence with in-thread tasks', () => {
  it('every call of a random script gives the same value or the same error in both placements', async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        // Handle 1 is the task itself (deleting it exits) and 2 the output the outcomes go to: scripts keep them.
        const safe = steps.filter(harmless);
        const inThread = (await runScript(kernels.thread, 'thread', safe)) as Record<string, unknown>[];
        const inWorker = await runScript(kernels.worker, 'worker', safe);
        expect(inWorker).toEqual(inThread);
        // A call the worker's reader refused still counts, as a failed call, as it does in the kernel's thread.
        expect(counted.get(kernels.worker)).toEqual(counted.get(kernels.thread));
        for (const o of inThread) {
          const kind = 'ok' in o ? 'ok' : 'thrown' in o ? 'thrown' : 'error';
          seen.set(kind, (seen.get(kind) ?? 0) + 1);
        }
      }),
      { numRuns: NUM_RUNS },
    );
    // The scripts reach every kind of outcome: values, DiosErrors and errors thrown by the caller's own code.
    expect(Object.fromEntries(seen)).toEqual({
      ok: expect.any(Number) as unknown,
      error: expect.any(Number) as unknown,
      thrown: expect.any(Number) as unknown,
    });
    expect(seen.get('ok')! * 20, `outcomes: ${JSON.stringify(Object.fromEntries(seen))}`).toBeGreaterThan(
      seen.get('error')!,
    );
  }, 600_000);
});
