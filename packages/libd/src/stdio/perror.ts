/**
 * C's perror: a failure described on the task's standard error.
 * @module
 */
import type { SystemCalls } from '@dios/kernel';
import { lastError } from '../errno/last-error.js';
import { stdio } from './std-streams.js';
import { fputs } from './write.js';

/**
 * Writes `prefix: description` and a newline to task `sys`'s stderr, as C's
 * perror: without a prefix (or with an empty one), only the description.
 * Resolves once the line is written; stderr's write errors reject.
 *
 * What it describes is `error` when one is given (the natural way in
 * TypeScript: call it in a `catch` with what was caught), else the task's
 * {@link lastError}, the last error a libd call of the task threw (C's
 * errno). A DiosError is described by its message, which starts with its
 * code once and names the call and argument (for a path, the path); another
 * Error by its message; no error at all as `no error recorded`.
 *
 * @example
 * ```ts
 * try {
 *   await fopen(sys, '/data/in.txt', 'r');
 * } catch (e) {
 *   await perror(sys, argv[0], e);
 *   // stderr: wc: ENOENT: no such object, fopen(/data/in.txt): nothing at this path in the task's first group
 * }
 * // or, C-style, with the error libd kept:
 * if ((await fopen(sys, 'x', 'r').catch(() => undefined)) === undefined) await perror(sys, 'x');
 * ```
 */
export async function perror(sys: SystemCalls, prefix?: string, error?: unknown): Promise<void> {
  const described = describe(error ?? lastError(sys));
  const line = prefix === undefined || prefix === '' ? described : `${prefix}: ${described}`;
  await fputs((await stdio(sys)).stderr, `${line}\n`);
}

function describe(error: unknown): string {
  if (error === undefined) return 'no error recorded';
  if (error instanceof Error) return error.message;
  // Something else was thrown: a string as it is, anything else as JSON where it has a JSON form.
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? typeof error;
  } catch {
    // A cycle or a bigint: JSON has no form for it.
    return typeof error;
  }
}
