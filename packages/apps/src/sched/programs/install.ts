/**
 * Installing the scheduling workloads (matmul and Pi) on a kernel, and
 * starting them. They are registered as module programs, so a kernel with a
 * worker executor (`useWorkers`) runs each in a worker thread of its own,
 * where the kernel measures its CPU time and peak heap: the figures task
 * classes come from (classifyTask in @dios/kernel).
 *
 * argv conventions (what {@link startWorkload} passes):
 * - `sched.matmul N`, inputs [A, B] (N x N float64 blobs, matrix-blobs.ts),
 *   outputs [C] (gets A·B);
 * - `sched.pi TERMS`, no inputs, outputs [R] (gets the estimate, one float64).
 * @module
 */
import { errors, isDiosError, programBinary, type Kernel, type SystemCalls } from '@dios/kernel';
import { spawn, writeBinary } from '@dios/libd';

/** The workloads, by kind. */
export type WorkloadKind = 'matmul' | 'pi';

/** Program ids, as registered with the kernel. */
export const SCHED_PROGRAM_IDS: Readonly<Record<WorkloadKind, string>> = Object.freeze({
  matmul: 'sched.matmul',
  pi: 'sched.pi',
});

/** Paths of the binaries (in the first group of the installing task), which {@link startWorkload} runs. */
export const SCHED_BINARY_PATHS: Readonly<Record<WorkloadKind, string>> = Object.freeze({
  matmul: '/bin/sched/matmul',
  pi: '/bin/sched/pi',
});

/**
 * URL of a workload's module: beside this file in the sources, or under
 * dist/sched/programs/ in a build (the build's entries must include them).
 */
function programModule(kind: WorkloadKind): string {
  const here = import.meta.url;
  if (/\.[cm]?ts$/.test(here)) return new URL(`./${kind}.ts`, here).href;
  const dist = here.lastIndexOf('/dist/');
  const root = dist >= 0 ? here.slice(0, dist + '/dist/'.length) : new URL('./', here).href;
  return new URL(`sched/programs/${kind}.js`, root).href;
}

/**
 * Registers the matmul and Pi programs with `kernel` (a host operation) and
 * writes their binaries at {@link SCHED_BINARY_PATHS} in the first group of
 * task `sys` (default: `kernel.init`). Installing again is harmless.
 */
export async function installSchedPrograms(
  kernel: Pick<Kernel, 'registerProgram' | 'init'>,
  sys: SystemCalls = kernel.init,
): Promise<void> {
  for (const kind of ['matmul', 'pi'] as const) {
    kernel.registerProgram(SCHED_PROGRAM_IDS[kind], { module: programModule(kind), export: 'default' });
    try {
      await writeBinary(sys, programBinary(SCHED_PROGRAM_IDS[kind]), SCHED_BINARY_PATHS[kind]);
    } catch (e) {
      if (!isDiosError(e, 'EEXIST')) throw e;
    }
  }
}

/** One workload to start: matmul of two N x N matrix blobs, or Pi over some terms; the output blob gets the result. */
export type WorkloadSpec =
  | { readonly kind: 'matmul'; readonly n: number; readonly a: number; readonly b: number; readonly output: number }
  | { readonly kind: 'pi'; readonly terms: number; readonly output: number };

/**
 * Starts a workload as a child task of `sys` from its installed binary, on
 * this kernel or on `kernel` (a peer's id, or `'*'` for the kernel's
 * scheduling policy); returns the task handle, for libd's `wait`. The
 * program checks its arguments itself: a bad N fails the task (EINVAL).
 * EINVAL (`spec.kind`) for a kind that is neither; spawn's errors otherwise.
 */
export async function startWorkload(sys: SystemCalls, spec: WorkloadSpec, kernel?: string): Promise<number> {
  // The type says matmul or pi; a caller in JavaScript (the CLI's argv) may say anything.
  const kind: unknown = (spec as { kind?: unknown } | null)?.kind;
  if (kind !== 'matmul' && kind !== 'pi')
    throw errors.EINVAL('startWorkload', 'spec.kind', `expected 'matmul' or 'pi', got ${String(kind)}`);
  const target = kernel === undefined ? {} : { kernel };
  if (spec.kind === 'matmul')
    return spawn(sys, SCHED_BINARY_PATHS.matmul, {
      argv: [SCHED_PROGRAM_IDS.matmul, String(spec.n)],
      inputs: [spec.a, spec.b],
      outputs: [spec.output],
      ...target,
    });
  return spawn(sys, SCHED_BINARY_PATHS.pi, {
    argv: [SCHED_PROGRAM_IDS.pi, String(spec.terms)],
    outputs: [spec.output],
    ...target,
  });
}
