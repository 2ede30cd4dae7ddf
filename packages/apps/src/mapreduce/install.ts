/**
 * Installing the MapReduce programs on a kernel: the one place that
 * registers them and writes their binaries. They are registered as modules,
 * so a kernel with a worker executor (`useWorkers`) runs each map and reduce
 * task in a worker thread of its own, and any other kernel runs them in its
 * thread.
 * @module
 */
import { isDiosError, programBinary, type Kernel, type SystemCalls } from '@dios/kernel';
import { writeBinary } from '@dios/libd';
import { BINARY_PATHS, PROGRAM_IDS } from './programs.js';

const MODULES = { master: 'master-task', map: 'map-task', reduce: 'reduce-task' } as const;

/**
 * URL of a task program's module: beside this file in the sources, or under
 * dist/mapreduce/ in a build (whichever bundle this code ended up in).
 */
export function programModule(kind: keyof typeof MODULES): string {
  const here = import.meta.url;
  if (/\.[cm]?ts$/.test(here)) return new URL(`./${MODULES[kind]}.ts`, here).href;
  const dist = here.lastIndexOf('/dist/');
  const root = dist >= 0 ? here.slice(0, dist + '/dist/'.length) : new URL('./', here).href;
  return new URL(`mapreduce/${MODULES[kind]}.js`, root).href;
}

/**
 * Registers the master, map and reduce programs with `kernel` (a host
 * operation) and writes their binaries at {@link BINARY_PATHS} in the first
 * group of task `sys` (default: `kernel.init`), where jobs started by tasks
 * of that group find them. Installing again is harmless: binaries already
 * there are kept.
 */
export async function installMapReducePrograms(
  kernel: Pick<Kernel, 'registerProgram' | 'init'>,
  sys: SystemCalls = kernel.init,
): Promise<void> {
  for (const kind of ['master', 'map', 'reduce'] as const)
    kernel.registerProgram(PROGRAM_IDS[kind], { module: programModule(kind), export: 'default' });
  for (const kind of ['master', 'map', 'reduce'] as const) {
    try {
      await writeBinary(sys, programBinary(PROGRAM_IDS[kind]), BINARY_PATHS[kind]);
    } catch (e) {
      if (!isDiosError(e, 'EEXIST')) throw e;
    }
  }
}
