/**
 * A connection's write buffers, lent again once the socket has sent them.
 * The socket keeps a committed buffer until its bytes are written out, so
 * the connection cannot lend it again at end_write; it does once the
 * socket's write callback says the bytes are gone. A kept buffer goes back
 * only to the reference that filled it: it still holds that reference's
 * own earlier bytes (it is not zeroed again, which is the point), and no
 * other reference ever sees them. A request for more bytes than the kept
 * buffer holds gets a fresh zeroed one. Only one buffer, of at most
 * {@link MAX_KEPT_BYTES}, is kept, so an idle connection holds little.
 * @module
 */
import type { Reference } from '../../core/objects/reference.js';

/** Largest buffer kept for reuse (a larger write gets a fresh buffer each time). */
export const MAX_KEPT_BYTES = 512 * 1024;

/** A lent buffer: `view` is what the writer fills, `whole` the buffer to give back. */
export interface LentBuffer {
  /** The first `length` bytes of `whole`. */
  readonly view: Uint8Array;
  /** The buffer as allocated. */
  readonly whole: Uint8Array;
}

/** See the module comment. */
export class WriteBuffers {
  #kept: Uint8Array | undefined;
  #keptFor: Reference | undefined;
  #made = 0;

  /** Buffers allocated so far (each lend that could not reuse the kept one). */
  get made(): number {
    return this.#made;
  }

  /** A buffer of `length` bytes for a write through `ref`: the kept one when it is `ref`'s and large enough. */
  take(ref: Reference, length: number): LentBuffer {
    const kept = this.#kept;
    if (kept !== undefined && this.#keptFor === ref && kept.length >= length) {
      this.#kept = undefined;
      this.#keptFor = undefined;
      return { view: length === kept.length ? kept : kept.subarray(0, length), whole: kept };
    }
    this.#made++;
    const whole = new Uint8Array(length);
    return { view: whole, whole };
  }

  /** `whole`, which `ref` filled, is free again (the socket sent it, or the write was dropped). */
  give(ref: Reference, whole: Uint8Array): void {
    if (whole.length > MAX_KEPT_BYTES || whole.length === 0) return;
    // The larger of the two is kept: a connection sending a large file keeps its chunk buffer.
    if (this.#kept !== undefined && this.#keptFor === ref && this.#kept.length > whole.length) return;
    this.#kept = whole;
    this.#keptFor = ref;
  }

  /** Forgets the kept buffer (the connection is closed). */
  clear(): void {
    this.#kept = undefined;
    this.#keptFor = undefined;
  }
}
