/**
 * The information-flow checks of the system calls (docs/ifc.md), and the
 * provenance records they leave. Every call that moves information between
 * a task and an object calls one of these before it changes anything; a
 * refusal is EPERM naming the argument, and is recorded too.
 * @module
 */
import { errors } from '../abi/errors.js';
import type { KernelState } from '../kernel/kernel-state.js';
import type { FlowOperation } from '../kernel/provenance.js';
import { canFlow } from '../objects/label.js';
import type { KernelObject } from '../objects/kernel-object.js';
import type { TaskObject } from '../objects/task.js';

/** Which way a checked flow goes: object to task, task to object, or both (a write observes what it writes). */
export type FlowDirection = 'in' | 'out' | 'both';

/**
 * EPERM (naming `argument`) unless the labels allow the flow between `task`
 * and `obj` in `direction`. A peer's request is checked here too: its proxy
 * task makes the call labelled as the requester (peer/handlers/peer-proxy.ts).
 */
export function checkFlow(
  kernel: KernelState,
  task: TaskObject,
  syscall: string,
  argument: string,
  obj: KernelObject,
  direction: FlowDirection,
  operation: FlowOperation,
): void {
  const t = task.label;
  const o = obj.label;
  // Unlabelled on both sides, or the same label: nothing to walk.
  if (t === o) return;
  const inOk = direction === 'out' || canFlow(o, t);
  const outOk = direction === 'in' || canFlow(t, o);
  if (inOk && outOk) return;
  recordFlow(kernel, task, obj, operation, syscall, 0, false);
  const what = !inOk
    ? `from the ${obj.type} ${o.toString()} to the task ${t.toString()}`
    : `from the task ${t.toString()} to the ${obj.type} ${o.toString()}`;
  throw errors.EPERM(syscall, argument, `the labels forbid the flow ${what}`);
}

/** Adds a record to the kernel's provenance log, if it keeps one. */
export function recordFlow(
  kernel: KernelState,
  task: TaskObject,
  obj: KernelObject,
  operation: FlowOperation,
  syscall: string,
  bytes: number,
  allowed: boolean,
  child?: TaskObject,
): void {
  const log = kernel.provenance;
  if (log === undefined) return;
  // A passing object: the log copies its fields into its columns (child and home undefined are not kept).
  log.add({
    at: kernel.clock.now(),
    task: task.name.key,
    program: task.setup.argv[0] ?? '',
    object: obj.name.key,
    objectType: obj.type,
    operation,
    syscall,
    bytes,
    version: obj.version,
    allowed,
    taskLabel: task.label,
    objectLabel: obj.label,
    child: child?.name.key,
    home: obj.home,
  });
}
