/**
 * Shared windows of one worker task's channel: where the kernel copies the
 * bytes of a read lease on ordinary (non-shared) memory, so that the worker
 * gets them by place instead of by a structured clone over the port. Each
 * window is a SharedArrayBuffer of this task alone; one open lease holds a
 * window whole, and a window goes back to the free list only when its lease
 * ends, so two open leases never share bytes.
 * @module
 */

// Smallest window: reads of a few KiB reuse one window instead of each getting a buffer of its own.
const MIN_WINDOW = 64 * 1024;
// Windows up to this size are powers of two (a task's reads vary); larger ones whole MiB (a power would waste up to half).
const POWER_UP_TO = 4 * 1024 * 1024;
const MIB = 1024 * 1024;
// Free windows kept for later leases: a task reading with a few leases open at once reuses them all.
const MAX_FREE = 4;

/** The windows of one task's channel (see the module comment). */
export class ReadWindows {
  readonly #free: SharedArrayBuffer[] = [];
  readonly #held = new Map<number, SharedArrayBuffer>();
  // Called with a window the task will not be lent again, so that the worker may forget it too.
  readonly #forget: (buffer: SharedArrayBuffer) => void;

  /** `forget` is told of each window dropped from the free list. */
  constructor(forget: (buffer: SharedArrayBuffer) => void) {
    this.#forget = forget;
  }

  /**
   * Copies `bytes` into a window that no open lease holds, held under `token` until {@link ReadWindows.release};
   * returns the window (the bytes at its start), shared with this task's worker only.
   */
  lend(token: number, bytes: Uint8Array): SharedArrayBuffer {
    const buffer = this.#take(bytes.length);
    new Uint8Array(buffer, 0, bytes.length).set(bytes);
    this.#held.set(token, buffer);
    return buffer;
  }

  /** The lease `token` ended: its window may serve a later lease (nothing if it held none). */
  release(token: number): void {
    const buffer = this.#held.get(token);
    if (buffer === undefined) return;
    this.#held.delete(token);
    this.#free.push(buffer);
    if (this.#free.length > MAX_FREE) {
      // The smallest goes: larger ones serve any read a smaller one would.
      this.#free.sort((a, b) => a.byteLength - b.byteLength);
      this.#forget(this.#free.shift()!);
    }
  }

  /** Windows held by open leases now (for tests). */
  get held(): number {
    return this.#held.size;
  }

  /** Forgets every window (the channel closed). */
  clear(): void {
    this.#free.length = 0;
    this.#held.clear();
  }

  // The smallest free window of at least `length` bytes, or a new one (dropping a free one too small for it).
  #take(length: number): SharedArrayBuffer {
    let best = -1;
    for (let i = 0; i < this.#free.length; i++) {
      const size = this.#free[i]!.byteLength;
      if (size >= length && (best < 0 || size < this.#free[best]!.byteLength)) best = i;
    }
    if (best >= 0) return this.#free.splice(best, 1)[0]!;
    if (this.#free.length > 0) {
      // The largest free one is too small too: it would only be outgrown again.
      this.#free.sort((a, b) => a.byteLength - b.byteLength);
      this.#forget(this.#free.pop()!);
    }
    return new SharedArrayBuffer(windowSize(length));
  }
}

// The size of a new window for a read of `length` bytes.
function windowSize(length: number): number {
  if (length > POWER_UP_TO) return Math.ceil(length / MIB) * MIB;
  let size = MIN_WINDOW;
  while (size < length) size *= 2;
  return size;
}
