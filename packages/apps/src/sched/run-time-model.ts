/**
 * How long a placed task runs in the simulator: its own duration, slowed by
 * the tasks it shares the machine with, plus the time to fetch the input
 * bytes its machine does not hold. The two terms are what make placement
 * show in makespan: a task far from its data, or packed with tasks that
 * compete for the same resource, finishes later.
 *
 * Interference (CoCo-like, by class pairs): a task starting on a machine
 * where k tasks of class c run is slowed by the factor 1 + Σ k·penalty(own
 * class, c). The factor is fixed when it starts (tasks already running are
 * not slowed by newcomers: a simplification that keeps the finish time known
 * at placement). Memory tasks compete for memory bandwidth and slow each
 * other most.
 *
 * Transfer: bytes fetched from a machine in the same rack move at
 * `rackBytesPerMs`, the others (or all of them when there are no racks) at
 * `networkBytesPerMs`.
 * @module
 */
import type { TaskClass } from '@dios/kernel';

/** Slowdown added per co-running task: PENALTY[own class][other's class]. */
export const DEFAULT_PENALTY: Readonly<Record<TaskClass, Readonly<Record<TaskClass, number>>>> = {
  cpu: { cpu: 0.02, memory: 0.05, unknown: 0.02 },
  memory: { cpu: 0.05, memory: 0.2, unknown: 0.05 },
  unknown: { cpu: 0.02, memory: 0.05, unknown: 0.02 },
};

/** The model's parameters. */
export interface RunTimeModel {
  /** Interference penalties (all zero: no interference). */
  readonly penalty: Readonly<Record<TaskClass, Readonly<Record<TaskClass, number>>>>;
  /** Bandwidth between racks, or of the whole network when there are no racks (bytes per ms; Infinity: free). */
  readonly networkBytesPerMs: number;
  /** Bandwidth inside a rack (bytes per ms). */
  readonly rackBytesPerMs: number;
}

/** 1 Gbit/s between racks, 2 Gbit/s inside one, interference by `DEFAULT_PENALTY`. */
export const DEFAULT_RUN_TIME_MODEL: RunTimeModel = {
  penalty: DEFAULT_PENALTY,
  networkBytesPerMs: 125_000,
  rackBytesPerMs: 250_000,
};

/** No interference and free transfers: a task runs for exactly its duration. */
export const PLAIN_RUN_TIME_MODEL: RunTimeModel = {
  penalty: {
    cpu: { cpu: 0, memory: 0, unknown: 0 },
    memory: { cpu: 0, memory: 0, unknown: 0 },
    unknown: { cpu: 0, memory: 0, unknown: 0 },
  },
  networkBytesPerMs: Infinity,
  rackBytesPerMs: Infinity,
};

/** The slowdown factor of a `taskClass` task starting next to `running` tasks (by class). */
export function slowdown(
  model: RunTimeModel,
  taskClass: TaskClass,
  running: Readonly<Record<TaskClass, number>>,
): number {
  const row = model.penalty[taskClass];
  return 1 + row.cpu * running.cpu + row.memory * running.memory + row.unknown * running.unknown;
}

/** Ms to fetch `inRackBytes` from the rack and `crossRackBytes` from beyond it. */
export function transferMs(model: RunTimeModel, inRackBytes: number, crossRackBytes: number): number {
  return inRackBytes / model.rackBytesPerMs + crossRackBytes / model.networkBytesPerMs;
}
