/**
 * Checks of what callers hand a {@link ClusterScheduler}: every scheduler
 * refuses the same bad machines and tasks with the same errors.
 * @module
 */
import { errors } from '../abi/errors.js';
import { describe } from '../abi/names.js';
import type { MachineSpec, PendingTask } from './cluster-scheduler.js';
import { TASK_CLASSES, type TaskClass } from './task-class.js';

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** A copy of `m` if it is a valid machine spec; EINVAL naming the bad field otherwise. */
export function checkMachine(call: string, m: MachineSpec): MachineSpec {
  if (m === null || typeof m !== 'object')
    throw errors.EINVAL(call, 'machine', `expected an object, got ${describe(m)}`);
  if (typeof m.id !== 'string' || m.id === '')
    throw errors.EINVAL(call, 'machine.id', `expected a non-empty string, got ${describe(m.id)}`);
  if (!isCount(m.slots) || m.slots > 1 << 20)
    throw errors.EINVAL(call, 'machine.slots', `expected an integer in [0, ${1 << 20}], got ${describe(m.slots)}`);
  if (m.rack !== undefined && (typeof m.rack !== 'string' || m.rack === ''))
    throw errors.EINVAL(call, 'machine.rack', `expected a non-empty string, got ${describe(m.rack)}`);
  const residents: Partial<Record<TaskClass, number>> = {};
  if (m.residents !== undefined) {
    if (m.residents === null || typeof m.residents !== 'object')
      throw errors.EINVAL(call, 'machine.residents', `expected an object, got ${describe(m.residents)}`);
    for (const [k, v] of Object.entries(m.residents)) {
      if (!TASK_CLASSES.includes(k as TaskClass))
        throw errors.EINVAL(call, `machine.residents.${k}`, `not a task class (${TASK_CLASSES.join(', ')})`);
      if (!isCount(v)) throw errors.EINVAL(call, `machine.residents.${k}`, `expected a count, got ${describe(v)}`);
      residents[k as TaskClass] = v;
    }
  }
  return { id: m.id, slots: m.slots, ...(m.rack !== undefined ? { rack: m.rack } : {}), residents };
}

/** A copy of `t` if it is a valid task spec; EINVAL naming the bad field otherwise. */
export function checkTask(call: string, t: PendingTask): PendingTask {
  if (t === null || typeof t !== 'object') throw errors.EINVAL(call, 'task', `expected an object, got ${describe(t)}`);
  if (typeof t.id !== 'string' || t.id === '')
    throw errors.EINVAL(call, 'task.id', `expected a non-empty string, got ${describe(t.id)}`);
  if (typeof t.job !== 'string' || t.job === '')
    throw errors.EINVAL(call, 'task.job', `expected a non-empty string, got ${describe(t.job)}`);
  if (typeof t.submittedAt !== 'number' || !Number.isFinite(t.submittedAt))
    throw errors.EINVAL(call, 'task.submittedAt', `expected a finite number, got ${describe(t.submittedAt)}`);
  if (t.taskClass !== undefined && !TASK_CLASSES.includes(t.taskClass))
    throw errors.EINVAL(
      call,
      'task.taskClass',
      `expected one of ${TASK_CLASSES.join(', ')}, got ${describe(t.taskClass)}`,
    );
  if (t.inputBytes === null || typeof t.inputBytes !== 'object')
    throw errors.EINVAL(call, 'task.inputBytes', `expected an object, got ${describe(t.inputBytes)}`);
  const inputBytes: Record<string, number> = Object.create(null) as Record<string, number>;
  let sum = 0;
  let most = 0;
  for (const [k, v] of Object.entries(t.inputBytes)) {
    if (!isCount(v)) throw errors.EINVAL(call, `task.inputBytes.${k}`, `expected a byte count, got ${describe(v)}`);
    if (v > 0) inputBytes[k] = v;
    sum += v;
    most = Math.max(most, v);
  }
  if (t.totalBytes !== undefined && (!isCount(t.totalBytes) || t.totalBytes < most))
    throw errors.EINVAL(
      call,
      'task.totalBytes',
      `expected a byte count of at least ${most} (the largest inputBytes entry), got ${describe(t.totalBytes)}`,
    );
  return {
    id: t.id,
    job: t.job,
    inputBytes,
    totalBytes: t.totalBytes ?? sum,
    taskClass: t.taskClass ?? 'unknown',
    submittedAt: t.submittedAt,
  };
}
