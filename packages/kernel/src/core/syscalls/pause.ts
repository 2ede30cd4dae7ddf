/**
 * pause(task, flags): suspends a task, or resumes it with PauseFlags.RESUME.
 * A paused task's system calls neither start nor return until it resumes.
 * @module
 */
import { checkFlow } from './flow.js';
import { errors } from '../abi/errors.js';
import { checkFlags, ObjectType, PauseFlags, Rights } from '../abi/flags.js';
import type { KernelState } from '../kernel/kernel-state.js';
import { TaskObject } from '../objects/task.js';
import { requireRights } from './validate.js';
import { pauseArguments } from './arguments.js';

/** Implements pause for `caller`. */
export async function pause(kernel: KernelState, caller: TaskObject, handle: unknown, flags: unknown): Promise<void> {
  const s = 'pause';
  // Each argument read once, as a worker task's call is (see arguments.ts); the checks below then run on the snapshot.
  ({ handle, flags } = pauseArguments(handle, flags));
  const f = checkFlags(s, flags, PauseFlags);
  const ref = kernel.ref(caller, handle, s, 'task');
  if (ref.object.type !== ObjectType.TASK)
    throw errors.EINVAL(s, 'task', `reference ${ref.id} is a ${ref.object.type}, not a task`);
  requireRights(s, 'task', ref, Rights.WRITE);
  const target = ref.object;
  // Pausing a task changes it: a flow out (checked at the task's home when it runs on a peer, where its label is current).
  if (target instanceof TaskObject) checkFlow(kernel, caller, s, 'task', target, 'out', 'modify');
  if (!(target instanceof TaskObject)) {
    await kernel.distribution!.pause(caller, ref, f);
    return;
  }
  setPaused(kernel, target, (f & PauseFlags.RESUME) === 0);
}

/** Pauses or resumes a local task (shared with the peer service). */
export function setPaused(kernel: KernelState, target: TaskObject, paused: boolean): void {
  if (target.state === 'exited') throw errors.ESRCH('pause', 'task', 'the task has exited');
  if (!paused) {
    if (target.state === 'created') kernel.startTask(target);
    else if (target.state === 'paused') {
      target.state = 'running';
      target.changed.notify();
    }
  } else if (target.state === 'running') {
    target.state = 'paused';
    target.changed.notify();
  }
}
