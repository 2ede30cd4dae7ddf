/**
 * Where module programs run when they leave the kernel's thread. The core
 * knows only this interface; the Node host layer implements it with a pool
 * of worker threads (host/worker/).
 * @module
 */
import type { TaskObject } from '../objects/task.js';
import type { ProgramModule } from '../abi/program.js';

/** Runs tasks' programs outside the kernel's thread. */
export interface TaskExecutor {
  /**
   * Starts `task`'s program. The task's system calls go through
   * `task.context`; when the program ends (returns, throws, or its thread
   * dies) the executor calls `kernel.exitTask`.
   */
  start(task: TaskObject, program: ProgramModule): void;
  /** Stops the program of a task the kernel has ended (idempotent; nothing happens when it is not running). */
  stop(task: TaskObject): void;
}
