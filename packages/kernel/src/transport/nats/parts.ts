/**
 * Frames larger than one NATS message (the server's max_payload) travel in
 * parts, each with a header `ID INDEX COUNT TOTAL`, and are put back together
 * at the receiver. NATS delivers one publisher's messages on a subject in
 * order, and a node publishes all parts of a frame before the next frame, so
 * an honest sender has about one frame open at a receiver at a time. The
 * receiver still checks every part and bounds what it holds:
 *
 * - memory is taken as parts arrive, never reserved from the announcement,
 *   so a 10-byte part announcing 512 MiB holds 10 bytes; each part is kept
 *   as it came (a view, charged the whole receive buffer behind it) when
 *   that buffer is at most twice the part and the budgets allow, else as a
 *   copy, and the frame is handed on as its list of parts, so it is not
 *   copied together here (the decoder copies each byte array out once);
 * - each sender (the node id its subject names) has a budget of bytes and of
 *   open frames, and all senders together a global one; a part that would
 *   take its sender or the node over a budget drops that sender's frame only;
 * - a frame whose parts stop coming is dropped after a timeout.
 * @module
 */

/** Header naming a message as one part of a larger frame. */
export const PART_HEADER = 'Dios-Part';

/** Default most bytes of unfinished frames held at once, all senders together. */
export const MAX_ASSEMBLING_BYTES = 512 * 1024 * 1024;
/** Default most bytes of unfinished frames held for one sender; also the largest frame accepted in parts. */
export const MAX_ASSEMBLING_BYTES_PER_SENDER = 128 * 1024 * 1024;
/** Default most unfinished frames held for one sender (an honest one has one open at a time). */
export const MAX_ASSEMBLING_FRAMES_PER_SENDER = 8;
/** Default most unfinished frames held at once, all senders together. */
export const MAX_ASSEMBLING_FRAMES = 1024;
/** Default time after which an unfinished frame none of whose parts arrived is dropped. */
export const ASSEMBLY_TIMEOUT_MS = 30_000;

/** Bounds of a {@link Reassembly}; each defaults to the constant of the same meaning. */
export interface ReassemblyLimits {
  /** Most bytes held for unfinished frames, all senders together ({@link MAX_ASSEMBLING_BYTES}). */
  bytes: number;
  /** Most bytes held for one sender's unfinished frames ({@link MAX_ASSEMBLING_BYTES_PER_SENDER}). */
  bytesPerSender: number;
  /** Most unfinished frames, all senders together ({@link MAX_ASSEMBLING_FRAMES}). */
  frames: number;
  /** Most unfinished frames of one sender ({@link MAX_ASSEMBLING_FRAMES_PER_SENDER}). */
  framesPerSender: number;
  /** An unfinished frame is dropped when no part of it arrived for this long ({@link ASSEMBLY_TIMEOUT_MS}). */
  timeoutMs: number;
}

/** Cuts `frame` into parts of at most `size` bytes (views, no copies). */
export function splitFrame(frame: Uint8Array, size: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < frame.length; at += size) parts.push(frame.subarray(at, Math.min(frame.length, at + size)));
  return parts;
}

interface Assembly {
  readonly sender: string;
  readonly id: string;
  readonly count: number;
  readonly total: number;
  readonly parts: Uint8Array[];
  // Bytes of memory the parts keep alive (charged to the sender).
  held: number;
  next: number;
  filled: number;
  touched: number;
}

interface Holding {
  bytes: number;
  frames: number;
}

// A part header's numbers: plain decimal, so that "0x10", "1e3" or " 1" are malformed rather than read as numbers.
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

/**
 * Frames being assembled, each filed under a key the receiver picks (a reply
 * subject) and charged to its sender. Never throws: a bad part is dropped
 * and counted in {@link Reassembly.dropped}.
 */
export class Reassembly {
  readonly #limits: ReassemblyLimits;
  readonly #open = new Map<string, Assembly>();
  readonly #bySender = new Map<string, Holding>();
  #held = 0;
  #dropped = 0;

  /** `limits`: bounds other than the defaults. */
  constructor(limits: Partial<ReassemblyLimits> = {}) {
    this.#limits = {
      bytes: limits.bytes ?? MAX_ASSEMBLING_BYTES,
      bytesPerSender: limits.bytesPerSender ?? MAX_ASSEMBLING_BYTES_PER_SENDER,
      frames: limits.frames ?? MAX_ASSEMBLING_FRAMES,
      framesPerSender: limits.framesPerSender ?? MAX_ASSEMBLING_FRAMES_PER_SENDER,
      timeoutMs: limits.timeoutMs ?? ASSEMBLY_TIMEOUT_MS,
    };
  }

  /**
   * Adds one part from `sender` (`header` as sent); returns the whole frame,
   * as its parts in order, when this was its last part, else undefined. A
   * malformed or out-of-order part, or one that would take its sender or the
   * node over a budget, drops the frame it belongs to. The parts returned
   * may be views of the `data` given (which must not change afterwards).
   */
  add(sender: string, key: string, header: string, data: Uint8Array, now: number): Uint8Array[] | undefined {
    const fields = typeof header === 'string' ? header.split(' ') : [];
    const [id, indexText, countText, totalText] = fields;
    if (
      fields.length !== 4 ||
      id === undefined ||
      id === '' ||
      !DECIMAL.test(indexText!) ||
      !DECIMAL.test(countText!) ||
      !DECIMAL.test(totalText!) ||
      !(data instanceof Uint8Array)
    ) {
      return this.#refuse(key);
    }
    const index = Number(indexText);
    const count = Number(countText);
    const total = Number(totalText);
    // Every part carries at least one byte, so a frame has at most `total` parts.
    if (count < 2 || index >= count || count > total || data.length === 0) return this.#refuse(key);
    let a = this.#open.get(key);
    if (index === 0) {
      if (a !== undefined) this.#drop(key, a);
      if (total > this.#limits.bytesPerSender || total > this.#limits.bytes) return this.#refuse(key);
      const holding = this.#bySender.get(sender);
      if ((holding?.frames ?? 0) >= this.#limits.framesPerSender || this.#open.size >= this.#limits.frames)
        return this.#refuse(key);
      a = { sender, id, count, total, parts: [], held: 0, next: 0, filled: 0, touched: now };
      this.#open.set(key, a);
      this.#charge(sender, 0, 1);
    }
    if (a === undefined) return this.#refuse(key);
    if (
      a.sender !== sender ||
      a.id !== id ||
      a.count !== count ||
      a.total !== total ||
      index !== a.next ||
      a.filled + data.length > total
    )
      return this.#refuse(key);
    // Kept as it came when that costs little: a view keeps the client's whole receive buffer alive, so it is charged
    // that buffer, and kept only if the buffer is at most twice the part and the budgets can carry it and still the
    // rest of the frame as announced (so that keeping it never refuses a frame that copies would have let through).
    // Else a copy of its own is kept, charged its length.
    const whole = data.buffer.byteLength;
    const view = whole <= 2 * data.length && this.#fits(a.sender, whole + (total - a.filled - data.length));
    const cost = view ? whole : data.length;
    if (!this.#fits(a.sender, cost)) return this.#refuse(key);
    a.parts.push(view ? data : new Uint8Array(data));
    a.held += cost;
    this.#charge(a.sender, cost, 0);
    a.filled += data.length;
    a.next++;
    a.touched = now;
    if (a.next < count) return undefined;
    this.#release(key, a);
    if (a.filled === total) return a.parts;
    this.#dropped++;
    return undefined;
  }

  /** Drops frames whose parts stopped coming. */
  expire(now: number): void {
    for (const [key, a] of this.#open) if (now - a.touched > this.#limits.timeoutMs) this.#drop(key, a);
  }

  /** Bytes held for unfinished frames, all senders together. */
  get held(): number {
    return this.#held;
  }

  /** Bytes held for `sender`'s unfinished frames. */
  heldFor(sender: string): number {
    return this.#bySender.get(sender)?.bytes ?? 0;
  }

  /** Unfinished frames, all senders together. */
  get open(): number {
    return this.#open.size;
  }

  /** Parts refused (malformed, out of order, over a budget) plus unfinished frames given up, so far. */
  get dropped(): number {
    return this.#dropped;
  }

  // Whether `more` bytes may be held for `sender`, within its budget and the node's.
  #fits(sender: string, more: number): boolean {
    const holding = this.#bySender.get(sender);
    return (holding?.bytes ?? 0) + more <= this.#limits.bytesPerSender && this.#held + more <= this.#limits.bytes;
  }

  #charge(sender: string, bytes: number, frames: number): void {
    const holding = this.#bySender.get(sender) ?? { bytes: 0, frames: 0 };
    holding.bytes += bytes;
    holding.frames += frames;
    this.#held += bytes;
    if (holding.frames <= 0) this.#bySender.delete(sender);
    else this.#bySender.set(sender, holding);
  }

  // A part that cannot be used: the frame it belongs to (if open) goes with it.
  #refuse(key: string): undefined {
    const a = this.#open.get(key);
    if (a !== undefined) this.#release(key, a);
    this.#dropped++;
    return undefined;
  }

  #drop(key: string, a: Assembly): void {
    this.#release(key, a);
    this.#dropped++;
  }

  #release(key: string, a: Assembly): void {
    this.#open.delete(key);
    this.#charge(a.sender, -a.held, -1);
  }
}
