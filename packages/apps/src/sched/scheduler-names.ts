/**
 * The names of the schedulers the simulator compares, apart from their code:
 * the command line's option table reads them without loading the kernel.
 * @module
 */

/** Scheduler names, in the order the comparison lists them (the first is the baseline of the ratios). */
export const SCHEDULER_NAMES = ['flow', 'greedy', 'random'] as const;

/** One of {@link SCHEDULER_NAMES}. */
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];
