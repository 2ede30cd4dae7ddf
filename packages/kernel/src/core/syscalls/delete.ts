/**
 * delete(ref, flags): drops a reference; the object goes when its lifecycle
 * says so. Deleting the task's own reference exits the task.
 * @module
 */
import { checkFlow, recordFlow } from './flow.js';
import { canFlow } from '../objects/label.js';
import { errors } from '../abi/errors.js';
import { DeleteFlags, Rights } from '../abi/flags.js';
import type { KernelState } from '../kernel/kernel-state.js';
import type { TaskObject } from '../objects/task.js';
import { checkCallFlags } from './validate.js';
import { deleteArguments } from './arguments.js';

/** Implements delete for `task`. */
export function deleteRef(kernel: KernelState, task: TaskObject, handle: unknown, flags: unknown): void {
  const s = 'delete';
  // Each argument read once, as a worker task's call is (see arguments.ts); the checks below then run on the snapshot.
  ({ handle, flags } = deleteArguments(handle, flags));
  const f = checkCallFlags(s, flags, DeleteFlags);
  const ref = kernel.ref(task, handle, s, 'ref');
  const exitFlags = f & (DeleteFlags.EXIT_SUCCESS | DeleteFlags.EXIT_FAILURE);
  if (exitFlags === (DeleteFlags.EXIT_SUCCESS | DeleteFlags.EXIT_FAILURE)) {
    throw errors.EINVAL(s, 'flags', 'EXIT_SUCCESS and EXIT_FAILURE exclude each other');
  }
  if (ref.id === task.selfHandle) {
    kernel.exitTask(task, exitFlags === DeleteFlags.EXIT_FAILURE ? 1 : 0);
    return;
  }
  if (exitFlags !== 0)
    throw errors.EINVAL(s, 'flags', `exit flags apply only to the task's own reference (${task.selfHandle})`);
  // Destroying a single-delete object for every holder takes write rights; without them delete just drops the reference.
  if (ref.object.destroysOnDelete() && ref.rights & Rights.WRITE && !(f & DeleteFlags.DROP)) {
    // Destroying the object for every holder writes to it (DROP still just drops the reference).
    checkFlow(kernel, task, s, 'ref', ref.object, 'out', 'modify');
    // Every holder sees its reference revoked: the destruction flows to each of them.
    for (const held of ref.object.refs) {
      if (!canFlow(task.label, held.holder.label)) {
        recordFlow(kernel, task, ref.object, 'modify', s, 0, false);
        throw errors.EPERM(
          s,
          'ref',
          'the labels forbid the flow to a holder of the object, who would see it destroyed',
        );
      }
    }
    recordFlow(kernel, task, ref.object, 'modify', s, 0, true);
    kernel.destroyObject(ref.object, true);
  } else kernel.closeRef(ref);
}
