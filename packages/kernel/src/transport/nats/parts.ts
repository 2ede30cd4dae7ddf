/**
 * Frames larger than one NATS message (the server's max_payload) travel in
 * parts, each with a header `ID INDEX COUNT TOTAL`, and are put back together
 * at the receiver. NATS delivers one publisher's messages on a subject in
 * order, but the receiver still checks every part, and bounds what it holds:
 * a sender that never finishes cannot make it keep memory for long.
 * @module
 */

/** Header naming a message as one part of a larger frame. */
export const PART_HEADER = 'Dios-Part';

/** Most bytes of unfinished frames held at once (a frame over this is dropped). */
export const MAX_ASSEMBLING_BYTES = 512 * 1024 * 1024;
/** An unfinished frame is dropped when no part of it arrived for this long. */
export const ASSEMBLY_TIMEOUT_MS = 30_000;

/** Cuts `frame` into parts of at most `size` bytes (views, no copies). */
export function splitFrame(frame: Uint8Array, size: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < frame.length; at += size) parts.push(frame.subarray(at, Math.min(frame.length, at + size)));
  return parts;
}

interface Assembly {
  readonly id: string;
  readonly buffer: Uint8Array;
  readonly count: number;
  next: number;
  filled: number;
  touched: number;
}

/** Frames being assembled, by the key the receiver files them under (a reply subject). */
export class Reassembly {
  readonly #open = new Map<string, Assembly>();
  #held = 0;

  /**
   * Adds one part (`header` as sent); returns the whole frame when this was
   * its last part, else undefined. A malformed or out-of-order part drops
   * the frame it belongs to.
   */
  add(key: string, header: string, data: Uint8Array, now: number): Uint8Array | undefined {
    const fields = header.split(' ');
    const [id, indexText, countText, totalText] = fields;
    const index = Number(indexText);
    const count = Number(countText);
    const total = Number(totalText);
    if (fields.length !== 4 || id === undefined || !Number.isSafeInteger(index) || !Number.isSafeInteger(count) || !Number.isSafeInteger(total) || count < 2 || index < 0 || index >= count || total < 1) {
      this.#drop(key);
      return undefined;
    }
    let a = this.#open.get(key);
    if (index === 0) {
      this.#drop(key);
      if (total > MAX_ASSEMBLING_BYTES - this.#held) return undefined;
      a = { id, buffer: new Uint8Array(total), count, next: 0, filled: 0, touched: now };
      this.#open.set(key, a);
      this.#held += total;
    }
    if (a === undefined || a.id !== id || a.count !== count || a.buffer.length !== total || index !== a.next || a.filled + data.length > total) {
      this.#drop(key);
      return undefined;
    }
    a.buffer.set(data, a.filled);
    a.filled += data.length;
    a.next++;
    a.touched = now;
    if (a.next < count) return undefined;
    this.#drop(key);
    return a.filled === total ? a.buffer : undefined;
  }

  /** Drops frames whose parts stopped coming. */
  expire(now: number): void {
    for (const [key, a] of this.#open) if (now - a.touched > ASSEMBLY_TIMEOUT_MS) this.#drop(key);
  }

  /** Bytes held for unfinished frames. */
  get held(): number {
    return this.#held;
  }

  #drop(key: string): void {
    const a = this.#open.get(key);
    if (a === undefined) return;
    this.#open.delete(key);
    this.#held -= a.buffer.length;
  }
}
