/**
 * Bytes queued as the chunks they arrived in and consumed from the front:
 * what the console and a TCP connection lend their readers, without copying
 * or joining chunks.
 * @module
 */

/** A FIFO of byte chunks; a read lends (part of) the first chunk. */
export class ChunkQueue {
  readonly #chunks: Uint8Array[] = [];
  #size = 0;

  /** Bytes queued. */
  get size(): number {
    return this.#size;
  }

  /** Queues `chunk` (kept, not copied). */
  push(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
  }

  /** Up to `length` bytes from the front, within the first chunk (empty when nothing is queued). */
  front(length: number): Uint8Array {
    const first = this.#chunks[0];
    return first === undefined ? new Uint8Array(0) : first.subarray(0, Math.min(length, first.length));
  }

  /** Drops the first `length` bytes, as {@link ChunkQueue.front} lent them (so within the first chunk). */
  drop(length: number): void {
    const first = this.#chunks[0]!;
    if (length === first.length) this.#chunks.shift();
    else this.#chunks[0] = first.subarray(length);
    this.#size -= length;
  }

  /** Empties the queue. */
  clear(): void {
    this.#chunks.length = 0;
    this.#size = 0;
  }
}
