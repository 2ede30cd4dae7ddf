/**
 * Sleeping the DIOS way: a select on the task's own reference, which is
 * ready for reading only once the task has exited, with a timeout. The
 * kernel's clock measures the wait, so the kernel sees it (a simulation
 * decides when it ends), unlike a timer of the runtime's own.
 * @module
 */
import { errors, isDiosError, type SystemCalls } from '@dios/kernel';

/**
 * Waits `ms` milliseconds of the kernel's time. EINVAL naming `ms` unless
 * it is an integer in [0, 2^31-1]; ECANCELED if the task exits meanwhile.
 *
 * @example
 * ```ts
 * await sleep(sys, 100); // back off before trying again
 * ```
 */
export async function sleep(sys: SystemCalls, ms: number): Promise<void> {
  if (!Number.isInteger(ms) || ms < 0 || ms > 2 ** 31 - 1)
    throw errors.EINVAL('sleep', 'ms', `expected an integer number of milliseconds in [0, 2^31-1], got ${String(ms)}`);
  try {
    await sys.select([sys.self], { timeoutMs: ms });
  } catch (e) {
    if (isDiosError(e, 'ETIMEDOUT')) return;
    throw e;
  }
  // The self reference was ready: the task has exited.
  throw errors.ECANCELED('sleep', undefined, 'the task exited while it slept');
}
