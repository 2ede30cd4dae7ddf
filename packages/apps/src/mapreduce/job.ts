/**
 * Running a MapReduce job from a task (typically the host's init task):
 * spawn the job master, wait for it while reporting progress, and read its
 * report.
 * @module
 */
import { v7 as uuidv7 } from 'uuid';
import { errors, isDiosError, type SystemCalls } from '@dios/kernel';
import { spawn, wait } from '@dios/libd';
import { removeAt, withViewAt } from './blob-io.js';
import { checkJobId, outputPath, progressPath, reportPath } from './paths.js';
import { BINARY_PATHS, PROGRAM_IDS } from './programs.js';
import { appById } from './registry.js';

/** A MapReduce job, as {@link runMapReduce} takes it. */
export interface MapReduceJob {
  /** The application's id (`wordcount`). */
  readonly app: string;
  /** Handles of the input blobs (with read and delegate rights). */
  readonly inputs: readonly number[];
  /** Number of map tasks (at least 1). */
  readonly maps: number;
  /** Number of reduce tasks, and so of output objects (at least 1). */
  readonly reduces: number;
  /** The job id, which the names of its objects derive from; default: a random one. */
  readonly job?: string;
  /** Attempts each task may take before the job fails (default 3). */
  readonly attempts?: number;
  /**
   * Map (or reduce) tasks running at once at most (default: all at once).
   * With tasks in worker threads, the number of cores is the useful value:
   * more threads than cores only share them.
   */
  readonly parallel?: number;
  /**
   * Where the map and reduce tasks run, as run's `spec.kernel`: absent for
   * the caller's kernel, `'*'` (ANY_KERNEL) to let the scheduling policy
   * spread them over the cluster, or a kernel id. The master always runs on
   * the caller's kernel, and so do the output objects it makes. Across
   * kernels, a task lost with its node is run again elsewhere.
   */
  readonly kernel?: string;
  /** Extra environment for the job's tasks (for instance DIOS_MAPREDUCE_FAULTS). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Give the caller's input references up once the job has started (the job
   * keeps its own until the map phase ends): inputs nobody else holds are
   * then freed before the reduce phase. Default false.
   */
  readonly releaseInputs?: boolean;
  /** Called with the tasks done and the tasks in all, whenever that is learnt (about every `progressMs`). */
  readonly onProgress?: (done: number, total: number) => void;
  /** How often to look at the progress, in milliseconds (default 100). */
  readonly progressMs?: number;
}

/** What a job that succeeded left. */
export interface MapReduceResult {
  /** The job id. */
  readonly job: string;
  /** Paths of the output objects, one per reduce task, in partition order; each lists its keys in output order. */
  readonly outputs: readonly string[];
}

const CALL = 'runMapReduce';
const decoder = new TextDecoder();

function count(value: unknown, argument: string, min: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < min)
    throw errors.EINVAL(CALL, argument, `expected an integer >= ${min}, got ${String(value)}`);
  return value as number;
}

async function readText(sys: SystemCalls, path: string): Promise<string | undefined> {
  try {
    return await withViewAt(sys, path, (view) => decoder.decode(view), CALL);
  } catch (e) {
    if (isDiosError(e, 'ENOENT')) return undefined;
    throw e;
  }
}

async function report(sys: SystemCalls, job: MapReduceJob, id: string, final = false): Promise<void> {
  if (job.onProgress === undefined) return;
  let text: string | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      text = await readText(sys, progressPath(id));
      break;
    } catch (e) {
      // The master rewrote the progress while it was read: the next look will see it. The last look comes after
      // the master exited, so it looks again (nobody writes any more): the caller always hears the final count.
      if (isDiosError(e, 'EIO') && (!final || attempt >= 3)) return;
      if (!isDiosError(e, 'EIO')) throw e;
    }
  }
  const [done, total] = (text ?? '').split(' ').map(Number);
  if (Number.isInteger(done) && Number.isInteger(total)) job.onProgress(done!, total!);
}

/**
 * Runs `job` with task `sys` as the client: spawns the job master (the
 * programs must have been installed with installMapReducePrograms), which
 * runs the map and then the reduce tasks, each as a task of its own, and
 * waits for it. Resolves to the paths of the output objects, which stay
 * (single-delete blobs) until the caller deletes them.
 *
 * Errors: EINVAL naming the field (`job.maps`, `job.app`, ...) for a bad
 * job; spawn's errors (ENOENT `binary` when the programs are not
 * installed); EIO naming the task (`map[2]`, `reduce[0]`) when a task fails
 * on every attempt, or naming `job` when the master fails otherwise.
 */
export async function runMapReduce(sys: SystemCalls, job: MapReduceJob): Promise<MapReduceResult> {
  if (typeof job !== 'object' || job === null)
    throw errors.EINVAL(CALL, 'job', 'expected { app, inputs, maps, reduces, ... }');
  appById(job.app, CALL, 'job.app');
  if (!Array.isArray(job.inputs)) throw errors.EINVAL(CALL, 'job.inputs', 'expected an array of blob handles');
  const maps = count(job.maps, 'job.maps', 1);
  const reduces = count(job.reduces, 'job.reduces', 1);
  const attempts = count(job.attempts ?? 3, 'job.attempts', 1);
  const parallel = count(job.parallel ?? 0, 'job.parallel', 0);
  if (job.kernel !== undefined && (typeof job.kernel !== 'string' || job.kernel === '')) {
    throw errors.EINVAL(CALL, 'job.kernel', `expected a kernel id or '*', got ${String(job.kernel)}`);
  }
  // A job id is a UUID by nature; v7, so jobs list in the order they were submitted.
  const id = job.job === undefined ? `job-${uuidv7()}` : checkJobId(job.job, CALL, 'job.job');
  const master = await spawn(sys, BINARY_PATHS.master, {
    argv: [
      PROGRAM_IDS.master,
      id,
      job.app,
      String(maps),
      String(reduces),
      String(attempts),
      String(parallel),
      job.kernel ?? '',
    ],
    env: { ...job.env },
    inputs: job.inputs,
  });
  // Array.isArray above widened the elements to any: they are the handles MapReduceJob says.
  if (job.releaseInputs === true) for (const h of job.inputs as readonly number[]) await sys.delete(h);
  let status: number;
  for (;;) {
    try {
      status = await wait(sys, master, {
        timeoutMs: job.onProgress === undefined ? undefined : (job.progressMs ?? 100),
      });
      break;
    } catch (e) {
      if (!isDiosError(e, 'ETIMEDOUT')) throw e;
      await report(sys, job, id);
    }
  }
  await report(sys, job, id, true);
  const text = await readText(sys, reportPath(id));
  await removeAt(sys, reportPath(id), CALL);
  await removeAt(sys, progressPath(id), CALL);
  const outcome = text === undefined ? undefined : (JSON.parse(text) as { ok: boolean; error?: string });
  if (status !== 0 || outcome?.ok !== true) {
    const cause = outcome?.error ?? `the job master exited with status ${status} without a report`;
    const task = /^\w+: .*?, mapreduce\((\w+\[\d+\])\)/.exec(cause)?.[1];
    throw errors.EIO(CALL, task ?? 'job', `job ${id} failed: ${cause}`);
  }
  return { job: id, outputs: Array.from({ length: reduces }, (_, r) => outputPath(id, r)) };
}
