/**
 * C's errno, the TypeScript way: libd's calls throw, and each task also
 * remembers the last error one of them threw, so that {@link perror} can
 * describe it without being handed it. Kept per task, as errno is per thread.
 * @module
 */
import type { SystemCalls } from '@dios/kernel';

const last = new WeakMap<SystemCalls, unknown>();

/** Remembers `error` as the last error a libd call of task `sys` threw, and returns it (for `throw remember(...)`). */
export function rememberError(sys: SystemCalls, error: unknown): unknown {
  last.set(sys, error);
  return error;
}

/** Runs `body`; an error it throws is remembered for task `sys` ({@link lastError}) and rethrown. */
export async function remembering<T>(sys: SystemCalls, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    throw rememberError(sys, e);
  }
}

/**
 * The last error a libd call of task `sys` threw (C's `errno`, but the whole
 * error: its `code` is the errno's symbol), or undefined if none has. Like
 * errno, a later success does not clear it: read it right after a call failed.
 *
 * @example
 * ```ts
 * const file = await fopen(sys, '/etc/motd', 'r').catch(() => undefined);
 * if (file === undefined) console.log(lastError(sys)); // DiosError ENOENT naming /etc/motd
 * ```
 */
export function lastError(sys: SystemCalls): unknown {
  return last.get(sys);
}
