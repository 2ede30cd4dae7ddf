/**
 * The real side of a model run: a booted kernel, the system-call contexts of
 * the model's tasks, the buffers the kernel lent, and how to observe it.
 * @module
 */
import type { Kernel } from '../../core/kernel.js';
import type { TaskContext } from '../../core/syscalls/task-context.js';
import type { ObservedState } from './observed-state.js';
import type { ModelStatistics } from './statistics.js';

/** The system under test. Task i of the model is `sys[i]`. */
export interface SystemUnderTest {
  /** The kernel. */
  readonly kernel: Kernel;
  /** The system-call context of each of the model's tasks, in the model's order. */
  readonly sys: TaskContext[];
  /** Buffers lent by the kernel, by model lease id. */
  readonly buffers: Map<number, Uint8Array>;
  /** Every byte the console sink received. */
  readonly consoleOut: number[];
  /** Reads the kernel's state. */
  observe(): ObservedState;
  /** Adds the context of a task the model just recorded (host-attached, or started by run). */
  addTask(sys: TaskContext): void;
  /** Where outcomes are counted, if anywhere. */
  readonly statistics: ModelStatistics | undefined;
}
