/**
 * Flushing: fflush writes out one FILE's pending output; fflushAll does it
 * for every open FILE of a task (C's `fflush(NULL)`).
 * @module
 */
import { isDiosError, type SystemCalls } from '@dios/kernel';
import { dropReadAhead, flushWrites } from './buffered-io.js';
import { openFilesOf, stateOf, type FILE } from './file.js';

/**
 * Writes out the FILE's pending output. On a blob it also drops read-ahead,
 * so that the next read sees what other tasks wrote since (read-ahead of a
 * stream cannot be given back and stays).
 */
export async function fflush(file: FILE): Promise<void> {
  const s = stateOf(file, 'fflush', false);
  return s.run('fflush', async () => {
    await flushWrites(s);
    if (s.access === 'positional') dropReadAhead(s);
  });
}

/**
 * Flushes every open FILE of task `sys`, all of them even if one fails; then
 * throws the first failure, if any. A program should call it (or fclose its
 * FILEs) before it exits: output still buffered when a task exits is lost.
 */
export async function fflushAll(sys: SystemCalls): Promise<void> {
  const flushes = openFilesOf(sys).map((s) =>
    // A FILE an earlier call closes before this flush runs is skipped, not reported.
    fflush(s.file).catch((e: unknown) => {
      if (!(s.closed && isDiosError(e, 'EBADF') && e.argument === 'stream')) throw e;
    }),
  );
  const results = await Promise.allSettled(flushes);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}
