/**
 * Shared helpers of the kernel's unit tests: booting, error assertions,
 * byte helpers, installing programs, and a few reads of kernel internals
 * for facts the system calls deliberately do not expose (rights, parents).
 */
import {
  Kernel,
  programBinary,
  Rights,
  type KernelOptions,
  type ObjectType,
  type Program,
  type SystemCalls,
} from '@dios/kernel';
import { blobWith } from './support/blobs.js';
import type { Reference } from '../src/core/objects/reference.js';
import type { TaskObject } from '../src/core/objects/task.js';

export { blobWith, dec, enc, readAll, writeAll } from './support/blobs.js';
export { expectErrno } from './support/errno.js';

/** Boots a kernel (no console output unless a sink is given). */
export function boot(options: KernelOptions = {}): Promise<Kernel> {
  return Kernel.boot(options);
}

/** A promise with its outcome observable without awaiting it (and without unhandled-rejection noise). */
export interface Tracked<T> {
  readonly promise: Promise<T>;
  settled: boolean;
  value: T | undefined;
  error: unknown;
}

export function track<T>(promise: Promise<T>): Tracked<T> {
  const t: Tracked<T> = { promise, settled: false, value: undefined, error: undefined };
  promise.then(
    (v) => {
      t.settled = true;
      t.value = v;
    },
    (e: unknown) => {
      t.settled = true;
      t.error = e;
    },
  );
  return t;
}

/** Lets pending microtasks and a few macrotask turns run. */
export function flush(ms = 5): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

let programCounter = 0;

/** Registers `program` under a fresh id and stores its binary in a blob of `sys`; returns the binary's handle. */
export async function installProgram(
  kernel: Kernel,
  sys: SystemCalls,
  program: Program,
  id = `test-program-${++programCounter}`,
): Promise<number> {
  kernel.registerProgram(id, program);
  const { ref } = await blobWith(sys, programBinary(id));
  return ref;
}

/** The kernel task behind a context (internal: for facts the syscalls do not show). */
export function taskOf(kernel: Kernel, sys: SystemCalls): TaskObject {
  const task = kernel.tasks.get(sys.taskName.key);
  if (task === undefined) throw new Error(`task ${sys.taskName.key} is not in the kernel's task table`);
  return task;
}

/** The kernel's record of reference `handle` of `sys` (internal: rights and parent). */
export function krefOf(kernel: Kernel, sys: SystemCalls, handle: number): Reference {
  const ref = taskOf(kernel, sys).table.get(handle);
  if (ref === undefined) throw new Error(`task holds no reference ${handle}`);
  return ref;
}

/** The handle of the first reference of `sys` whose object has `type`. */
export function handleOfType(sys: SystemCalls, type: ObjectType): number {
  const h = sys.handles.find((handle) => sys.ref(handle).type === type);
  if (h === undefined) throw new Error(`no ${type} reference`);
  return h;
}

/**
 * A kernel, init, a second host task `other`, and init's reference to it
 * (all rights, from lookup: the host attached `other` with lookup mask `rwxd`).
 */
export async function withOtherTask(): Promise<{
  kernel: Kernel;
  sys: SystemCalls;
  other: SystemCalls;
  target: number;
}> {
  const kernel = await boot();
  const sys = kernel.init;
  const other = await kernel.attachTask(['other'], undefined, { lookupRights: Rights.ALL });
  const [target] = await sys.lookup(other.taskName);
  return { kernel, sys, other, target: target! };
}
