/**
 * Installing the MapReduce programs on a kernel: the one place that
 * registers them (in-thread today; a worker-thread kernel will take their
 * module URLs instead) and writes their binaries.
 * @module
 */
import { isDiosError, programBinary, type Kernel, type SystemCalls } from '@dios/kernel';
import { writeBinary } from '@dios/libd';
import mapTask from './map-task.js';
import masterTask from './master-task.js';
import { BINARY_PATHS, PROGRAM_IDS } from './programs.js';
import reduceTask from './reduce-task.js';

/**
 * Registers the master, map and reduce programs with `kernel` (a host
 * operation) and writes their binaries at {@link BINARY_PATHS} in the first
 * group of task `sys` (default: `kernel.init`), where jobs started by tasks
 * of that group find them. Installing again is harmless: binaries already
 * there are kept.
 */
export async function installMapReducePrograms(kernel: Pick<Kernel, 'registerProgram' | 'init'>, sys: SystemCalls = kernel.init): Promise<void> {
  kernel.registerProgram(PROGRAM_IDS.master, masterTask);
  kernel.registerProgram(PROGRAM_IDS.map, mapTask);
  kernel.registerProgram(PROGRAM_IDS.reduce, reduceTask);
  for (const kind of ['master', 'map', 'reduce'] as const) {
    try {
      await writeBinary(sys, programBinary(PROGRAM_IDS[kind]), BINARY_PATHS[kind]);
    } catch (e) {
      if (!isDiosError(e, 'EEXIST')) throw e;
    }
  }
}
