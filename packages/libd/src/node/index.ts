/**
 * @dios/libd/node: Node.js stream adapters for libd. A FILE or a reference
 * becomes a Node `Readable` or `Writable`, so `pipeline()` from
 * `node:stream/promises` can move bytes between DIOS objects and host
 * streams. It builds only on libd's public API; the rest of libd imports
 * nothing from node:*.
 *
 * @example
 * ```ts
 * import { pipeline } from 'node:stream/promises';
 * import { toNodeReadable, toNodeWritable } from '@dios/libd/node';
 * await pipeline(toNodeReadable(file), process.stdout);
 * await pipeline(Readable.from(buffers), toNodeWritable({ sys, ref }));
 * ```
 * @module @dios/libd/node
 */
import { Readable, Writable } from 'node:stream';
import { errors } from '@dios/kernel';
import {
  chunks,
  fclose,
  fflush,
  FILE,
  fopen,
  fwrite,
  type ByteSource,
  type ChunkOptions,
  type WritableStreamOptions,
} from '@dios/libd';

/** Options of {@link toNodeReadable}. */
export interface NodeReadableOptions extends ChunkOptions {
  /** The Readable's highWaterMark in bytes (default Node's, 16 KiB or 64 KiB). */
  readonly highWaterMark?: number;
}

/**
 * `source` as a Node Readable of Buffers (one per read of the object). It
 * reads only when its consumer asks, so back-pressure holds. A read failure
 * destroys the Readable with that error; destroying it early closes the
 * FILE (see ChunkOptions.close in @dios/libd).
 */
export function toNodeReadable(source: ByteSource, options: NodeReadableOptions = {}): Readable {
  const iterator = chunks(source, options);
  return new Readable({
    ...(options.highWaterMark === undefined ? {} : { highWaterMark: options.highWaterMark }),
    read() {
      iterator.next().then(
        (next) => {
          if (next.done === true) this.push(null);
          else this.push(next.value);
        },
        (e: unknown) => this.destroy(e as Error),
      );
    },
    destroy(error, callback) {
      iterator.return!().then(
        () => callback(error),
        (e: unknown) => callback(error ?? (e as Error)),
      );
    },
  });
}

/**
 * `source` as a Node Writable. Each chunk (a Buffer, a Uint8Array, or a
 * string, written as UTF-8) goes through fwrite, which waits while the object
 * cannot take more; the Writable's callback waits with it, so `pipeline()`
 * slows its producer down. Ending the Writable flushes and (with `close`,
 * the default) closes the FILE; destroying it closes the FILE too. A write
 * failure destroys the Writable with that error.
 */
export function toNodeWritable(source: ByteSource, options: WritableStreamOptions = {}): Writable {
  let file: FILE;
  let closed: Promise<void> | undefined;
  let owned = false;
  const close = (): Promise<void> => (closed ??= file === undefined || file.closed ? Promise.resolve() : fclose(file));
  const finish = (): Promise<void> => (owned || (options.close ?? true) ? close() : fflush(file));
  return new Writable({
    ...(options.highWaterMark === undefined ? {} : { highWaterMark: options.highWaterMark }),
    construct(callback) {
      if (source instanceof FILE) {
        file = source;
        callback();
        return;
      }
      if (
        typeof source !== 'object' ||
        source === null ||
        typeof (source as { sys?: { ref?: unknown } }).sys?.ref !== 'function'
      ) {
        callback(errors.EINVAL('toNodeWritable', 'source', 'expected a FILE or { sys, ref }'));
        return;
      }
      fopen(source.sys, { ref: source.ref }, options.mode ?? 'w').then(
        (f) => {
          file = f;
          owned = true;
          callback();
        },
        (e: unknown) => callback(e as Error),
      );
    },
    write(chunk: Uint8Array, _encoding, callback) {
      fwrite(file, chunk).then(() => callback(), callback);
    },
    final(callback) {
      finish().then(() => callback(), callback);
    },
    destroy(error, callback) {
      const release = file !== undefined && (owned || (options.close ?? true)) ? close() : Promise.resolve();
      release.then(
        () => callback(error),
        (e: unknown) => callback(error ?? (e as Error)),
      );
    },
  });
}
