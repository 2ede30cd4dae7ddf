/**
 * Choosing how a FILE buffers its output (C's `setvbuf`).
 * @module
 */
import { errors } from '@dios/kernel';
import { flushWrites } from './buffered-io.js';
import { stateOf, type Buffering, type FILE } from './file.js';

/**
 * Sets how output is buffered: `'full'` (written out when the buffer is
 * full), `'line'` (also after each write that contains a newline) or
 * `'none'` (each write goes out at once). Pending output is written out
 * first. The buffer's size always follows the reference's `writeBufferSize`.
 * Defaults: `'line'` for the console, `'full'` otherwise; stderr is `'none'`.
 */
export async function setvbuf(file: FILE, buffering: Buffering): Promise<void> {
  const s = stateOf(file, 'setvbuf', false);
  return s.run('setvbuf', async () => {
    if (buffering !== 'full' && buffering !== 'line' && buffering !== 'none') {
      throw errors.EINVAL('setvbuf', 'buffering', `expected 'full', 'line' or 'none', got ${String(buffering)}`);
    }
    await flushWrites(s);
    s.buffering = buffering;
  });
}
