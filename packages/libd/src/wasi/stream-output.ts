/**
 * Output to streams, gathered: a program's stdout on a stream is written by
 * wasi-libc in pieces of its 1 KiB stdio buffer, each a begin_write/end_write
 * round trip. Here the bytes for one stream wait in a buffer until
 * {@link STREAM_BUFFER_LIMIT} is reached or until the program might wait
 * (a read of a stream, poll_oneoff, a `dios` call), syncs or closes the
 * descriptor, writes to another stream (so writes keep their order across
 * streams), or exits. The console is written at once (a person may be
 * watching), and so is a descriptor with O_NONBLOCK (it must see EAGAIN).
 * @module
 */
import { BeginWriteFlags, EndWriteFlags, isDiosError, type BlockingSystemCalls } from '@dios/kernel';
import { FdFlags, type StreamFd } from './fd-table.js';

/** Bytes gathered for a stream before they are written without being asked (64 KiB). */
export const STREAM_BUFFER_LIMIT = 64 << 10;

/** Writes `data` to the stream of `entry` in pieces the stream accepts; returns how many bytes went (fewer only for a non-blocking descriptor). */
export function writeToStream(calls: BlockingSystemCalls, entry: StreamFd, data: Uint8Array): number {
  const flags = entry.flags & FdFlags.NONBLOCK ? BeginWriteFlags.NONBLOCK : 0;
  for (let at = 0; at < data.length;) {
    const n = Math.min(entry.pieceLimit, data.length - at);
    let buffer: Uint8Array;
    try {
      buffer = calls.beginWrite(entry.handle, n, undefined, flags);
    } catch (e) {
      // A stream refuses a write longer than its ring, whose size a task cannot see: halve the piece and try again.
      if (isDiosError(e, 'EINVAL') && e.argument === 'length' && n > 1) {
        entry.pieceLimit = Math.floor(n / 2);
        continue;
      }
      if (at > 0 && isDiosError(e, 'EAGAIN')) return at;
      throw e;
    }
    buffer.set(data.subarray(at, at + n));
    try {
      calls.endWrite(entry.handle, buffer);
    } catch (e) {
      try {
        calls.endWrite(entry.handle, buffer, undefined, EndWriteFlags.DISCARD);
      } catch {
        // The commit's error is the one reported; a discard that fails too leaves no lease behind.
      }
      throw e;
    }
    at += n;
  }
  return data.length;
}

/** The bytes waiting for one stream (at most one stream has any at a time). */
export class StreamOutput {
  #entry: StreamFd | undefined;
  #chunks: Uint8Array[] = [];
  #bytes = 0;

  /** `calls` carry the writes. */
  constructor(private readonly calls: BlockingSystemCalls) {}

  /** Writes `data` to the stream of `entry`, now or later (see the module comment); returns how many bytes were taken. */
  write(entry: StreamFd, data: Uint8Array): number {
    if (entry.console || entry.flags & FdFlags.NONBLOCK) {
      this.flush();
      return writeToStream(this.calls, entry, data);
    }
    if (this.#entry !== entry) this.flush();
    this.#entry = entry;
    this.#chunks.push(data.slice());
    this.#bytes += data.length;
    if (this.#bytes >= STREAM_BUFFER_LIMIT) this.flush();
    return data.length;
  }

  /** Writes what is waiting. */
  flush(): void {
    const entry = this.#entry;
    if (entry === undefined) return;
    const chunks = this.#chunks;
    const bytes = this.#bytes;
    this.#entry = undefined;
    this.#chunks = [];
    this.#bytes = 0;
    let data: Uint8Array;
    if (chunks.length === 1) data = chunks[0]!;
    else {
      data = new Uint8Array(bytes);
      let at = 0;
      for (const c of chunks) {
        data.set(c, at);
        at += c.length;
      }
    }
    writeToStream(this.calls, entry, data);
  }
}
