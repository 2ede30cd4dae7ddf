/**
 * A peer's load reply, checked before a scheduling policy weighs it: a
 * peer that sends nonsense (a negative count, a slot figure that is not a
 * number, a reply for another kernel) is not a candidate, rather than a
 * way to steer or break placement.
 * @module
 */
import { errors } from '../abi/errors.js';
import type { NodeLoad } from '../wire/transport.js';
import { TASK_CLASSES } from '../scheduling/task-class.js';

// Counts above this are lies or accidents; refusing them keeps every cost the policy computes in range.
const MAX_COUNT = 2 ** 20;
const count = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= MAX_COUNT;

/** `load` if it is a well-formed load of kernel `kernelId`; EIO naming the bad field otherwise. */
export function checkLoad(load: unknown, kernelId: string): NodeLoad {
  const bad = (field: string) =>
    errors.EIO('run', 'spec.kernel', `kernel ${kernelId} sent a malformed load (${field})`);
  if (load === null || typeof load !== 'object') throw bad('load');
  const l = load as Record<string, unknown>;
  if (l.kernel !== kernelId) throw bad('kernel');
  if (!count(l.runningTasks)) throw bad('runningTasks');
  if (
    l.workerCpuMs !== undefined &&
    (typeof l.workerCpuMs !== 'number' || !Number.isFinite(l.workerCpuMs) || l.workerCpuMs < 0)
  )
    throw bad('workerCpuMs');
  if (l.schedulable !== undefined && typeof l.schedulable !== 'boolean') throw bad('schedulable');
  if (l.slots !== undefined && (!count(l.slots) || l.slots > 4096)) throw bad('slots');
  if (l.programClass !== undefined && !TASK_CLASSES.includes(l.programClass as never)) throw bad('programClass');
  let classes: Record<string, number> | undefined;
  if (l.classes !== undefined) {
    if (l.classes === null || typeof l.classes !== 'object') throw bad('classes');
    classes = {};
    for (const c of TASK_CLASSES) {
      const v = (l.classes as Record<string, unknown>)[c] ?? 0;
      if (!count(v)) throw bad(`classes.${c}`);
      classes[c] = v;
    }
  }
  return {
    kernel: kernelId,
    runningTasks: l.runningTasks,
    workerCpuMs: l.workerCpuMs,
    ...(l.schedulable !== undefined ? { schedulable: l.schedulable } : {}),
    ...(l.slots !== undefined ? { slots: l.slots } : {}),
    ...(classes !== undefined ? { classes } : {}),
    ...(l.programClass !== undefined ? { programClass: l.programClass as string } : {}),
  };
}
