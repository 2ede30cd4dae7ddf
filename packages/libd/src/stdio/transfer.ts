/**
 * The system calls behind a FILE, without buffering: a positional read or
 * write of a blob, a sequential read or write of a stream or the console,
 * and truncation. Each lends a kernel buffer, copies, and gives it back.
 * @module
 */
import { BeginWriteFlags, EndWriteFlags, errors, isDiosError, type SystemCalls } from '@dios/kernel';

/** How many times a blob read is tried when a write keeps committing under it before giving up with EAGAIN. */
export const MAX_READ_ATTEMPTS = 64;

/**
 * Reads up to `dest.length` bytes of a blob at `offset` into `dest` and
 * returns how many; 0 at or past the end. A read that a committed write made
 * inconsistent (endRead answers false) is made again.
 */
export async function readAt(
  sys: SystemCalls,
  handle: number,
  offset: number,
  dest: Uint8Array,
  op: string,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    let lent: Uint8Array;
    try {
      lent = await sys.beginRead(handle, { offset, length: dest.length });
    } catch (e) {
      // The offset is past the end (the program sought there, or the blob shrank): nothing to read.
      if (isDiosError(e, 'EINVAL') && e.argument === 'options.offset') return 0;
      throw e;
    }
    dest.set(lent);
    if (await sys.endRead(handle, lent)) return lent.length;
    if (attempt >= MAX_READ_ATTEMPTS)
      throw errors.EAGAIN(op, 'stream', `the blob changed during each of ${attempt} attempts to read it`);
  }
}

/**
 * Writes `zeros` zero bytes and then `parts` into a blob at `offset`, in one
 * atomic commit. (Blobs have no holes, so a write past the end is preceded by
 * zeros from the old end, which is what a C file shows in a hole.)
 */
export async function writeAt(
  sys: SystemCalls,
  handle: number,
  offset: number,
  zeros: number,
  parts: readonly Uint8Array[],
): Promise<void> {
  let total = zeros;
  for (const part of parts) total += part.length;
  const buffer = await sys.beginWrite(handle, total, { offset });
  buffer.fill(0, 0, zeros);
  let at = zeros;
  for (const part of parts) {
    buffer.set(part, at);
    at += part.length;
  }
  await commit(sys, handle, buffer);
}

/** Appends `parts` to a blob in one atomic commit at its end as it is when the commit happens (BeginWriteFlags.APPEND). */
export async function appendTo(sys: SystemCalls, handle: number, parts: readonly Uint8Array[]): Promise<void> {
  let total = 0;
  for (const part of parts) total += part.length;
  const buffer = await sys.beginWrite(handle, total, undefined, BeginWriteFlags.APPEND);
  let at = 0;
  for (const part of parts) {
    buffer.set(part, at);
    at += part.length;
  }
  await commit(sys, handle, buffer);
}

/** Empties a blob (a commit of 0 bytes at offset 0 with truncate). */
export async function truncate(sys: SystemCalls, handle: number): Promise<void> {
  await commit(sys, handle, await sys.beginWrite(handle, 0, { offset: 0, truncate: true }));
}

/**
 * One sequential read: waits for input, copies up to `dest.length` bytes
 * into `dest` and consumes them. Returns the count, 0 at end of stream (or
 * of console input).
 */
export async function readSome(sys: SystemCalls, handle: number, dest: Uint8Array): Promise<number> {
  const lent = await sys.beginRead(handle, { length: dest.length });
  dest.set(lent);
  await sys.endRead(handle, lent);
  return lent.length;
}

/**
 * Writes `parts`, one after the other, to a stream or the console in pieces
 * of at most `limit.pieceLimit` bytes, each committed in order. A stream
 * refuses a write longer than its ring (EINVAL on `length`), and the ring's
 * size is not visible to a task: the piece size is then halved, remembered
 * in `limit`, and the piece tried again.
 */
export async function writeInPieces(
  sys: SystemCalls,
  handle: number,
  parts: readonly Uint8Array[],
  limit: { pieceLimit: number },
): Promise<void> {
  let left = 0;
  for (const part of parts) left += part.length;
  let part = 0;
  let at = 0;
  while (left > 0) {
    const n = Math.min(limit.pieceLimit, left);
    let buffer: Uint8Array;
    try {
      buffer = await sys.beginWrite(handle, n);
    } catch (e) {
      if (isDiosError(e, 'EINVAL') && e.argument === 'length' && n > 1) {
        limit.pieceLimit = Math.floor(n / 2);
        continue;
      }
      throw e;
    }
    // Fill the piece from the parts, moving the cursor (part, at) on.
    for (let filled = 0; filled < n;) {
      const source = parts[part]!;
      const count = Math.min(n - filled, source.length - at);
      buffer.set(source.subarray(at, at + count), filled);
      filled += count;
      at += count;
      if (at === source.length) {
        part++;
        at = 0;
      }
    }
    await commit(sys, handle, buffer);
    left -= n;
  }
}

// Commits a write buffer; if the commit fails, gives the buffer back so that no lease is left behind.
async function commit(sys: SystemCalls, handle: number, buffer: Uint8Array): Promise<void> {
  try {
    await sys.endWrite(handle, buffer);
  } catch (e) {
    // The commit's error is the one thrown; a discard that fails too (the handle gone) leaves no lease to give back.
    await sys.endWrite(handle, buffer, undefined, EndWriteFlags.DISCARD).catch(() => {});
    throw e;
  }
}
