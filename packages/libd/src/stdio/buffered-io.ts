/**
 * The user-space buffering of a FILE: read-ahead, pending output, and the
 * rules that tie them to the file position. Positional FILEs (blobs) keep
 * at most one of the two buffers non-empty: a read first writes out pending
 * output, a write first drops read-ahead. Sequential FILEs (streams, the
 * console) keep both, since reading and writing a FIFO are independent.
 * @module
 */
import { errors } from '@dios/kernel';
import type { FileState } from './file.js';
import { appendTo, readAt, readSome, writeAt, writeInPieces } from './transfer.js';

const NOTHING = new Uint8Array(0);

/** Throws EBADF (argument `stream`) unless the FILE was opened for reading. */
export function checkReadable(s: FileState, op: string): void {
  if (!s.mode.readable)
    throw errors.EBADF(op, 'stream', `the FILE was opened with mode '${s.mode.text}', which does not allow reading`);
}

/** Throws EBADF (argument `stream`) unless the FILE was opened for writing. */
export function checkWritable(s: FileState, op: string): void {
  if (!s.mode.writable)
    throw errors.EBADF(op, 'stream', `the FILE was opened with mode '${s.mode.text}', which does not allow writing`);
}

/** Forgets read-ahead (and the next buffer's read, if one is under way). For a positional FILE the position does not move (it never counts read-ahead). */
export function dropReadAhead(s: FileState): void {
  s.rpos = s.rend = 0;
  s.generation++;
  s.ahead = undefined;
}

/**
 * A FILE on a blob on another kernel reads its next buffer while the
 * program uses this one, so the round trip overlaps the work: the read
 * (begin_read, copy, end_read, made again if a commit made it invalid) is
 * started at `offset`, and {@link takeAhead} uses its bytes if the FILE
 * then needs the bytes from there. It is read-ahead like the buffer's own,
 * dropped where that is (seek, flush, write, close). A failure is not
 * reported here: the FILE reads again, and reports what that read meets.
 */
function readAhead(s: FileState, offset: number, op: string): void {
  // A read dropped while under way may still write into its buffer: only one whose bytes were taken is reused.
  const into = s.spare ?? new Uint8Array(s.readBufferSize);
  s.spare = undefined;
  s.ahead = {
    offset,
    buffer: into,
    bytes: readAt(s.sys, s.handle, offset, into, op).then(
      (n) => into.subarray(0, n),
      () => {
        // Not lost: the FILE reads again from there when it needs the bytes, and that read reports the failure.
        return undefined;
      },
    ),
  };
}

// The bytes read ahead from `offset`, copied into `room` (as many as fit); undefined when there are none to use
// (none read from there, the read failed, or it found the end, which a fresh read checks again).
async function takeAhead(s: FileState, offset: number, room: Uint8Array): Promise<number | undefined> {
  const ahead = s.ahead;
  s.ahead = undefined;
  if (ahead === undefined || ahead.offset !== offset) return undefined;
  const bytes = await ahead.bytes;
  // The read has ended: its buffer is free for the next one.
  s.spare = ahead.buffer;
  if (bytes === undefined || bytes.length === 0) return undefined;
  const n = Math.min(room.length, bytes.length);
  room.set(bytes.subarray(0, n));
  return n;
}

/** Waits until the next buffer's read, if one is under way, has ended (before the reference it uses is deleted). */
export async function settleReadAhead(s: FileState): Promise<void> {
  const ahead = s.ahead;
  s.ahead = undefined;
  await ahead?.bytes;
}

/**
 * Writes out pending output followed by `extra` (bytes too large to go
 * through the buffer). Positional: one atomic commit at the position the
 * bytes were written at, or at the current end in append mode. On failure
 * the pending bytes are dropped (and, positional, the position goes back to
 * where they would have started).
 */
export async function flushWrites(s: FileState, extra: Uint8Array = NOTHING): Promise<void> {
  const pending = s.wlen;
  const total = pending + extra.length;
  if (total === 0) return;
  const buffered = pending > 0 ? s.wbuf!.subarray(0, pending) : NOTHING;
  s.wlen = 0;
  if (s.access === 'sequential') {
    return writeInPieces(s.sys, s.handle, [buffered, extra], s);
  }
  if (s.mode.append) {
    // The kernel puts the bytes at the end as it is at commit, so a writer in between cannot be overwritten.
    await appendTo(s.sys, s.handle, [buffered, extra]);
    s.pos = s.sys.ref(s.handle).size;
    return;
  }
  const size = s.sys.ref(s.handle).size;
  const start = s.pos - pending;
  const from = Math.min(start, size);
  s.pos = start;
  await writeAt(s.sys, s.handle, from, start - from, [buffered, extra]);
  s.pos = start + total;
}

// Before waiting for input: write out this FILE's own output (positional FILEs must; for a stream it avoids
// waiting for bytes still in our buffer), and let a hook run (stdin flushes stdout there).
async function beforeInput(s: FileState): Promise<void> {
  if (s.wlen > 0) await flushWrites(s);
  if (s.beforeRefill !== undefined) await s.beforeRefill();
}

/**
 * Reads from the object until at least `min` bytes (at most the read
 * buffer's size) are buffered. Returns false, and sets the end-of-file
 * indicator, if the object ended first; does not read once the indicator is
 * set (C's sticky end of file).
 */
export async function fill(s: FileState, min: number, op: string): Promise<boolean> {
  if (s.rend - s.rpos >= min) return true;
  if (s.eof) return false;
  await beforeInput(s);
  const buf = (s.rbuf ??= new Uint8Array(s.readBufferSize));
  s.generation++;
  if (s.rpos > 0) {
    buf.copyWithin(0, s.rpos, s.rend);
    s.rend -= s.rpos;
    s.rpos = 0;
  }
  while (s.rend < min) {
    const room = buf.subarray(s.rend);
    const at = s.pos + s.rend;
    const got =
      s.access === 'positional'
        ? ((await takeAhead(s, at, room)) ?? (await readAt(s.sys, s.handle, at, room, op)))
        : await readSome(s.sys, s.handle, room);
    if (got === 0) {
      s.eof = true;
      return false;
    }
    s.rend += got;
  }
  if (s.readsAhead) readAhead(s, s.pos + s.rend, op);
  return true;
}

/** Moves up to `count` buffered bytes into `dest` at `at`; returns how many. */
export function take(s: FileState, dest: Uint8Array, at: number, count = dest.length - at): number {
  const n = Math.min(count, s.rend - s.rpos);
  if (n <= 0) return 0;
  dest.set(s.rbuf!.subarray(s.rpos, s.rpos + n), at);
  s.rpos += n;
  if (s.access === 'positional') s.pos += n;
  return n;
}

/**
 * Fills `dest` as far as the object allows (fread). Requests of at least a
 * buffer's size go straight from the object into `dest`. Returns the count,
 * short at end of file; if a failure comes after some bytes were read, the
 * count so far is returned and the error indicator set, as C's fread does.
 */
export async function readBytes(s: FileState, dest: Uint8Array, op: string): Promise<number> {
  checkReadable(s, op);
  let done = take(s, dest, 0);
  try {
    while (done < dest.length) {
      const want = dest.length - done;
      if (want >= s.readBufferSize && !s.eof) {
        await beforeInput(s);
        const target = dest.subarray(done);
        const got =
          s.access === 'positional'
            ? await readAt(s.sys, s.handle, s.pos, target, op)
            : await readSome(s.sys, s.handle, target);
        if (got === 0) {
          s.eof = true;
          break;
        }
        done += got;
        if (s.access === 'positional') s.pos += got;
      } else {
        if (!(await fill(s, 1, op))) break;
        done += take(s, dest, done);
      }
    }
  } catch (e) {
    if (done === 0) throw e;
    s.error = true;
  }
  return done;
}

/**
 * Writes `data` (fwrite). Output waits in the buffer until it is full;
 * line-buffered, everything up to the last newline goes out at once (the
 * rest waits); unbuffered output and writes of at least a buffer's size go
 * out at once, after the pending bytes.
 */
export async function writeBytes(s: FileState, data: Uint8Array, op: string): Promise<void> {
  checkWritable(s, op);
  if (s.access === 'positional') dropReadAhead(s);
  if (s.buffering === 'none') return flushWrites(s, data);
  let rest = data;
  if (s.buffering === 'line') {
    const newline = data.lastIndexOf(0x0a);
    if (newline >= 0) {
      await flushWrites(s, data.subarray(0, newline + 1));
      rest = data.subarray(newline + 1);
    }
  }
  const size = s.writeBufferSize;
  if (rest.length >= size) return flushWrites(s, rest);
  if (s.wlen + rest.length > size) await flushWrites(s);
  const buf = (s.wbuf ??= new Uint8Array(size));
  buf.set(rest, s.wlen);
  s.wlen += rest.length;
  if (s.access === 'positional') s.pos += rest.length;
}
