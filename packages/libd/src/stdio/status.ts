/**
 * The two indicators of a FILE, as in C: end of file and error.
 * @module
 */
import { stateOf, type FILE } from './file.js';

/** Whether a read found the end of the object (or of the stream). Cleared by {@link clearerr}, {@link fseek} and {@link rewind}. */
export function feof(file: FILE): boolean {
  return stateOf(file, 'feof').eof;
}

/** Whether an operation on the FILE failed. Stays set until {@link clearerr} or {@link rewind}. */
export function ferror(file: FILE): boolean {
  return stateOf(file, 'ferror').error;
}

/** Clears both indicators; after end of file, this lets reads try the object again. */
export function clearerr(file: FILE): void {
  const s = stateOf(file, 'clearerr');
  s.eof = false;
  s.error = false;
}
