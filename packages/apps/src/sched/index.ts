/**
 * Scheduling simulations: generated job mixes and traces, the simulator
 * that runs a cluster scheduler on them, and the comparison of
 * schedulers `dios sched simulate` prints.
 * @module
 */
export { generateJobMix, type JobMixOptions } from './job-mix.js';
export { clusterOf, type InputBlock, type SimTask, type Workload } from './workload.js';
export { parseTrace } from './trace-file.js';
export { simulate, type Placement, type SimulationOptions, type SimulationResult } from './simulator.js';
export { DEFAULT_RUN_TIME_MODEL, PLAIN_RUN_TIME_MODEL, type RunTimeModel } from './run-time-model.js';
export { compare, formatTable, type Comparison, type ResultFigures } from './sim-report.js';
export { SCHEDULERS, type SchedulerFactory } from './schedulers.js';
export { SCHEDULER_NAMES, type SchedulerName } from './scheduler-names.js';
export type { Summary } from './stats.js';
export { installSchedPrograms, SCHED_BINARY_PATHS, SCHED_PROGRAM_IDS, startWorkload } from './programs/install.js';
export type { WorkloadKind, WorkloadSpec } from './programs/install.js';
export { matrixBytes, putMatrix, randomMatrix, readMatrix } from './programs/matrix-blobs.js';
