/**
 * run(binary, spec, flags): starts a task whose program a binary object
 * names. The child gets its own table with a self reference and the spec's
 * inputs and outputs, and is a member of the spec's groups for its life.
 * @module
 */
import { errors } from '../errors.js';
import { checkFlags, ObjectType, RunFlags, Rights } from '../flags.js';
import { PROGRAM_PREFIX, type Kernel } from '../kernel.js';
import { Name, describe } from '../names.js';
import { GroupObject } from '../objects/group.js';
import type { Membership, TaskObject } from '../objects/task.js';
import type { Reference } from '../reference.js';
import { checkArray, checkOptions, MAX_REFS_PER_CALL, requireRights } from './validate.js';

/** What a new task gets. */
export interface TaskSpec {
  /** Arguments; argv[0] is conventionally the program's name. */
  argv: readonly string[];
  /** Handles (in the caller's table) passed as inputs: the child gets them without write rights. */
  inputs?: readonly number[];
  /** Handles passed as outputs: the child gets them with the caller's rights. */
  outputs?: readonly number[];
  /** Handles of group references (read rights) the child is a member of; default: the caller's groups. */
  groups?: readonly number[];
  /** Environment variables. */
  env?: Readonly<Record<string, string>>;
  /** With RunFlags.NAME_DETERMINISTIC: derive the task's name from this string. */
  name?: string;
  /** Run on this peer kernel instead of locally. */
  kernel?: string;
}

const KEYS = ['argv', 'inputs', 'outputs', 'groups', 'env', 'name', 'kernel'] as const;
const decoder = new TextDecoder('utf-8', { fatal: false });

/** Reads the program id from a binary's bytes. */
export function programId(bytes: Uint8Array): string | undefined {
  const text = decoder.decode(bytes);
  return text.startsWith(PROGRAM_PREFIX) ? text.slice(PROGRAM_PREFIX.length).trim() : undefined;
}

/** Implements run for `parent`. */
export async function run(kernel: Kernel, parent: TaskObject, binary: unknown, spec: unknown, flags: unknown): Promise<number> {
  const s = 'run';
  const f = checkFlags(s, flags, RunFlags);
  const bin = kernel.ref(parent, binary, s, 'binary');
  requireRights(s, 'binary', bin, Rights.EXEC);
  if (bin.object.type !== ObjectType.SHARED_MEMORY_BLOB && bin.object.type !== ObjectType.PRIVATE_MEMORY_BLOB) {
    throw errors.ENOEXEC(s, 'binary', `reference ${bin.id} is a ${bin.object.type}; a binary is a blob`);
  }
  if (spec === undefined) throw errors.EINVAL(s, 'spec', 'a task spec is required');
  const sp = checkOptions<TaskSpec>(s, 'spec', spec, KEYS);
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
          return r;
        });
  const inputs = refList('inputs', Rights.READ) ?? [];
  const outputs = refList('outputs', Rights.WRITE) ?? [];
  const groupRefs = refList('groups', Rights.READ);
  groupRefs?.forEach((g, i) => {
    if (g.object.type !== ObjectType.GROUP) throw errors.EINVAL(s, `spec.groups[${i}]`, `reference ${g.id} is a ${g.object.type}, not a group`);
  });
  if (sp.name !== undefined && (typeof sp.name !== 'string' || !(f & RunFlags.NAME_DETERMINISTIC))) {
    throw errors.EINVAL(s, 'spec.name', 'a task name seed is a string and needs RunFlags.NAME_DETERMINISTIC');
  }
  const remoteKernel = sp.kernel !== undefined && sp.kernel !== kernel.id ? sp.kernel : undefined;
  if (remoteKernel !== undefined) {
    if (typeof remoteKernel !== 'string') throw errors.EINVAL(s, 'spec.kernel', `expected a kernel id, got ${describe(remoteKernel)}`);
    if (kernel.distribution === undefined) throw errors.EHOSTUNREACH(s, 'spec.kernel', `no transport: kernel ${remoteKernel} is unreachable`);
  }

  const counter = parent.counter + 1;
  const name = !(f & RunFlags.NAME_DETERMINISTIC)
    ? undefined
    : sp.name !== undefined
      ? await Name.fromString(sp.name)
      : await Name.derived(parent.name, counter);
  if (remoteKernel !== undefined) {
    const resolved = { argv: argv as string[], env, inputs, outputs, groups: groupRefs, name };
    const handle = await kernel.distribution!.run(parent, bin, resolved, f, remoteKernel);
    if (name !== undefined && sp.name === undefined) parent.counter = counter;
    return handle;
  }

  // The binary's bytes name the program; reading them goes through the object like any read.
  const bytes = await readWhole(bin);
  const id = programId(bytes);
  if (id === undefined) throw errors.ENOEXEC(s, 'binary', `the binary's bytes do not start with "${PROGRAM_PREFIX.trim()}"`);
  const program = kernel.programs.get(id);
  if (program === undefined) throw errors.ENOENT(s, 'binary', `no program "${id}" is installed on kernel ${kernel.id}`);
  if (parent.state === 'exited') throw errors.ECANCELED(s, undefined, 'the task exited during the call');
  for (const r of [bin, ...inputs, ...outputs, ...(groupRefs ?? [])]) {
    if (!r.open) throw errors.EBADF(s, 'spec', `reference ${r.id} was deleted during the call`);
  }
  const taskName = name ?? Name.random();
  if (kernel.objects.has(taskName.key)) throw errors.EEXIST(s, 'spec.name', `an object named ${taskName.key} already exists on this kernel`);

  if (name !== undefined && sp.name === undefined) parent.counter = counter;
  // Only an omitted list inherits the parent's groups: an explicit [] makes a task that resolves in no group.
  const groups: Membership[] =
    groupRefs !== undefined ? groupRefs.map((g) => ({ group: g.object as GroupObject, rights: g.rights })) : [...parent.setup.groups];
  const child = kernel.newTask(taskName, { argv: argv as string[], env: { ...env }, groups, program });
  const pass = (r: Reference, rights: number) =>
    kernel.openRef(child, r.object, rights, { task: parent.name.key, id: r.id }, r.consistency, r.readBufferSize, r.writeBufferSize).id;
  child.inputs = inputs.map((r) => pass(r, r.rights & ~(Rights.WRITE | Rights.EXEC)));
  child.outputs = outputs.map((r) => pass(r, r.rights & ~Rights.EXEC));
  const handle = kernel.openRef(parent, child, Rights.READ | Rights.WRITE | Rights.DELEGATE, undefined).id;
  if (!(f & RunFlags.START_PAUSED)) kernel.startTask(child);
  return handle;
}

/** A copy of a binary's bytes, read through its object like any read (released at once, so nothing stays lent). */
export async function readWhole(ref: Reference): Promise<Uint8Array> {
  const obj = ref.object;
  const lease = await obj.beginRead({
    ref,
    offset: 0,
    length: obj.size,
    nonblock: true,
    truncate: false,
    guard: () => {},
    syscall: 'run',
  });
  const copy = lease.buffer.slice();
  await obj.endRead(lease, true);
  return copy;
}
