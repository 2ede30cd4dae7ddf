/**
 * WordCount on MapReduce: run the job over input blobs and read the
 * counts out of its output objects.
 * @module
 */
import { errors, type SystemCalls } from '@dios/kernel';
import { removeAt, withViewsAt } from '../mapreduce/blob-io.js';
import { runMapReduce, type MapReduceJob } from '../mapreduce/job.js';
import { mergeRecords } from '../mapreduce/merge-records.js';
import { parseRecords, type KeyCount } from '../mapreduce/records.js';

/** Options of {@link wordCount}. */
export interface WordCountOptions extends Pick<
  MapReduceJob,
  'job' | 'attempts' | 'parallel' | 'releaseInputs' | 'env' | 'onProgress' | 'progressMs' | 'kernel'
> {
  /** Number of map tasks (default 1). */
  readonly maps?: number;
  /** Number of reduce tasks (default 1). */
  readonly reduces?: number;
  /** Return only the `top` most frequent words (default: every word). */
  readonly top?: number;
}

const CALL = 'wordCount';

/**
 * Like {@link wordCount}, but returns the result as the bytes of
 * `word<TAB>count` lines, one per word, in the same order: what the
 * `dios` command prints, without making a string or an object per word.
 */
export async function wordCountRecords(
  sys: SystemCalls,
  inputs: readonly number[],
  options: WordCountOptions = {},
): Promise<Uint8Array> {
  const top = options.top ?? Infinity;
  if (top !== Infinity && (!Number.isSafeInteger(top) || top < 0))
    throw errors.EINVAL(CALL, 'options.top', `expected an integer >= 0, got ${String(top)}`);
  const { maps = 1, reduces = 1, top: _, ...rest } = options;
  const result = await runMapReduce(sys, { ...rest, app: 'wordcount', inputs, maps, reduces });
  try {
    // Merged straight from views of the outputs: no copy of them.
    return await withViewsAt(sys, result.outputs, (views) => mergeRecords(views, top, CALL), CALL);
  } finally {
    for (const path of result.outputs) await removeAt(sys, path, CALL);
  }
}

/**
 * Counts the words of the blobs `inputs` (handles with read and delegate
 * rights) with a MapReduce job run from task `sys`, and returns the words
 * with their counts, most frequent first, ties in byte order of the word.
 * A word is a maximal run of ASCII letters and digits, lower-cased. The
 * job's output objects are deleted once read. Needs
 * installMapReducePrograms on the kernel first.
 *
 * Errors: EINVAL (`options.top`) for a top that is not an integer >= 0;
 * EIO for a malformed output; those of {@link runMapReduce}.
 */
export async function wordCount(
  sys: SystemCalls,
  inputs: readonly number[],
  options: WordCountOptions = {},
): Promise<KeyCount[]> {
  return parseRecords(await wordCountRecords(sys, inputs, options), Infinity, CALL);
}
