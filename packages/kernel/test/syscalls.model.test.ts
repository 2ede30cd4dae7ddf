/**
 * Model-based property test of the system calls: random sequences of calls,
 * valid and invalid, issued by init and one or two host-attached tasks, are
 * run against the kernel and against the reference model in ./model. After
 * every step the kernel and the model must agree (result or errno, and then
 * the whole state), and the kernel's invariants must hold. A failing call
 * must change nothing.
 *
 * Runs: DIOS_PROPERTY_RUNS (default 1000). DIOS_MODEL_STATS=1 prints how
 * often each call succeeded or failed with each errno.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Kernel, ObjectType } from '@dios/kernel';
import { GroupObject } from '../src/core/objects/group.js';
import { allCommands, SEEDS } from './model/commands.js';
import { KernelModel, type MLifecycle } from './model/model.js';
import { seedNameKey } from './model/names.js';
import { compare, perform, stats, type Real } from './model/real.js';

const NUM_RUNS = Number(process.env.DIOS_PROPERTY_RUNS ?? 1000);
const KERNEL_ID = 'k-model';
const BUFFER_SIZE = 4096;

type Membership = 'root' | 'g1' | 'g1+root' | 'root+g1' | 'none';
interface Scenario {
  /** Lifecycle of g1, a group init creates before the other tasks attach. */
  g1: MLifecycle;
  /** Whether g1's name comes from a seed (then a later create can ask for the same name again). */
  g1Seeded: boolean;
  /** Groups of each host-attached task. */
  tasks: Membership[];
  /**
   * Whether init starts with a shared blob and a stream, and hands them to each task it can see with these
   * rights (so that sequences begin with cross-task I/O at hand rather than with empty tables).
   */
  preload: { blob: MLifecycle; capacity: number; rights: number[] } | undefined;
}
const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  g1: fc.constantFrom<MLifecycle>('immortal', 'single-delete', 'refcounted'),
  g1Seeded: fc.boolean(),
  tasks: fc.array(fc.constantFrom<Membership>('root', 'root', 'g1', 'g1+root', 'root+g1', 'none'), { minLength: 1, maxLength: 2 }),
  preload: fc.option(
    fc.record({
      blob: fc.constantFrom<MLifecycle>('immortal', 'single-delete', 'refcounted'),
      capacity: fc.integer({ min: 1, max: 8 }),
      rights: fc.array(fc.constantFrom(0xf, 0xf, 0xb, 0x3, 0x1, 0x2, 0x9), { minLength: 2, maxLength: 2 }),
    }),
    { freq: 4, nil: undefined },
  ),
});

async function setup(s: Scenario): Promise<{ model: KernelModel; real: Real }> {
  const consoleOut: number[] = [];
  const kernel = await Kernel.boot({ id: KERNEL_ID, bufferSize: BUFFER_SIZE, consoleSink: (bytes) => consoleOut.push(...bytes) });
  // Boot names are the kernel's business (not a system call's): taken as they are.
  const keys = { root: kernel.rootGroup.name.key, console: kernel.console.name.key, init: kernel.init.taskName.key };
  const model = KernelModel.boot(keys, BUFFER_SIZE);
  for (const seed of SEEDS) model.addKnownName(seedNameKey(seed));
  const real: Real = { kernel, sys: [kernel.init], tasks: [kernel.tasks.get(keys.init)!], buffers: new Map(), consoleOut };
  compare(model, real, 'boot');

  const options = s.g1Seeded ? { lifecycle: s.g1, nameSeed: SEEDS[0] } : { lifecycle: s.g1 };
  const flags = s.g1Seeded ? 1 : 0;
  await perform(model, real, 't0.create(g1)', model.create(0, 'group', options, flags), () => kernel.init.create(ObjectType.GROUP, options, flags), (res, plan) => {
    expect(res.ref).toBe(plan.expectedHandle);
    plan.commit(res.name.key);
  });
  const g1 = model.objects.at(-1)!;
  const g1Object = kernel.objects.get(g1.key);
  expect(g1Object).toBeInstanceOf(GroupObject);
  for (const [i, membership] of s.tasks.entries()) {
    const ids = { root: [0], g1: [g1.id], 'g1+root': [g1.id, 0], 'root+g1': [0, g1.id], none: [] }[membership];
    const groups = ids.map((id) => (id === 0 ? kernel.rootGroup : (g1Object as GroupObject)));
    const sys = await kernel.attachTask([`task-${i + 1}`], groups);
    const t = model.attach(sys.taskName.key, ids);
    real.sys.push(sys);
    real.tasks.push(kernel.tasks.get(sys.taskName.key)!);
    compare(model, real, `attach task ${t} (${membership})`);
  }
  if (s.preload !== undefined) await preload(model, real, s.preload);
  return { model, real };
}

/** Init creates a shared blob and a stream and copies both to every task it can look up (through the checked path). */
async function preload(model: KernelModel, real: Real, p: NonNullable<Scenario['preload']>): Promise<void> {
  const init = real.sys[0]!;
  const made: number[] = [];
  for (const [type, options] of [
    ['shared-memory-blob', { lifecycle: p.blob }],
    ['shared-memory-stream', { capacity: p.capacity }],
  ] as const) {
    await perform(model, real, `t0.create(${type})`, model.create(0, type, options, 0), () => init.create(type, options), (res, plan) => {
      expect(res.ref).toBe(plan.expectedHandle);
      made.push(res.ref);
      plan.commit(res.name.key);
    });
  }
  for (const task of model.tasks.slice(1)) {
    const label = `t0.lookup(task ${task.id})`;
    let target: number | undefined;
    await perform(model, real, label, model.lookup(0, task.key, 0), () => init.lookup(task.key), (handles, plan) => {
      expect(handles).toEqual(plan.expectedHandles);
      target = handles[0];
      plan.commit();
    });
    if (target === undefined) continue;
    const options = { rights: p.rights[task.id - 1] ?? 0xf };
    await perform(model, real, `t0.copy(to task ${task.id})`, model.copy(0, made, target, options, 0), () => init.copy(made, target!, options), (handles, plan) => {
      expect(handles).toEqual(plan.expectedHandles);
      plan.commit();
    });
  }
}

describe('system calls against the reference model', () => {
  it(
    `agree on every result, errno and state over ${NUM_RUNS} random call sequences`,
    async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb, fc.commands(allCommands, { maxCommands: 60, size: 'max' }), async (scenario, commands) => {
          await fc.asyncModelRun(() => setup(scenario), commands);
        }),
        { numRuns: NUM_RUNS },
      );
      if (process.env.DIOS_MODEL_STATS) {
        console.log([...stats.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k.padEnd(24)} ${v}`).join('\n'));
      }
    },
    120_000 + NUM_RUNS * 200,
  );
});
