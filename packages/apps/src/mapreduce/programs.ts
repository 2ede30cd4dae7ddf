/**
 * The program ids of the MapReduce tasks and the paths of their binaries.
 * @module
 */

/** Program ids, as registered with the kernel. */
export const PROGRAM_IDS = {
  /** The job master. */
  master: 'mapreduce-master',
  /** A map task. */
  map: 'mapreduce-map',
  /** A reduce task. */
  reduce: 'mapreduce-reduce',
} as const;

/** Paths of the binaries (in the first group of the task that installs them), which spawn runs. */
export const BINARY_PATHS = {
  /** The job master's binary. */
  master: '/bin/mapreduce/master',
  /** The map task's binary. */
  map: '/bin/mapreduce/map',
  /** The reduce task's binary. */
  reduce: '/bin/mapreduce/reduce',
} as const;
