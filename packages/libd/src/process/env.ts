/**
 * getenv: a task's environment, as run set it.
 * @module
 */
import type { SystemCalls } from '@dios/kernel';

/**
 * The value of environment variable `name` of task `sys`, or undefined when
 * it is not set (only the task's own variables count: `getenv(sys,
 * 'constructor')` is undefined unless the task was given one).
 */
export function getenv(sys: SystemCalls, name: string): string | undefined {
  const env = sys.env;
  return Object.hasOwn(env, name) ? env[name] : undefined;
}
