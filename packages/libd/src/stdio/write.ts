/**
 * Writing: fwrite (bytes), fputc (one byte), fputs (UTF-8 text).
 * @module
 */
import { errors } from '@dios/kernel';
import { writeBytes } from './buffered-io.js';
import { stateOf, type FILE } from './file.js';

const encoder = new TextEncoder();

/**
 * Writes `bytes` and returns their number. Depending on the FILE's
 * buffering they may wait in its buffer until {@link fflush}, {@link fclose},
 * a full buffer or (line-buffered) a newline. In append mode they land at
 * the end of the object as it is when they are written out. Throws (and sets
 * the error indicator) on failure, such as EBADF for a FILE not opened for
 * writing; bytes already written out before a failure stay written.
 */
export async function fwrite(file: FILE, bytes: Uint8Array): Promise<number> {
  const s = stateOf(file, 'fwrite', false);
  return s.run('fwrite', async () => {
    if (!(bytes instanceof Uint8Array)) throw errors.EINVAL('fwrite', 'bytes', 'expected a Uint8Array');
    await writeBytes(s, bytes, 'fwrite');
    return bytes.length;
  });
}

/** Writes the byte `c & 0xff` (C converts to unsigned char the same way) and returns it. `c` must be an integer. */
export async function fputc(file: FILE, c: number): Promise<number> {
  const s = stateOf(file, 'fputc', false);
  return s.run('fputc', async () => {
    if (!Number.isSafeInteger(c)) throw errors.EINVAL('fputc', 'c', `expected an integer, got ${String(c)}`);
    const byte = c & 0xff;
    await writeBytes(s, Uint8Array.of(byte), 'fputc');
    return byte;
  });
}

/** Writes `text` encoded as UTF-8 (no newline is added, as in C) and returns the number of bytes. */
export async function fputs(file: FILE, text: string): Promise<number> {
  const s = stateOf(file, 'fputs', false);
  return s.run('fputs', async () => {
    if (typeof text !== 'string') throw errors.EINVAL('fputs', 'text', `expected a string, got ${typeof text}`);
    const bytes = encoder.encode(text);
    await writeBytes(s, bytes, 'fputs');
    return bytes.length;
  });
}
