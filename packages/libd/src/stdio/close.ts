/**
 * Closing: fclose writes out pending output and releases the FILE.
 * @module
 */
import { DeleteFlags, isDiosError } from '@dios/kernel';
import { flushWrites, settleReadAhead } from './buffered-io.js';
import { stateOf, type FILE } from './file.js';

/**
 * Writes out pending output and closes the FILE; every later use of it is
 * EBADF (`stream`). The reference is deleted if fopen opened it from a name,
 * and kept if the program handed it in (`{ ref }`). The FILE is closed even
 * when writing out fails; the failure is thrown afterwards (as C's fclose
 * returns EOF).
 */
export async function fclose(file: FILE): Promise<void> {
  const s = stateOf(file, 'fclose', false);
  return s.run('fclose', async () => {
    // Boxed: the error thrown may be any value, even undefined.
    let failure: { error: unknown } | undefined;
    try {
      await flushWrites(s);
    } catch (e) {
      failure = { error: e };
    }
    // A read of the next buffer still under way ends first: the reference it reads through may be deleted next.
    await settleReadAhead(s);
    s.markClosed();
    if (s.owned) {
      try {
        // DROP: closing a FILE never destroys what it names, even a single-delete object opened writable.
        await s.sys.delete(s.handle, DeleteFlags.DROP);
      } catch (e) {
        // A reference the kernel already revoked (its object was destroyed) is gone anyway.
        if (!isDiosError(e, 'EBADF')) failure ??= { error: e };
      }
    }
    if (failure !== undefined) throw failure.error;
  });
}
