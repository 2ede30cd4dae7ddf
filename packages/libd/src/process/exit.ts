/**
 * exit: ends the program from anywhere, as C's `exit` does: atexit handlers,
 * then flushing, then the task exits by deleting its own reference.
 * @module
 */
import { DeleteFlags, type SystemCalls } from '@dios/kernel';
import { ExitSignal, hasExited, processOf, teardown } from './state.js';

/**
 * Ends the task: runs its {@link atexit} handlers (newest first), flushes
 * every open FILE ({@link fflushAll}), then deletes the task's self
 * reference, which makes it exit. The returned promise never resolves: once
 * the task has exited it rejects with a private signal that
 * {@link defineProgram} recognises, so `await exit(sys, 2)` (or
 * `return ctx.exit(2)`) unwinds main. Code that catches everything should
 * rethrow what it did not expect; whatever main does afterwards, the task
 * has exited and every further system call fails with ECANCELED.
 *
 * **Status.** The delete system call carries only success or failure
 * (DeleteFlags.EXIT_SUCCESS / EXIT_FAILURE), so a waiter sees status 0 for
 * `exit(sys, 0)` and status 1 for any other value (`exit(sys, 3)` is seen as
 * 1; unlike POSIX, no `& 0xff` is applied, so `exit(sys, 256)` is a failure
 * too). To report a full integer status, return it from main instead. If an
 * atexit handler throws or a flush fails, `exit(sys, 0)` is reported as a
 * failure (status 1); the error itself cannot be reported through delete
 * and is lost.
 *
 * Called again while the task is ending (from an atexit handler, or by other
 * code while the handlers run), exit does not start over: it records its
 * status, which replaces the first one, and rejects at once with the same
 * signal; the remaining handlers still run. Calling it without awaiting is
 * allowed (its rejection is marked handled), but main then goes on running
 * until the task has exited.
 *
 * Works in any task, also one whose program was not made by
 * {@link defineProgram} (the signal then reaches the kernel, which ignores
 * it since the task has already exited).
 */
export function exit(sys: SystemCalls, status: number): Promise<never> {
  const ending = exitTask(sys, status);
  // An exit the caller did not await must not surface as an unhandled rejection.
  ending.catch(() => {});
  return ending;
}

async function exitTask(sys: SystemCalls, status: number): Promise<never> {
  const state = processOf(sys);
  if (state.ending) {
    state.override = status;
    throw new ExitSignal(status);
  }
  state.ending = true;
  state.exited = (async () => {
    const failure = await teardown(sys, state);
    const final = state.override ?? status;
    await exitSelf(sys, final === 0 && failure === undefined ? 0 : 1);
  })();
  await state.exited;
  throw new ExitSignal(state.override ?? status);
}

/** Deletes the task's self reference with the exit flag for `status` (0: success, anything else: failure); nothing if it has exited already. */
export async function exitSelf(sys: SystemCalls, status: number): Promise<void> {
  if (hasExited(sys)) return;
  await sys.delete(sys.self, status === 0 ? DeleteFlags.EXIT_SUCCESS : DeleteFlags.EXIT_FAILURE).catch(() => {
    // Only ECANCELED is possible here: the task exited some other way in between.
  });
}
