/**
 * Where a job's objects live. Every object of a job has a path derived from
 * (job id, map index, attempt, partition), and the path gives the name (the kernel's
 * pathName rule: seeded from the path in the task's first group). Path
 * names rather than names derived from the creating task and its counter,
 * because a reduce task must find a map task's output without being told
 * anything but the indices (and the attempt the master names), on whichever
 * node it runs: path names resolve on every kernel of a cluster.
 * @module
 */
import { errors } from '@dios/kernel';

const JOB_ID = /^[A-Za-z0-9][\w.-]{0,127}$/;

/** Checks a job id: 1 to 128 characters of letters, digits, `_`, `.` and `-`, starting with a letter or digit. */
export function checkJobId(job: unknown, call: string, argument: string): string {
  if (typeof job !== 'string' || !JOB_ID.test(job)) {
    throw errors.EINVAL(
      call,
      argument,
      `a job id is 1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit, got ${JSON.stringify(job)}`,
    );
  }
  return job;
}

/** The directory of job `job`. */
export const jobPath = (job: string): string => `/mapreduce/${job}`;
/**
 * Partition `r` of attempt `attempt` (1 for the first) of map task `m`'s
 * output. The attempt is part of the name, so what a failed or lost attempt
 * left (on a node that may still answer) is never taken for the output of
 * the attempt that succeeded: the master tells each reduce which attempts to read.
 */
export const mapOutputPath = (job: string, m: number, attempt: number, r: number): string =>
  `${jobPath(job)}/map-${m}/attempt-${attempt}/part-${r}`;
/** The output of reduce task `r`. */
export const outputPath = (job: string, r: number): string => `${jobPath(job)}/out/part-${r}`;
/** The job master's report: JSON `{ ok: true }` or `{ ok: false, error }`. */
export const reportPath = (job: string): string => `${jobPath(job)}/report`;
/** The job master's progress: `done total`, counted in tasks. */
export const progressPath = (job: string): string => `${jobPath(job)}/progress`;
/** Why the last attempt of a task failed (written by the task itself). */
export const taskErrorPath = (job: string, kind: 'map' | 'reduce', index: number): string =>
  `${jobPath(job)}/errors/${kind}-${index}`;
