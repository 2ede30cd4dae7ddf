/**
 * The start of a model run: a kernel booted with init and an installed
 * program, a binary naming it, a group g1 made by init, the scenario's
 * host-attached tasks, and (sometimes) a shared blob and a stream that init
 * hands to the tasks along with the binary. Every step of the setup goes
 * through the same checked path as the commands.
 * @module
 */
import { ObjectType } from '../../core/abi/flags.js';
import { programBinary } from '../../core/abi/program.js';
import { Kernel, type KernelOptions } from '../../core/kernel.js';
import { GroupObject } from '../../core/objects/group.js';
import type { Membership } from '../../core/objects/task.js';
import type { TaskContext } from '../../core/syscalls/task-context.js';
import type { Scenario } from '../arbitraries/scenario.js';
import { KernelModel } from '../model/kernel-model.js';
import { seedNameKey } from '../model/names.js';
import { ALL } from '../model/rights-and-limits.js';
import { SEEDS } from './command-support.js';
import { compare } from './compare.js';
import { expectSame, ModelMismatchError } from './mismatch.js';
import { observeKernel, rememberTask } from './observe-kernel.js';
import type { ObservedState } from './observed-state.js';
import { perform } from './perform.js';
import type { ModelStatistics } from './statistics.js';
import type { SystemUnderTest } from './system-under-test.js';

/** The id the runner boots its kernel with (run to any other kernel has nowhere to go). */
export const MODEL_KERNEL_ID = 'k-model';
/** The kernel's default buffer size in a model run. */
export const MODEL_BUFFER_SIZE = 4096;
/** The program every binary of a model run names: it never returns, so its tasks run until they exit by delete. */
export const IDLE_PROGRAM = 'idle';

/** How the runner gets its kernel, observes it, and counts outcomes. */
export interface ModelRunOptions {
  /**
   * Boots the kernel under test with the options the run needs (its id, buffer size and console sink; keep them),
   * plus whatever the caller adds: an executor, a store, a scheduler, a transport. Default: `Kernel.boot`.
   */
  boot?: (options: KernelOptions) => Promise<Kernel>;
  /** Reads the kernel's state (default: {@link observeKernel}). */
  observe?: (kernel: Kernel, contexts: readonly TaskContext[], consoleOut: readonly number[]) => ObservedState;
  /** Where to count outcomes and notable cases. */
  statistics?: ModelStatistics;
}

/** A model and a system under test in the scenario's starting state, compared at every step of the way. */
export async function setupScenario(
  s: Scenario,
  options: ModelRunOptions = {},
): Promise<{ model: KernelModel; real: SystemUnderTest }> {
  const consoleOut: number[] = [];
  const kernel = await (options.boot ?? ((o: KernelOptions) => Kernel.boot(o)))({
    id: MODEL_KERNEL_ID,
    bufferSize: MODEL_BUFFER_SIZE,
    consoleSink: (bytes) => consoleOut.push(...bytes),
  });
  kernel.registerProgram(IDLE_PROGRAM, () => new Promise<never>(() => {}));
  // Boot names are the kernel's business (not a system call's): taken as they are.
  const keys = { root: kernel.rootGroup.name.key, console: kernel.console.name.key, init: kernel.init.taskName.key };
  const model = KernelModel.boot(keys, MODEL_BUFFER_SIZE, MODEL_KERNEL_ID, [IDLE_PROGRAM]);
  for (const seed of SEEDS) model.addKnownName(seedNameKey(keys.root, seed));
  const observe = options.observe ?? observeKernel;
  const sys: TaskContext[] = [];
  const real: SystemUnderTest = {
    kernel,
    sys,
    buffers: new Map(),
    consoleOut,
    observe: () => observe(kernel, sys, consoleOut),
    addTask: (context) => {
      rememberTask(kernel, context);
      sys.push(context);
    },
    statistics: options.statistics,
  };
  real.addTask(kernel.init);
  compare(model, real, 'boot');
  const binary = await makeBinary(model, real);

  const g1Options = s.g1Seeded ? { lifecycle: s.g1, nameSeed: SEEDS[0] } : { lifecycle: s.g1 };
  const flags = s.g1Seeded ? 1 : 0;
  await perform(
    model,
    real,
    't0.create(g1)',
    model.create(0, 'group', g1Options, flags),
    () => kernel.init.create(ObjectType.GROUP, g1Options, flags),
    (res, plan) => {
      expectSame('t0.create', 'handle', res.ref, plan.expectedHandle);
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
      expectSame('t0.copy(g1 read-only)', 'handles', handles, plan.expectedHandles);
      plan.commit();
    },
  );
  if (!(g1Object instanceof GroupObject))
    throw new ModelMismatchError('t0.create(g1)', 'g1', 'a group object', g1Object);
  const rootId = model.obj(0).id;
  for (const [i, { groups: which, rights, mask }] of s.tasks.entries()) {
    const ids = { root: [rootId], g1: [g1.id], 'g1+root': [g1.id, rootId], 'root+g1': [rootId, g1.id], none: [] }[
      which
    ];
    const memberships = ids.map((id, j) => ({ group: id, rights: rights[j]! }));
    // attachTask takes a plain group (joined with all rights) or a membership: both forms are used.
    const groups = memberships.map(({ group: id, rights: r }, j): GroupObject | Membership => {
      const group = id === rootId ? kernel.rootGroup : g1Object;
      return r === ALL && (i + j) % 2 === 0 ? group : { group, rights: r };
    });
    const attached = await kernel.attachTask(
      [`task-${i + 1}`],
      groups,
      mask === undefined ? undefined : { lookupRights: mask },
    );
    const t = model.attach(attached.taskName.key, memberships, mask);
    real.addTask(attached);
    compare(model, real, `attach task ${t} (${which}, rights ${rights.slice(0, ids.length).join('/')})`);
  }
  if (s.preload !== undefined) await preload(model, real, s.preload, binary);
  return { model, real };
}

/** Init creates an immortal shared blob holding a binary of the idle program (through the checked path); returns its handle. */
async function makeBinary(model: KernelModel, real: SystemUnderTest): Promise<number> {
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
      expectSame('t0.create', 'handle', res.ref, plan.expectedHandle);
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
      expectSame('t0.endWrite(binary)', 'version', version, plan.version);
      plan.commit();
    },
  );
  expectSame('t0.endWrite(binary)', 'program', model.programOf(model.refOf(0, handle)!.obj), IDLE_PROGRAM);
  return handle;
}

/** Init creates a shared blob and a stream and copies both, with the binary, to every task it can look up (through the checked path). */
async function preload(
  model: KernelModel,
  real: SystemUnderTest,
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
        expectSame('t0.create', 'handle', res.ref, plan.expectedHandle);
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
        expectSame(label, 'handles', handles, plan.expectedHandles);
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
        expectSame(`t0.copy(to task ${task.id})`, 'handles', handles, plan.expectedHandles);
        plan.commit();
      },
    );
  }
}
