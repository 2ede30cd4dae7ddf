/**
 * Byte sources and sinks for interop: a FILE, or a reference a task holds,
 * read as a sequence of Uint8Array chunks. Each chunk is what one read of
 * the object gave (up to the reference's `readBufferSize`), so a stream or
 * the console yields its bytes as they arrive rather than waiting for a
 * full buffer.
 * @module
 */
import { errors, type SystemCalls } from '@dios/kernel';
import { checkReadable, fill, take } from '../stdio/buffered-io.js';
import { fclose } from '../stdio/close.js';
import { FILE, stateOf } from '../stdio/file.js';
import { fopen } from '../stdio/open.js';

/** A reference of task `sys`, as a source or sink of bytes (the interop adapters open a FILE over it, and keep the reference). */
export interface DiosReference {
  /** The task holding the reference; its system calls do the I/O. */
  readonly sys: SystemCalls;
  /** The reference's handle. */
  readonly ref: number;
}

/** What the interop adapters read from or write to: an open {@link FILE}, or a {@link DiosReference}. */
export type ByteSource = FILE | DiosReference;

/** Options of {@link chunks} and the readable adapters. */
export interface ChunkOptions {
  /**
   * Whether a FILE passed in is closed (with {@link fclose}) when the bytes
   * end, on an error, or when the consumer stops early. Default true. A
   * FILE the adapter opened over a {@link DiosReference} is always closed
   * (the reference itself stays open).
   */
  readonly close?: boolean;
}

/** Opens a FILE over `source` with `mode` (a FILE is returned as it is); `owned` tells whether the adapter opened it. */
export async function openSource(
  source: ByteSource,
  mode: string,
  op: string,
): Promise<{ file: FILE; owned: boolean }> {
  if (source instanceof FILE) return { file: source, owned: false };
  if (typeof source !== 'object' || source === null || typeof source.sys?.ref !== 'function') {
    throw errors.EINVAL(op, 'source', 'expected a FILE or { sys, ref }');
  }
  return { file: await fopen(source.sys, { ref: source.ref }, mode), owned: true };
}

/**
 * Reads the bytes one read of the object gives (waiting for input on a
 * stream or the console), or null at end of file. The chunk is a copy the
 * caller keeps.
 */
export function readChunk(file: FILE, op: string): Promise<Uint8Array | null> {
  const s = stateOf(file, op, false);
  return s.run(op, async () => {
    checkReadable(s, op);
    if (!(await fill(s, 1, op))) return null;
    const chunk = new Uint8Array(s.rend - s.rpos);
    take(s, chunk, 0);
    return chunk;
  });
}

/** Closes `file` once, however many times it is called; a FILE already closed by the program is left alone. */
export function closer(file: FILE): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= file.closed ? Promise.resolve() : fclose(file));
}

/**
 * The async iterator {@link chunks} returns. Ending early (`break` in
 * for-await, or `return()`) closes the FILE as {@link ChunkOptions.close}
 * says; so does the end of the bytes and a failure (which is thrown after).
 */
class ChunkIterator implements AsyncIterableIterator<Uint8Array> {
  readonly #opened: Promise<{ file: FILE; owned: boolean }>;
  readonly #close: boolean;
  #release: (() => Promise<void>) | undefined;
  #done = false;

  constructor(source: ByteSource, options: ChunkOptions) {
    this.#close = options.close ?? true;
    this.#opened = openSource(source, 'r', 'chunks');
    // A failure to open is reported by the first next(); keep it from being unhandled until then.
    this.#opened.catch(() => {});
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Uint8Array, undefined>> {
    if (this.#done) return { done: true, value: undefined };
    let chunk: Uint8Array | null;
    try {
      const file = await this.#file();
      chunk = await readChunk(file, 'chunks');
    } catch (e) {
      // The read's error is the one to report; a failure to close after it would only hide it.
      await this.#finish().catch(() => {});
      throw e;
    }
    if (chunk === null) {
      await this.#finish();
      return { done: true, value: undefined };
    }
    return { done: false, value: chunk };
  }

  async return(): Promise<IteratorResult<Uint8Array, undefined>> {
    await this.#finish();
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<Uint8Array, undefined>> {
    // The consumer's `error` is the one to rethrow; a failure to close after it would only hide it.
    await this.#finish().catch(() => {});
    throw error;
  }

  async #file(): Promise<FILE> {
    const { file, owned } = await this.#opened;
    this.#release ??= owned || this.#close ? closer(file) : async () => {};
    return file;
  }

  async #finish(): Promise<void> {
    this.#done = true;
    try {
      await this.#file();
    } catch {
      return; // nothing was opened
    }
    await this.#release!();
  }
}

/**
 * The bytes of `source` as an async iterable of Uint8Array chunks, for
 * `for await`. A blob is read from the FILE's position to its end; a stream
 * or the console until end of stream. Read failures are thrown from the
 * iteration.
 *
 * @example
 * ```ts
 * for await (const chunk of chunks({ sys, ref })) total += chunk.length;
 * ```
 */
export function chunks(source: ByteSource, options: ChunkOptions = {}): AsyncIterableIterator<Uint8Array> {
  return new ChunkIterator(source, options);
}
