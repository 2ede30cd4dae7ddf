/**
 * run(binary, spec, flags): starts a task whose program a binary object
 * names. The child gets its own table with a self reference and the spec's
 * inputs and outputs, and is a member of the spec's groups for its life.
 * @module
 */
import { errors } from '../abi/errors.js';
import { checkFlags, ObjectType, RunFlags, Rights } from '../abi/flags.js';
import type { KernelState } from '../kernel/kernel-state.js';
import { Name, describe } from '../abi/names.js';
import type { GroupObject } from '../objects/group.js';
import type { Container } from '../objects/container.js';
import { RemoteObject } from '../objects/remote.js';
import type { TaskObject } from '../objects/task.js';
import type { Reference } from '../objects/reference.js';
import type { Placement } from '../abi/program.js';
import { nodeLoad } from '../kernel/scheduler.js';
import { ANY_KERNEL } from '../scheduling/placement-policy.js';
import { programKey } from '../scheduling/program-key.js';
import type { TaskClass } from '../scheduling/task-class.js';
import type { NodeLoad } from '../wire/transport.js';
import { runArguments } from './arguments.js';
import { spawn } from './spawn.js';
import { checkFlow, recordFlow } from './flow.js';
import { canFlow, type Label } from '../objects/label.js';
import { checkArray, checkOptions, MAX_REFS_PER_CALL, requireRights } from './validate.js';
import { TASK_SPEC_KEYS, type TaskSpec } from '../abi/syscall-options.js';

const PLACEMENTS: readonly Placement[] = ['thread', 'worker'];

/** Implements run for `parent`. */
export async function run(
  kernel: KernelState,
  parent: TaskObject,
  binary: unknown,
  spec: unknown,
  flags: unknown,
): Promise<number> {
  const s = 'run';
  // Each argument read once, as a worker task's call is (see arguments.ts); the checks below then run on the snapshot.
  ({ binary, spec, flags } = runArguments(binary, spec, flags));
  const f = checkFlags(s, flags, RunFlags);
  const bin = kernel.ref(parent, binary, s, 'binary');
  requireRights(s, 'binary', bin, Rights.EXEC);
  if (bin.object instanceof RemoteObject) bin.object.checkHostUp(s, 'binary');
  if (
    bin.object.type !== ObjectType.SHARED_MEMORY_BLOB &&
    bin.object.type !== ObjectType.PRIVATE_MEMORY_BLOB &&
    bin.object.type !== ObjectType.DURABLE_BLOB
  ) {
    throw errors.ENOEXEC(s, 'binary', `reference ${bin.id} is a ${bin.object.type}; a binary is a blob`);
  }
  // The child starts with the caller's label and runs what the binary says: the binary flows into it.
  checkFlow(kernel, parent, s, 'binary', bin.object, 'in', 'read');
  if (spec === undefined) throw errors.EINVAL(s, 'spec', 'a task spec is required');
  const sp = checkOptions<TaskSpec>(s, 'spec', spec, TASK_SPEC_KEYS);
  const argv = checkArray(s, 'spec.argv', sp.argv, 4096);
  argv.forEach((a, i) => {
    if (typeof a !== 'string') throw errors.EINVAL(s, `spec.argv[${i}]`, `expected a string, got ${describe(a)}`);
  });
  const env = checkOptions<Record<string, string>>(s, 'spec.env', sp.env, Object.keys(sp.env ?? {}));
  for (const [k, v] of Object.entries(env)) {
    if (typeof v !== 'string') throw errors.EINVAL(s, `spec.env.${k}`, `expected a string, got ${describe(v)}`);
  }
  // Passing a reference to a child delegates it, so each one needs DELEGATE besides the right the child uses.
  const refList = (field: 'inputs' | 'outputs' | 'groups', needed: number): Reference[] | undefined =>
    sp[field] === undefined
      ? undefined
      : checkArray(s, `spec.${field}`, sp[field], MAX_REFS_PER_CALL).map((h, i) => {
          const r = kernel.ref(parent, h, s, `spec.${field}[${i}]`);
          requireRights(s, `spec.${field}[${i}]`, r, needed | Rights.DELEGATE);
          if (r.object.type === ObjectType.PRIVATE_MEMORY_BLOB) {
            throw errors.EPERM(s, `spec.${field}[${i}]`, 'private memory cannot be passed to another task');
          }
          // A child would only find its I/O failing: say so now.
          if (r.object instanceof RemoteObject) r.object.checkHostUp(s, `spec.${field}[${i}]`);
          return r;
        });
  const inputs = refList('inputs', Rights.READ) ?? [];
  const outputs = refList('outputs', Rights.WRITE) ?? [];
  const groupRefs = refList('groups', Rights.READ);
  groupRefs?.forEach((g, i) => {
    if (g.object.type !== ObjectType.GROUP)
      throw errors.EINVAL(s, `spec.groups[${i}]`, `reference ${g.id} is a ${g.object.type}, not a group`);
  });
  // A seeded name is the name create would give that seed in the child's first group: taking it enters a name
  // others may expect there, which takes WRITE on that group (as create does), or it could squat on it.
  const home = groupRefs !== undefined ? groupRefs[0] : parent.setup.groups[0];
  if (
    typeof sp.name === 'string' &&
    f & RunFlags.NAME_DETERMINISTIC &&
    home !== undefined &&
    !(home.rights & Rights.WRITE)
  ) {
    throw errors.EACCES(
      s,
      'spec.name',
      `a seeded name is entered in the child's first group, and ${groupRefs !== undefined ? 'spec.groups[0]' : "the caller's first membership"} lacks write rights there`,
    );
  }
  // As create's: a name others can look for, entered in a group the caller's label may not flow to, tells them something.
  const homeGroup = home === undefined ? undefined : 'object' in home ? home.object : home.group;
  if (f & RunFlags.NAME_DETERMINISTIC && homeGroup !== undefined && !canFlow(parent.label, homeGroup.label)) {
    throw errors.EPERM(
      s,
      'flags',
      `the labels forbid a deterministic task name in group ${homeGroup.name.key.slice(0, 12)} from the task ${parent.label.toString()}`,
    );
  }
  if (sp.name !== undefined && (typeof sp.name !== 'string' || !(f & RunFlags.NAME_DETERMINISTIC))) {
    throw errors.EINVAL(s, 'spec.name', 'a task name seed is a string and needs RunFlags.NAME_DETERMINISTIC');
  }
  if (sp.placement !== undefined && !PLACEMENTS.includes(sp.placement)) {
    throw errors.EINVAL(s, 'spec.placement', `expected 'thread' or 'worker', got ${describe(sp.placement)}`);
  }
  let target = sp.kernel;
  if (target !== undefined && typeof target !== 'string')
    throw errors.EINVAL(s, 'spec.kernel', `expected a kernel id, got ${describe(target)}`);
  // Any kernel: the scheduling policy chooses, from where the inputs live and how loaded each kernel is.
  let placed: string | undefined;
  if (target === ANY_KERNEL) {
    target = placed = await choose(kernel, argv as string[], inputs, programKey(await readWhole(bin, parent.label)));
  }
  const remoteKernel = target !== undefined && target !== kernel.id ? target : undefined;
  if (remoteKernel !== undefined && kernel.distribution === undefined) {
    throw errors.EHOSTUNREACH(s, 'spec.kernel', `no transport: kernel ${remoteKernel} is unreachable`);
  }

  // A task of a container starts tasks of that container; a task started in a container's group joins it.
  const container = parent.container ?? (homeGroup as GroupObject | undefined)?.container;
  const counter = f & RunFlags.NAME_DETERMINISTIC && sp.name === undefined ? parent.reserveCounter() : 0;
  try {
    return await start(kernel, parent, bin, f, counter, sp.name, remoteKernel, {
      argv: argv as string[],
      env,
      inputs,
      outputs,
      groups: groupRefs,
      placement: sp.placement,
      container,
    });
  } catch (e) {
    if (counter !== 0) parent.releaseCounter(counter);
    throw e;
  } finally {
    if (placed !== undefined) unplace(kernel, placed);
  }
}

// A placed run has started (or failed): from now on the target's load counts it, or nothing does.
function unplace(kernel: KernelState, id: string): void {
  const n = (kernel.placing.get(id) ?? 1) - 1;
  if (n > 0) kernel.placing.set(id, n);
  else kernel.placing.delete(id);
}

// The part of run after the arguments are checked: name the task, then start it here or on a peer.
async function start(
  kernel: KernelState,
  parent: TaskObject,
  bin: Reference,
  f: number,
  counter: number,
  seed: string | undefined,
  remoteKernel: string | undefined,
  spec: {
    argv: string[];
    env: Record<string, string>;
    inputs: Reference[];
    outputs: Reference[];
    groups: Reference[] | undefined;
    placement: Placement | undefined;
    container: Container | undefined;
  },
): Promise<number> {
  const s = 'run';
  const { argv, env, inputs, outputs, groups: groupRefs } = spec;
  // A seed is scoped to the group the task is named in (its first group), or to its parent when it has none.
  const scope = groupRefs !== undefined ? groupRefs[0]?.object.name : parent.setup.groups[0]?.group.name;
  const name = !(f & RunFlags.NAME_DETERMINISTIC)
    ? undefined
    : seed !== undefined
      ? await Name.seeded(scope ?? parent.name, seed)
      : await Name.derived(parent.name, counter);
  if (remoteKernel !== undefined) {
    return kernel.distribution!.run(
      parent,
      bin,
      { argv, env, inputs, outputs, groups: groupRefs, name, placement: spec.placement, container: spec.container },
      f,
      remoteKernel,
    );
  }

  // The binary's bytes name the program; reading them goes through the object like any read.
  const bytes = await readWhole(bin, parent.label);
  let childName = '';
  const handle = spawn(
    kernel,
    {
      binary: bytes,
      placement: spec.placement,
      flags: f,
      argv,
      env,
      label: parent.label,
      container: spec.container,
      refused: () => recordFlow(kernel, parent, bin.object, 'run', s, 0, false),
      name: () => {
        if (parent.state === 'exited') throw errors.ECANCELED(s, undefined, 'the task exited during the call');
        for (const r of [bin, ...inputs, ...outputs, ...(groupRefs ?? [])]) {
          if (!r.open) throw errors.EBADF(s, 'spec', `reference ${r.id} was deleted during the call`);
        }
        return name ?? kernel.newName();
      },
      // Only an omitted list inherits the parent's groups: an explicit [] makes a task that resolves in no group.
      setup: () => ({
        groups:
          groupRefs !== undefined
            ? groupRefs.map((g) => ({ group: g.object as GroupObject, rights: g.rights }))
            : [...parent.setup.groups],
        inputs: inputs.map((r) => ({ object: r.object, rights: r.rights & ~(Rights.WRITE | Rights.EXEC), from: r })),
        outputs: outputs.map((r) => ({ object: r.object, rights: r.rights & ~Rights.EXEC, from: r })),
      }),
    },
    (child) => {
      childName = child.name.key;
      recordFlow(kernel, parent, bin.object, 'run', s, bytes.length, true, child);
      return kernel.openRef(parent, child, Rights.READ | Rights.WRITE | Rights.DELEGATE, undefined).id;
    },
  );
  // A lookup on any peer finds the task by name once run returns.
  await kernel.distribution?.published(childName);
  return handle;
}

// Asks the kernel's scheduling policy where to run (the caller and every reachable peer are candidates), telling
// it what the program was seen to do: here, or else by the peers that ran it (the class most of them saw).
async function choose(kernel: KernelState, argv: string[], inputs: Reference[], program: string): Promise<string> {
  // No prototype: a kernel named 'constructor' or '__proto__' is a key like any other.
  const inputBytes: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const r of inputs) {
    const home = r.object.home ?? kernel.id;
    inputBytes[home] = (inputBytes[home] ?? 0) + r.object.size;
  }
  const peers = kernel.distribution?.peers() ?? [];
  // A peer that does not answer is not a candidate.
  const loads = await Promise.all(peers.map((p) => kernel.distribution!.load(p, program).catch(() => undefined)));
  // Runs this kernel placed that have not started yet count as running where they are going: runs made at once
  // do not all see the same loads and pile onto one kernel.
  const all = [nodeLoad(kernel, program), ...loads.filter((l): l is NodeLoad => l !== undefined)].map((l) =>
    kernel.placing.has(l.kernel) ? { ...l, runningTasks: l.runningTasks + kernel.placing.get(l.kernel)! } : l,
  );
  const candidates = all.filter((c) => c.schedulable !== false);
  if (candidates.length === 0)
    throw errors.EAGAIN(
      'run',
      'spec.kernel',
      'no reachable kernel takes scheduled tasks (this one is not schedulable and no schedulable peer answered)',
    );
  let chosen: unknown;
  try {
    // A policy that answers at once is not awaited: no other run's choice comes between the loads and the count.
    chosen = kernel.scheduler.place({ caller: kernel.id, argv, inputBytes, candidates, taskClass: classOf(all) });
    if (chosen instanceof Promise) chosen = await chosen;
  } catch (e) {
    throw errors.EIO(
      'run',
      'spec.kernel',
      `the scheduling policy failed: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (!candidates.some((c) => c.kernel === chosen))
    throw errors.EIO('run', 'spec.kernel', `the scheduling policy chose ${describe(chosen)}, not a candidate`);
  kernel.placing.set(chosen as string, (kernel.placing.get(chosen as string) ?? 0) + 1);
  return chosen as string;
}

// The class most kernels that know the program saw ('unknown' when none does; a tie goes to 'memory', the costlier).
function classOf(loads: readonly NodeLoad[]): TaskClass {
  const votes = { cpu: 0, memory: 0 };
  for (const l of loads) if (l.programClass === 'cpu' || l.programClass === 'memory') votes[l.programClass]++;
  if (votes.cpu === 0 && votes.memory === 0) return 'unknown';
  return votes.cpu > votes.memory ? 'cpu' : 'memory';
}

/** A copy of a binary's bytes, read through its object like any read (released at once, so nothing stays lent). */
export async function readWhole(ref: Reference, label: Label): Promise<Uint8Array> {
  const obj = ref.object;
  const lease = await obj.beginRead({
    ref,
    offset: 0,
    length: obj.size,
    nonblock: true,
    truncate: false,
    append: false,
    guard: () => {},
    syscall: 'run',
    label,
  });
  const copy = lease.buffer.slice();
  await obj.endRead(lease, true);
  return copy;
}
