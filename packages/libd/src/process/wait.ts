/**
 * wait and waitAny: a parent waits for child tasks to exit and learns their
 * exit status (select on the task reference, then its view).
 * @module
 */
import { errors, isDiosError, ObjectType, SelectFlags, type SystemCalls } from '@dios/kernel';
import { remembering } from '../errno/last-error.js';

/** How {@link wait} and {@link waitAny} wait. */
export interface WaitOptions {
  /** Give up after this many milliseconds with ETIMEDOUT (0 polls); default: wait for ever. */
  readonly timeoutMs?: number;
  /**
   * Keep the reference to the exited task open. By default it is deleted
   * once its status is read (as `waitpid` reaps a child), so that the task
   * object can go.
   */
  readonly keep?: boolean;
}

/** Which task {@link waitAny} saw exit, and its status. */
export interface WaitResult {
  /** The handle of the task reference (deleted unless `keep` was set). */
  readonly task: number;
  /** The task's exit status. */
  readonly status: number;
}

/**
 * Waits until the task that `task` refers to has exited and returns its exit
 * status (0 for success; what its program returned, or 1 if it failed or
 * exited through exit with a nonzero status). The reference is then deleted
 * unless `options.keep` is set. Needs the read right on `task` (which
 * {@link spawn}'s references have).
 *
 * Errors: EBADF (`task`) for a handle the task does not hold; EINVAL
 * (`task`) for a reference that is not to a task; select's EINVAL
 * (`options.timeoutMs`), EACCES, and ETIMEDOUT (argument `timeoutMs`) when
 * the time runs out; EHOSTDOWN (`task`) for a task on another kernel that
 * could not be reached.
 */
export function wait(sys: SystemCalls, task: number, options: WaitOptions = {}): Promise<number> {
  return remembering(sys, async () => {
    checkTask(sys, task, 'wait', 'task');
    return (await waitFor(sys, [task], options, 'wait')).status;
  });
}

/**
 * Waits until one of `tasks` has exited and returns which (the first in
 * `tasks` order when several have) and its status. Only that task's
 * reference is deleted (unless `options.keep`); the others stay to be waited
 * for again. Errors as for {@link wait}, naming `tasks[i]`, and EINVAL
 * (`tasks`) for an empty list.
 */
export function waitAny(sys: SystemCalls, tasks: readonly number[], options: WaitOptions = {}): Promise<WaitResult> {
  return remembering(sys, async () => {
    if (!Array.isArray(tasks) || tasks.length === 0)
      throw errors.EINVAL('waitAny', 'tasks', 'expected a non-empty array of task handles');
    // Array.isArray widens the elements to any: they are the handles the signature says.
    tasks.forEach((t: number, i) => checkTask(sys, t, 'waitAny', `tasks[${i}]`));
    return waitFor(sys, tasks, options, 'waitAny');
  });
}

function checkTask(sys: SystemCalls, handle: number, call: string, argument: string): void {
  let type: ObjectType;
  try {
    type = sys.ref(handle).type;
  } catch (e) {
    if (isDiosError(e, 'EBADF')) throw errors.EBADF(call, argument, e.detail);
    throw e;
  }
  if (type !== ObjectType.TASK) throw errors.EINVAL(call, argument, `reference ${handle} is a ${type}, not a task`);
}

async function waitFor(
  sys: SystemCalls,
  tasks: readonly number[],
  options: WaitOptions,
  call: string,
): Promise<WaitResult> {
  if (typeof options !== 'object' || options === null)
    throw errors.EINVAL(call, 'options', 'expected { timeoutMs?, keep? }');
  // ALL: the first exited task in `tasks` order, whatever an earlier select of this task returned.
  const exited = await sys.select(
    tasks,
    options.timeoutMs === undefined ? undefined : { timeoutMs: options.timeoutMs },
    SelectFlags.ALL,
  );
  const ready = exited[0]!; // select's array is never empty
  const status = sys.ref(ready).task;
  if (status?.state !== 'exited' || status.exitStatus === undefined) {
    // Only a task on another kernel can be "ready" without having exited: its home could not be reached.
    throw errors.EHOSTDOWN(
      call,
      call === 'wait' ? 'task' : `tasks[${tasks.indexOf(ready)}]`,
      `no exit status could be learnt for task reference ${ready}`,
    );
  }
  if (options.keep !== true) await sys.delete(ready);
  return { task: ready, status: status.exitStatus };
}
