/**
 * Task classes: what monitoring says a task mostly waits on. The scheduler
 * charges for putting tasks that compete for the same resource on one
 * machine (docs/scheduling.md), as Firmament's CoCo cost model does with
 * classes read from hardware counters.
 * @module
 */

/**
 * `cpu`: computes with little memory traffic (a Pi approximation);
 * `memory`: moves many bytes per CPU millisecond, through memory or I/O
 * (a matrix multiplication); `unknown`: never seen run to the end.
 */
export type TaskClass = 'cpu' | 'memory' | 'unknown';

/** Every {@link TaskClass}, in a fixed order (array indices in cost tables). */
export const TASK_CLASSES: readonly TaskClass[] = ['cpu', 'memory', 'unknown'];
