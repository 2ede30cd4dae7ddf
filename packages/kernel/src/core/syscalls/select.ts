/**
 * select(refs, options, flags): waits until one of the references is ready
 * for reading (or, with SelectFlags.WRITE, writing) and returns its handle,
 * or with SelectFlags.ALL the handles of every ready reference.
 *
 * Fairness: one-handle select scans `refs` starting just after the handle the
 * task's previous select returned (when it is in `refs`), so a reference that
 * is always ready cannot hide the ones after it.
 * @module
 */
import { checkFlow } from './flow.js';
import { errors } from '../abi/errors.js';
import { checkFlags, ObjectType, Rights, SelectFlags } from '../abi/flags.js';
import type { KernelState } from '../kernel/kernel-state.js';
import type { TaskObject } from '../objects/task.js';
import { block, type WaitQueue } from '../objects/wait.js';
import { checkArray, checkInt, checkOptions, MAX_REFS_PER_CALL, requireRights } from './validate.js';
import { selectArguments } from './arguments.js';
import type { SelectOptions } from '../abi/syscall-options.js';

/** Longest timeout select accepts (about 24 days, the limit of timers). */
export const MAX_SELECT_TIMEOUT_MS = 2 ** 31 - 1;

/** The handle each task's last one-handle select returned: where its next scan starts. */
const lastReturned = new WeakMap<TaskObject, number>();

/** Implements select for `task`. */
export async function select(
  kernel: KernelState,
  task: TaskObject,
  refs: unknown,
  options: unknown,
  flags: unknown,
): Promise<number | number[]> {
  const s = 'select';
  // Each argument read once, as a worker task's call is (see arguments.ts); the checks below then run on the snapshot.
  ({ refs, options, flags } = selectArguments(refs, options, flags));
  const f = checkFlags(s, flags, SelectFlags);
  const handles = checkArray(s, 'refs', refs, MAX_REFS_PER_CALL);
  if (handles.length === 0) throw errors.EINVAL(s, 'refs', 'nothing to wait for');
  const o = checkOptions<SelectOptions>(s, 'options', options, ['timeoutMs']);
  const timeoutMs =
    o.timeoutMs === undefined ? undefined : checkInt(s, 'options.timeoutMs', o.timeoutMs, 0, MAX_SELECT_TIMEOUT_MS);
  const mode = f & SelectFlags.WRITE ? 'write' : 'read';
  const list = handles.map((h, i) => kernel.ref(task, h, s, `refs[${i}]`));
  list.forEach((r, i) => {
    requireRights(s, `refs[${i}]`, r, mode === 'read' ? Rights.READ : Rights.WRITE);
    // Readiness is the object's state: a flow in. A task's exit is the exception (termination is not protected: docs/ifc.md).
    if (r.object.type !== ObjectType.TASK) checkFlow(kernel, task, s, `refs[${i}]`, r.object, 'in', 'read');
  });

  const all = (f & SelectFlags.ALL) !== 0;
  const ready = (): number | number[] | undefined => {
    if (task.state === 'exited') throw errors.ECANCELED(s, undefined, 'the task exited while select waited');
    for (let i = 0; i < list.length; i++)
      if (!list[i]!.open)
        throw errors.EBADF(s, `refs[${i}]`, `reference ${list[i]!.id} was deleted while select waited on it`);
    if (all) {
      let found: number[] | undefined;
      for (const r of list) if (r.object.isReady(mode, r) && !found?.includes(r.id)) (found ??= []).push(r.id);
      return found;
    }
    const previous = lastReturned.get(task);
    const start = previous === undefined ? 0 : list.findIndex((r) => r.id === previous) + 1;
    for (let k = 0; k < list.length; k++) {
      const r = list[(start + k) % list.length]!;
      if (r.object.isReady(mode, r)) {
        lastReturned.set(task, r.id);
        return r.id;
      }
    }
    return undefined;
  };
  const first = ready();
  if (first !== undefined) return first;
  // Remote objects learn of readiness only when asked to watch.
  const cancels = list.map((r) => r.object.watch(mode, r, task.label));
  try {
    const queues: WaitQueue[] = [task.changed, ...new Set(list.map((r) => r.object.changed))];
    return await block(ready, queues, { syscall: s, timeoutMs, clock: kernel.clock });
  } finally {
    for (const cancel of cancels) cancel?.();
  }
}
