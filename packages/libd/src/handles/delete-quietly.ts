/**
 * deleteQuietly: drops a reference on a cleanup path, where a failure to do so must not hide what happened.
 * @module
 */
import type { SystemCalls } from '@dios/kernel';

/**
 * Drops reference `handle` with the delete system call (`flags` as delete's,
 * e.g. `DeleteFlags.DROP`), best effort: a rejection is ignored. For cleanup
 * (a `finally`, an error path, closing a cache) where the caller has nothing
 * better to do: delete fails only when the handle is already closed (EBADF)
 * or the task has exited (ECANCELED), and either way the reference is gone;
 * on an error path the error being thrown is the one that matters.
 *
 * @example
 * ```ts
 * try {
 *   return await sys.run(binary, spec);
 * } finally {
 *   await deleteQuietly(sys, binary, DeleteFlags.DROP);
 * }
 * ```
 */
export async function deleteQuietly(sys: SystemCalls, handle: number, flags = 0): Promise<void> {
  try {
    await sys.delete(handle, flags);
  } catch {
    // Already gone, or the task has exited: nothing is left to drop (see above).
  }
}
