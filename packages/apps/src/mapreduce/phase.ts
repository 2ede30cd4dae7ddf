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
  for (let i = 0; i < phase.tasks; i++) running.set(await phase.start(i, 1), { index: i, attempt: 1 });
  while (running.size > 0) {
    const { task, status } = await waitAny(sys, [...running.keys()]);
    const { index, attempt } = running.get(task)!;
    running.delete(task);
    if (status === 0) {
      await phase.done();
      continue;
    }
    if (attempt >= phase.attempts) {
      const why = await lastError(sys, phase.job, phase.kind, index);
      throw errors.EIO('mapreduce', `${phase.kind}[${index}]`, `${phase.kind} task ${index} of job ${phase.job} failed ${attempt} time(s), last with status ${status}: ${why}`);
    }
    running.set(await phase.start(index, attempt + 1), { index, attempt: attempt + 1 });
  }
}
