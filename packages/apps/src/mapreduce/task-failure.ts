/**
 * A failing task leaves a note saying why, at a path of its job, so the
 * master can name the cause: a task's exit status alone says only that it
 * failed.
 * @module
 */
import type { SystemCalls } from '@dios/kernel';
import { replaceAt } from './blob-io.js';
import { taskErrorPath } from './paths.js';

/** Writes the message of `error` as the last failure of task `kind` `index` of `job` (best effort). */
export async function recordTaskFailure(
  sys: SystemCalls,
  job: string,
  kind: 'map' | 'reduce',
  index: number,
  error: unknown,
): Promise<void> {
  const bytes = new TextEncoder().encode(error instanceof Error ? error.message : String(error));
  // Only detail: the caller rethrows, so the master learns of the failure from the task's status anyway, and a lost
  // record reads as 'no error recorded'. A failure to write it must not replace the task's own error.
  await replaceAt(sys, taskErrorPath(job, kind, index), bytes.length, (b) => b.set(bytes), `mapreduce-${kind}`).catch(
    () => {},
  );
}
