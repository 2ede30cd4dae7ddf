/**
 * The program ids of the MapReduce tasks and the paths of their binaries.
 * @module
 */

/** Program ids, as registered with the kernel. */
export const PROGRAM_IDS = { master: 'mapreduce-master', map: 'mapreduce-map', reduce: 'mapreduce-reduce' } as const;

/** Paths of the binaries (in the first group of the task that installs them), which spawn runs. */
export const BINARY_PATHS = { master: '/bin/mapreduce/master', map: '/bin/mapreduce/map', reduce: '/bin/mapreduce/reduce' } as const;
