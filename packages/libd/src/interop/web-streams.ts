/**
 * Web streams over DIOS: a FILE or a reference as a WHATWG `ReadableStream`
 * or `WritableStream` (the globals every modern JavaScript runtime offers),
 * so that `fetch`'s `Response`, `pipeTo` and `pipeThrough` work on DIOS
 * objects.
 * @module
 */
import { errors } from '@dios/kernel';
import { fflush } from '../stdio/flush.js';
import { fwrite } from '../stdio/write.js';
import { chunks, closer, openSource, type ByteSource, type ChunkOptions } from './chunks.js';
import type { FILE } from '../stdio/file.js';

/** Options of {@link toReadableStream}. */
export interface ReadableStreamOptions extends ChunkOptions {
  /** How many chunks the stream reads ahead of its consumer (default 1; 0 reads only when asked). */
  readonly highWaterMark?: number;
}

/**
 * `source` as a ReadableStream of Uint8Array chunks, pulled one read at a
 * time: a slow consumer is never read far ahead of. A read failure errors
 * the stream; cancelling it closes the FILE (see {@link ChunkOptions.close}).
 *
 * @example
 * ```ts
 * const text = await new Response(toReadableStream(file)).text();
 * ```
 */
export function toReadableStream(source: ByteSource, options: ReadableStreamOptions = {}): ReadableStream<Uint8Array> {
  let iterator: AsyncIterableIterator<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      start() {
        iterator = chunks(source, options);
      },
      async pull(controller) {
        const next = await iterator!.next();
        if (next.done === true) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await iterator!.return!();
      },
    },
    { highWaterMark: options.highWaterMark ?? 1 },
  );
}

/** Options of {@link toWritableStream} and the Node writable adapter. */
export interface WritableStreamOptions {
  /**
   * Whether closing (or aborting) the stream closes a FILE passed in with
   * {@link fclose}; otherwise closing only flushes it. Default true. A FILE
   * the adapter opened over a {@link DiosReference} is always closed (the
   * reference itself stays open).
   */
  readonly close?: boolean;
  /** The fopen mode for a {@link DiosReference}: `w` (default; empties a blob), `a`, `r+`... */
  readonly mode?: string;
  /** Bytes the stream queues before a writer is told to wait (default 16 KiB). */
  readonly highWaterMark?: number;
}

/**
 * `source` as a WritableStream of Uint8Array chunks. Each chunk goes through
 * {@link fwrite}, which waits when the object cannot take more (a stream's
 * ring is full), so the stream's back-pressure reaches the writer: its
 * queue holds at most `highWaterMark` bytes besides the FILE's buffer.
 * Closing the stream flushes and closes the FILE; aborting it closes the
 * FILE too (pending output is still written out, as C's fclose does). A
 * write failure errors the stream; a chunk that is not a Uint8Array is EINVAL.
 */
export function toWritableStream(source: ByteSource, options: WritableStreamOptions = {}): WritableStream<Uint8Array> {
  let file: FILE;
  let release: () => Promise<void>;
  return new WritableStream<Uint8Array>(
    {
      async start() {
        const opened = await openSource(source, options.mode ?? 'w', 'toWritableStream');
        file = opened.file;
        release = opened.owned || (options.close ?? true) ? closer(file) : () => fflush(file);
      },
      async write(chunk) {
        if (!(chunk instanceof Uint8Array)) throw errors.EINVAL('toWritableStream', 'chunk', 'expected a Uint8Array');
        await fwrite(file, chunk);
      },
      async close() {
        await release();
      },
      async abort() {
        // The stream is already failing with the abort's reason; a failure to close the FILE would add nothing.
        await release().catch(() => {});
      },
    },
    // Counts bytes like ByteLengthQueuingStrategy, but lets a chunk of another type through to write (EINVAL there).
    {
      highWaterMark: options.highWaterMark ?? 16 * 1024,
      size: (chunk) => (chunk instanceof Uint8Array ? chunk.byteLength : 1),
    },
  );
}
