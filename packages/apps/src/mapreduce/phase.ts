/**
 * Running one phase of a job (all its map tasks, or all its reduce tasks)
 * from the master: start every task, wait for any to exit, start a failed
 * one again until it has had its attempts, then give up naming it.
 * @module
 */
import { errors, isDiosError, type SystemCalls } from '@dios/kernel';
import { waitAny } from '@dios/libd';
import { withViewAt } from './blob-io.js';
import { taskErrorPath } from './paths.js';

/** What {@link runPhase} needs to know. */
export interface Phase {
  /** `map` or `reduce`. */
  readonly kind: 'map' | 'reduce';
  /** Number of tasks. */
  readonly tasks: number;
  /** Attempts each task may take. */
  readonly attempts: number;
  /** Tasks running at once at most (0: all at once). */
  readonly parallel: number;
  /** The job id. */
  readonly job: string;
  /** Starts attempt `attempt` (1 for the first) of task `index`; returns the task handle. */
  start(index: number, attempt: number): Promise<number>;
  /** Called once per task that succeeded. */
  done(): Promise<void>;
}

const decoder = new TextDecoder();

async function lastError(sys: SystemCalls, job: string, kind: 'map' | 'reduce', index: number): Promise<string> {
  try {
    return await withViewAt(sys, taskErrorPath(job, kind, index), (view) => decoder.decode(view), 'mapreduce-master');
  } catch (e) {
    if (isDiosError(e, 'ENOENT')) return 'no error recorded';
    throw e;
  }
}

/** Runs every task of `phase` to success; EIO naming the task (`map[i]`, `reduce[i]`) when one fails every attempt. */
export async function runPhase(sys: SystemCalls, phase: Phase): Promise<void> {
  const running = new Map<number, { index: number; attempt: number }>();
  const limit = phase.parallel > 0 ? phase.parallel : phase.tasks;
  // Re-runs go first: a task that failed holds up the phase more than one not yet started.
  const pending: { index: number; attempt: number }[] = Array.from({ length: phase.tasks }, (_, index) => ({ index, attempt: 1 })).reverse();
  const fill = async () => {
    while (running.size < limit && pending.length > 0) {
      const next = pending.pop()!;
      running.set(await phase.start(next.index, next.attempt), next);
    }
  };
  await fill();
  while (running.size > 0) {
    const { task, status } = await waitAny(sys, [...running.keys()]);
    const { index, attempt } = running.get(task)!;
    running.delete(task);
    if (status === 0) {
      await phase.done();
      await fill();
      continue;
    }
    if (attempt >= phase.attempts) {
      const why = await lastError(sys, phase.job, phase.kind, index);
      throw errors.EIO('mapreduce', `${phase.kind}[${index}]`, `${phase.kind} task ${index} of job ${phase.job} failed ${attempt} time(s), last with status ${status}: ${why}`);
    }
    pending.push({ index, attempt: attempt + 1 });
    await fill();
  }
}
