/**
 * Reading: fread (bytes), fgetc (one byte), fgets (a line of UTF-8 text).
 * @module
 */
import { errors } from '@dios/kernel';
import { EOF } from './constants.js';
import { checkReadable, fill, readBytes } from './buffered-io.js';
import { stateOf, type FILE, type FileState } from './file.js';
import { codeUnits, continues, sequenceLength } from './utf8.js';

/**
 * Reads into `buffer` until it is full or the object ends, and returns the
 * number of bytes read: fewer than `buffer.length` only at end of file (then
 * {@link feof} is true) or when a failure follows a partial read (then
 * {@link ferror} is true). On a stream or the console it waits for input.
 * Throws (and sets the error indicator) when nothing could be read because
 * of a failure, such as EBADF for a FILE not opened for reading.
 */
export async function fread(file: FILE, buffer: Uint8Array): Promise<number> {
  const s = stateOf(file, 'fread', false);
  return s.run('fread', async () => {
    if (!(buffer instanceof Uint8Array)) throw errors.EINVAL('fread', 'buffer', 'expected a Uint8Array');
    return readBytes(s, buffer, 'fread');
  });
}

/** Reads one byte and returns it (0 to 255), or {@link EOF} at end of file. */
export async function fgetc(file: FILE): Promise<number> {
  const s = stateOf(file, 'fgetc', false);
  return s.run('fgetc', async () => {
    checkReadable(s, 'fgetc');
    if (!(await fill(s, 1, 'fgetc'))) return EOF;
    const byte = s.rbuf![s.rpos++]!;
    if (s.access === 'positional') s.pos++;
    return byte;
  });
}

/**
 * Reads a line of UTF-8 text: up to and including the next `\n`, or until
 * the returned string would exceed `maxChars` UTF-16 code units (its
 * `length`), or until end of file. A character is never split: one that does
 * not fit is left for the next read, except that a line always holds at
 * least one character (with `maxChars` 1, a character outside the BMP,
 * two code units, comes whole). Invalid UTF-8 reads as U+FFFD, as TextDecoder
 * decodes it. Returns null at end of file when nothing was read. `maxChars`
 * is a positive integer or Infinity (C's `fgets(s, n, f)` is `n - 1` here).
 */
export async function fgets(file: FILE, maxChars: number): Promise<string | null> {
  const s = stateOf(file, 'fgets', false);
  // A line already in the buffer, with nothing queued before it: taken at once, in its turn, without a system call.
  if (
    s.idle &&
    !s.closed &&
    s.mode.readable &&
    (maxChars === Infinity || (Number.isSafeInteger(maxChars) && maxChars >= 1))
  ) {
    const line = lineInBuffer(s, maxChars);
    if (line !== undefined) return line;
  }
  return s.run('fgets', async () => {
    if (!(maxChars === Infinity || (Number.isSafeInteger(maxChars) && maxChars >= 1))) {
      throw errors.EINVAL('fgets', 'maxChars', `expected a positive integer or Infinity, got ${String(maxChars)}`);
    }
    checkReadable(s, 'fgets');
    return readLine(s, maxChars);
  });
}

async function readLine(s: FileState, maxChars: number): Promise<string | null> {
  const whole = await bufferedLine(s, maxChars);
  if (whole !== undefined) return whole;
  const chunks: Uint8Array[] = [];
  let units = 0;
  let ended = false;
  try {
    line: while (units < maxChars) {
      if (!(await fill(s, 1, 'fgets'))) {
        ended = true;
        break;
      }
      // ASCII runs are copied straight from the buffer.
      const buf = s.rbuf!;
      const start = s.rpos;
      let i = start;
      let newline = false;
      while (i < s.rend && units < maxChars && buf[i]! < 0x80) {
        units++;
        if (buf[i++] === 0x0a) {
          newline = true;
          break;
        }
      }
      if (i > start) {
        chunks.push(buf.slice(start, i));
        advance(s, i - start);
        if (newline) break line;
        continue;
      }
      // A multi-byte character: look ahead until it is whole or proven invalid.
      const lead = buf[start]!;
      const length = sequenceLength(lead);
      let n = 1;
      while (n < length && (await fill(s, n + 1, 'fgets')) && continues(lead, n, s.rbuf![s.rpos + n]!)) n++;
      const width = codeUnits(lead, n);
      // A character wider than the whole limit still comes alone, so that fgets always makes progress.
      if (units + width > maxChars && units > 0) break;
      chunks.push(s.rbuf!.slice(s.rpos, s.rpos + n));
      advance(s, n);
      units += width;
    }
  } catch (e) {
    if (chunks.length === 0) throw e;
    s.error = true;
  }
  if (chunks.length === 0 && ended) return null;
  return decode(chunks);
}

// The common case, decoded straight from the buffer without a copy: the line's newline is already buffered, and the
// line cannot exceed maxChars (UTF-8 never gives more UTF-16 code units than bytes, invalid bytes included), so it
// ends at that newline exactly as the character-by-character loop would end it. Undefined when that is not so.
async function bufferedLine(s: FileState, maxChars: number): Promise<string | undefined> {
  if (s.rend === s.rpos && !(await fill(s, 1, 'fgets'))) return undefined;
  return lineInBuffer(s, maxChars);
}

// The line that bufferedLine takes, when its newline is in the buffer already; else undefined, and nothing moves.
// The buffered bytes up to their last newline are decoded once, and each line is a slice of that text: newlines
// map one to one between the bytes and the text (0x0a is never part of a UTF-8 sequence, nor of what an invalid
// one decodes to), so a line decoded alone would be the same string.
function lineInBuffer(s: FileState, maxChars: number): string | undefined {
  const buf = s.rbuf;
  if (buf === undefined || s.rend === s.rpos) return undefined;
  let t = s.text;
  if (t === undefined || t.generation !== s.generation || t.byteAt !== s.rpos) {
    const last = buf.subarray(s.rpos, s.rend).lastIndexOf(0x0a);
    if (last < 0) return undefined;
    t = s.text = {
      generation: s.generation,
      str: decoder.decode(buf.subarray(s.rpos, s.rpos + last + 1)),
      at: 0,
      byteAt: s.rpos,
    };
  }
  const end = t.str.indexOf('\n', t.at);
  if (end < 0 || end + 1 - t.at > maxChars) return undefined;
  const line = t.str.slice(t.at, end + 1);
  t.at = end + 1;
  advance(s, buf.indexOf(0x0a, s.rpos) + 1 - s.rpos);
  t.byteAt = s.rpos;
  return line;
}

function advance(s: FileState, n: number): void {
  s.rpos += n;
  if (s.access === 'positional') s.pos += n;
}

// ignoreBOM keeps a U+FEFF that starts a line: it is text like any other character here.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

function decode(chunks: Uint8Array[]): string {
  if (chunks.length === 1) return decoder.decode(chunks[0]);
  let total = 0;
  for (const c of chunks) total += c.length;
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return decoder.decode(all);
}
