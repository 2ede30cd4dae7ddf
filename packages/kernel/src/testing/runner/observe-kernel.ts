/**
 * Reads {@link ObservedState} from this package's {@link Kernel}, through its
 * object and task tables (the runner lives in the kernel package, so it may).
 * Another implementation provides its own observation instead.
 * @module
 */
import type { Kernel } from '../../core/kernel.js';
import { BlobObject } from '../../core/objects/blob.js';
import { GroupObject } from '../../core/objects/group.js';
import type { KernelObject } from '../../core/objects/kernel-object.js';
import { StreamObject } from '../../core/objects/stream.js';
import { TaskObject } from '../../core/objects/task.js';
import type { TaskContext } from '../../core/syscalls/task-context.js';
import type { ObservedObject, ObservedRef, ObservedState, ObservedTask } from './observed-state.js';

function observeObject(o: KernelObject): ObservedObject {
  const base: ObservedObject = {
    key: o.name.key,
    type: o.type,
    lifecycle: o.lifecycle,
    lookupMask: o.lookupRights,
    destroyed: o.destroyed,
    version: o.version,
    refCount: o.refCount,
    size: o.size,
  };
  if (o instanceof BlobObject) base.blob = { bytes: [...new Uint8Array(o.backing, 0, o.size)], locks: { ...o.locks } };
  else if (o instanceof StreamObject) base.stream = { capacity: o.capacity, ended: o.ended, leases: { ...o.leased } };
  else if (o instanceof GroupObject)
    base.group = {
      index: [...o.members()]
        .filter((x) => x.type !== 'kernel-status')
        .map((x) => x.name.key)
        .sort(),
    };
  else if (o instanceof TaskObject) base.task = { state: o.state, exitStatus: o.exitStatus };
  return base;
}

function observeTask(task: TaskObject, sys: TaskContext): ObservedTask {
  const refs: ObservedRef[] = [...task.table.values()]
    .sort((a, b) => a.id - b.id)
    .map((ref) => {
      const view = sys.ref(ref.id);
      return {
        handle: ref.id,
        object: ref.object.name.key,
        open: ref.open,
        rights: ref.rights,
        consistency: ref.consistency,
        readBufferSize: ref.readBufferSize,
        writeBufferSize: ref.writeBufferSize,
        parent: ref.parent,
        leases: new Map([...ref.leases].map(([buffer, lease]) => [buffer, lease.kind])),
        view: {
          type: view.type,
          open: view.open,
          version: view.version,
          size: view.size,
          consistency: view.consistency,
          ioReady: view.ioReady,
          task: view.task,
        },
      };
    });
  return {
    key: task.name.key,
    state: task.state,
    exitStatus: task.exitStatus,
    nextHandle: task.nextHandle,
    counter: task.counter,
    self: sys.self,
    handles: sys.handles,
    refs,
    memberships: task.setup.groups.map((g) => ({ group: g.group.name.key, rights: g.rights })),
  };
}

/**
 * The state of `kernel`, with `contexts[i]` the system-call context of the model's task i and `consoleOut` every
 * byte its console sink received.
 */
export function observeKernel(
  kernel: Kernel,
  contexts: readonly TaskContext[],
  consoleOut: readonly number[],
): ObservedState {
  return {
    objects: [...kernel.objects.values()].map(observeObject).sort((a, b) => (a.key < b.key ? -1 : 1)),
    taskTable: [...kernel.tasks.keys()].sort(),
    tasks: contexts.map((sys) => observeTask(taskObjectOf(kernel, sys), sys)),
    console: [...consoleOut],
  };
}

// Task objects by context: an exited task leaves the kernel's task table, but its context still knows its name.
const taskObjects = new WeakMap<TaskContext, TaskObject>();

/** Remembers the task object behind a context while the task is in the kernel's table (call when it starts). */
export function rememberTask(kernel: Kernel, sys: TaskContext): void {
  const task = kernel.tasks.get(sys.taskName.key);
  if (task === undefined) throw new Error(`no task ${sys.taskName.key} in the kernel's table`);
  taskObjects.set(sys, task);
}

function taskObjectOf(kernel: Kernel, sys: TaskContext): TaskObject {
  const task = taskObjects.get(sys) ?? kernel.tasks.get(sys.taskName.key);
  if (task === undefined) throw new Error(`task ${sys.taskName.key} was never remembered`);
  return task;
}
