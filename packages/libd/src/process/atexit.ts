/**
 * atexit: functions to run when the program ends normally or by exit.
 * @module
 */
import { errors, type SystemCalls } from '@dios/kernel';
import { processOf, type ExitHandler } from './state.js';

export type { ExitHandler } from './state.js';

/**
 * Registers `fn` to run when the program of task `sys` ends: when its main
 * (under {@link defineProgram}) returns or throws, or when it calls
 * {@link exit}. Handlers run newest first, each once, and may be async (each
 * is awaited before the next starts); a handler registered while they run
 * runs too. A handler that throws does not stop the others; the program then
 * fails (status 1) unless it was already failing. Handlers do not run when
 * the task exits by deleting its self reference directly (C's `_exit`), nor
 * when it never ends through libd (a program not made by defineProgram that
 * simply returns). EINVAL (`fn`) when `fn` is not a function.
 */
export function atexit(sys: SystemCalls, fn: ExitHandler): void {
  if (typeof fn !== 'function') throw errors.EINVAL('atexit', 'fn', 'expected a function');
  processOf(sys).handlers.push(fn);
}
