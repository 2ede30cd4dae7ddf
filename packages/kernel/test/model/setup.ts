/**
 * The starting states of the model-based test: a kernel booted with init
 * and an installed program, a binary naming it, a group g1 made by init, one
 * or two host-attached tasks in various groups (with various rights), and
 * (sometimes) a shared blob and a stream that init hands to the tasks along
 * with the binary. Every step of the setup goes through the same checked path
 * as the commands.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { Kernel, ObjectType, programBinary } from '@dios/kernel';
import { GroupObject } from '../../src/core/objects/group.js';
import type { Membership } from '../../src/core/objects/task.js';
import { SEEDS } from './commands.js';
import { ALL, KernelModel, type MLifecycle } from './model.js';
import { seedNameKey } from './names.js';
import { compare, perform, type Real } from './real.js';

export const KERNEL_ID = 'k-model';
const BUFFER_SIZE = 4096;
/** The program every binary of the test names: it never returns, so its tasks run until they exit by delete. */
export const IDLE_PROGRAM = 'idle';

export type Groups = 'root' | 'g1' | 'g1+root' | 'root+g1' | 'none';
/** Rights of a membership (mostly all; READ alone, WRITE alone and others now and then). */
const membershipRightsArb = fc.constantFrom(0xf, 0xf, 0xf, 0xf, 0x9, 0x1, 0x2, 0x3, 0xb, 0xa);
export interface Scenario {
  /** Lifecycle of g1, a group init creates before the other tasks attach. */
  g1: MLifecycle;
  /** Whether g1's name comes from a seed (then a later create can ask for the same name again). */
  g1Seeded: boolean;
  /**
   * Groups of each host-attached task, the rights of each membership (in order), and its lookup mask (undefined:
   * a task's default, r--d; the host may let whoever finds the task by name write to it).
   */
  tasks: { groups: Groups; rights: number[]; mask: number | undefined }[];
  /**
   * Whether init starts with a shared blob and a stream, and hands them to each task it can see with these
   * rights (so that sequences begin with cross-task I/O at hand rather than with empty tables).
   */
  preload: { blob: MLifecycle; capacity: number; rights: number[] } | undefined;
}
export const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  g1: fc.constantFrom<MLifecycle>('immortal', 'single-delete', 'refcounted'),
  g1Seeded: fc.boolean(),
  tasks: fc.array(
    fc.record({
      groups: fc.constantFrom<Groups>('root', 'root', 'g1', 'g1+root', 'root+g1', 'none'),
      rights: fc.array(membershipRightsArb, { minLength: 2, maxLength: 2 }),
      mask: fc.constantFrom<number | undefined>(undefined, ALL, ALL, 0x3),
    }),
    { minLength: 1, maxLength: 2 },
  ),
  preload: fc.option(
    fc.record({
      blob: fc.constantFrom<MLifecycle>('immortal', 'single-delete', 'refcounted'),
      capacity: fc.integer({ min: 1, max: 8 }),
      rights: fc.array(fc.constantFrom(0xf, 0xf, 0xb, 0x3, 0x1, 0x2, 0x9), { minLength: 2, maxLength: 2 }),
    }),
    { freq: 4, nil: undefined },
  ),
});

export async function setup(s: Scenario): Promise<{ model: KernelModel; real: Real }> {
  const consoleOut: number[] = [];
  const kernel = await Kernel.boot({
    id: KERNEL_ID,
    bufferSize: BUFFER_SIZE,
    consoleSink: (bytes) => consoleOut.push(...bytes),
  });
  kernel.registerProgram(IDLE_PROGRAM, () => new Promise<never>(() => {}));
  // Boot names are the kernel's business (not a system call's): taken as they are.
  const keys = { root: kernel.rootGroup.name.key, console: kernel.console.name.key, init: kernel.init.taskName.key };
  const model = KernelModel.boot(keys, BUFFER_SIZE, KERNEL_ID, [IDLE_PROGRAM]);
  for (const seed of SEEDS) model.addKnownName(seedNameKey(keys.root, seed));
  const real: Real = {
    kernel,
    sys: [kernel.init],
    tasks: [kernel.tasks.get(keys.init)!],
    buffers: new Map(),
    consoleOut,
  };
  compare(model, real, 'boot');
  const binary = await makeBinary(model, real);

  const options = s.g1Seeded ? { lifecycle: s.g1, nameSeed: SEEDS[0] } : { lifecycle: s.g1 };
  const flags = s.g1Seeded ? 1 : 0;
  await perform(
    model,
    real,
    't0.create(g1)',
    model.create(0, 'group', options, flags),
    () => kernel.init.create(ObjectType.GROUP, options, flags),
    (res, plan) => {
      expect(res.ref).toBe(plan.expectedHandle);
      plan.commit(res.name.key);
    },
  );
  const g1 = model.objects.at(-1)!;
  const g1Object = kernel.objects.get(g1.key);
  // Init also holds g1 read-only (r--d, copied to itself): a group runs can make children members of, and name
  // them in, only without WRITE there (a seeded name is then refused).
  const g1Handle = model.refOf(0, model.task(0).nextHandle - 1)!.handle;
  const narrow = { rights: 0x9 };
  await perform(
    model,
    real,
    't0.copy(g1 read-only)',
    model.copy(0, [g1Handle], model.task(0).self, narrow, 0),
    () => kernel.init.copy([g1Handle], kernel.init.self, narrow),
    (handles, plan) => {
      expect(handles).toEqual(plan.expectedHandles);
      plan.commit();
    },
  );
  expect(g1Object).toBeInstanceOf(GroupObject);
  const rootId = model.obj(0).id;
  for (const [i, { groups: which, rights, mask }] of s.tasks.entries()) {
    const ids = { root: [rootId], g1: [g1.id], 'g1+root': [g1.id, rootId], 'root+g1': [rootId, g1.id], none: [] }[
      which
    ];
    const memberships = ids.map((id, j) => ({ group: id, rights: rights[j]! }));
    // attachTask takes a plain group (joined with all rights) or a membership: both forms are used.
    const groups = memberships.map(({ group: id, rights: r }, j): GroupObject | Membership => {
      const group = id === rootId ? kernel.rootGroup : (g1Object as GroupObject);
      return r === ALL && (i + j) % 2 === 0 ? group : { group, rights: r };
    });
    const sys = await kernel.attachTask(
      [`task-${i + 1}`],
      groups,
      mask === undefined ? undefined : { lookupRights: mask },
    );
    const t = model.attach(sys.taskName.key, memberships, mask);
    real.sys.push(sys);
    real.tasks.push(kernel.tasks.get(sys.taskName.key)!);
    compare(model, real, `attach task ${t} (${which}, rights ${rights.slice(0, ids.length).join('/')})`);
  }
  if (s.preload !== undefined) await preload(model, real, s.preload, binary);
  return { model, real };
}

/** Init creates an immortal shared blob holding a binary of the idle program (through the checked path); returns its handle. */
async function makeBinary(model: KernelModel, real: Real): Promise<number> {
  const init = real.sys[0]!;
  const options = { lifecycle: 'immortal' } as const;
  let handle = 0;
  await perform(
    model,
    real,
    't0.create(binary)',
    model.create(0, 'shared-memory-blob', options, 0),
    () => init.create(ObjectType.SHARED_MEMORY_BLOB, options),
    (res, plan) => {
      expect(res.ref).toBe(plan.expectedHandle);
      handle = res.ref;
      plan.commit(res.name.key);
    },
  );
  const bytes = programBinary(IDLE_PROGRAM);
  let leaseId = -1;
  await perform(
    model,
    real,
    't0.beginWrite(binary)',
    model.beginWrite(0, handle, bytes.length, undefined, 0),
    () => init.beginWrite(handle, bytes.length),
    (buffer, plan) => {
      buffer.set(bytes);
      leaseId = plan.commit([...bytes]);
      real.buffers.set(leaseId, buffer);
    },
  );
  const lease = model.leases[leaseId];
  await perform(
    model,
    real,
    't0.endWrite(binary)',
    model.endWrite(0, handle, lease, undefined, 0),
    () => init.endWrite(handle, real.buffers.get(leaseId)!),
    (version, plan) => {
      expect(version).toBe(plan.version);
      plan.commit();
    },
  );
  expect(model.programOf(model.refOf(0, handle)!.obj)).toBe(IDLE_PROGRAM);
  return handle;
}

/** Init creates a shared blob and a stream and copies both, with the binary, to every task it can look up (through the checked path). */
async function preload(
  model: KernelModel,
  real: Real,
  p: NonNullable<Scenario['preload']>,
  binary: number,
): Promise<void> {
  const init = real.sys[0]!;
  const made: number[] = [binary];
  for (const [type, options] of [
    ['shared-memory-blob', { lifecycle: p.blob }],
    ['shared-memory-stream', { capacity: p.capacity }],
  ] as const) {
    await perform(
      model,
      real,
      `t0.create(${type})`,
      model.create(0, type, options, 0),
      () => init.create(type, options),
      (res, plan) => {
        expect(res.ref).toBe(plan.expectedHandle);
        made.push(res.ref);
        plan.commit(res.name.key);
      },
    );
  }
  for (const task of model.tasks.slice(1)) {
    const label = `t0.lookup(task ${task.id})`;
    let target: number | undefined;
    await perform(
      model,
      real,
      label,
      model.lookup(0, task.key, 0),
      () => init.lookup(task.key),
      (handles, plan) => {
        expect(handles).toEqual(plan.expectedHandles);
        target = handles[0];
        plan.commit();
      },
    );
    if (target === undefined) continue;
    const options = { rights: p.rights[task.id - 1] ?? 0xf };
    await perform(
      model,
      real,
      `t0.copy(to task ${task.id})`,
      model.copy(0, made, target, options, 0),
      () => init.copy(made, target!, options),
      (handles, plan) => {
        expect(handles).toEqual(plan.expectedHandles);
        plan.commit();
      },
    );
  }
}
