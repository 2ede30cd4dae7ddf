/**
 * The file position: fseek, ftell, rewind. Only blobs have positions;
 * streams and the console are sequential and answer ESPIPE.
 * @module
 */
import { errors } from '@dios/kernel';
import { SEEK_CUR, SEEK_END, SEEK_SET, type Whence } from './constants.js';
import { dropReadAhead, flushWrites } from './buffered-io.js';
import { stateOf, type FILE, type FileState } from './file.js';

function checkPositional(s: FileState, op: string): void {
  if (s.access !== 'positional')
    throw errors.ESPIPE(op, 'stream', `a ${s.sys.ref(s.handle).type} has no file position`);
}

// Writes out pending output, then moves to `target` (checked to be >= 0): read-ahead goes, end of file is cleared.
async function moveTo(s: FileState, op: string, target: (s: FileState) => number): Promise<void> {
  await flushWrites(s);
  const to = target(s);
  if (to < 0) throw errors.EINVAL(op, 'offset', `the position would be ${to}`);
  s.pos = to;
  dropReadAhead(s);
  s.eof = false;
}

/**
 * Moves the file position to `offset` counted from the start
 * ({@link SEEK_SET}), the current position ({@link SEEK_CUR}) or the end
 * ({@link SEEK_END}), after writing out pending output, and clears the
 * end-of-file indicator. Past the end is allowed: a later write fills the
 * gap with zeros. A resulting position below 0 is EINVAL (`offset`); a
 * stream or the console is ESPIPE (`stream`).
 */
export async function fseek(file: FILE, offset: number, whence: Whence = SEEK_SET): Promise<void> {
  const s = stateOf(file, 'fseek', false);
  return s.run('fseek', async () => {
    if (!Number.isSafeInteger(offset))
      throw errors.EINVAL('fseek', 'offset', `expected an integer, got ${String(offset)}`);
    if (whence !== SEEK_SET && whence !== SEEK_CUR && whence !== SEEK_END) {
      throw errors.EINVAL('fseek', 'whence', `expected SEEK_SET, SEEK_CUR or SEEK_END, got ${String(whence)}`);
    }
    checkPositional(s, 'fseek');
    await moveTo(
      s,
      'fseek',
      (s) => (whence === SEEK_SET ? 0 : whence === SEEK_CUR ? s.pos : s.sys.ref(s.handle).size) + offset,
    );
  });
}

/**
 * The file position: where the next read reads and (except in append mode)
 * the next write writes. In append mode with output pending, where that
 * output will end if nothing else writes meanwhile. A stream or the console
 * is ESPIPE (`stream`).
 */
export function ftell(file: FILE): number {
  const s = stateOf(file, 'ftell', false);
  return s.runSync('ftell', () => {
    checkPositional(s, 'ftell');
    return s.mode.append && s.wlen > 0 ? s.sys.ref(s.handle).size + s.wlen : s.pos;
  });
}

/** Moves to the start (as `fseek(file, 0, SEEK_SET)`) and clears the end-of-file and error indicators. */
export async function rewind(file: FILE): Promise<void> {
  const s = stateOf(file, 'rewind', false);
  return s.run('rewind', async () => {
    checkPositional(s, 'rewind');
    await moveTo(s, 'rewind', () => 0);
    s.error = false;
  });
}
