/**
 * The schedulers the simulator compares, by the name the command line
 * gives: each a factory, so every simulation starts from a fresh one.
 * @module
 */
import { FlowScheduler, GreedyScheduler, RandomScheduler, type ClusterScheduler } from '@dios/kernel';
import type { SchedulerName } from './scheduler-names.js';

/** A fresh scheduler; `seed` is for the ones that draw at random. */
export type SchedulerFactory = (seed: number) => ClusterScheduler;

/** The schedulers by name. */
export const SCHEDULERS: Readonly<Record<SchedulerName, SchedulerFactory>> = {
  flow: () => new FlowScheduler(),
  greedy: () => new GreedyScheduler(),
  random: (seed) => new RandomScheduler(seed),
};
