/**
 * The wire format of the NATS transport: a JSON header followed by the raw
 * bytes of every Uint8Array in the message, so large payloads are neither
 * base64-encoded nor copied into a JSON string.
 *
 * ```
 * u32 (big-endian) header length | header (UTF-8 JSON) | byte array 0 | byte array 1 | ...
 * ```
 *
 * In the header each Uint8Array is replaced by `{"$bin": i}`, and the header's
 * `bin` field lists the lengths of the arrays in order. Values nest at most
 * {@link MAX_FRAME_DEPTH} levels deep.
 *
 * A frame larger than one message is made as a list of parts
 * (`encodeFrameParts`) that are views of the byte arrays where they
 * can be, and decoded from the list of parts it arrived as, so a large
 * array is copied once on each side, not once per step.
 *
 * Decoding takes anything a peer (or anyone on the server) sends: every
 * malformed frame is a {@link MalformedFrameError}, never another exception,
 * and nothing is allocated from lengths the frame announces before the
 * bytes are known to be there.
 * @module
 */

/** Thrown by {@link decodeFrame} for a message that is not a well-formed frame. */
export class MalformedFrameError extends Error {
  /** Says what is wrong with the frame. */
  constructor(detail: string) {
    super(`malformed frame: ${detail}`);
    this.name = 'MalformedFrameError';
  }
}

/** How deep values may nest in a frame (the transport's messages need fewer than ten levels). */
export const MAX_FRAME_DEPTH = 100;

const MARKER = '$bin';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Encodes a value made of JSON-compatible data and Uint8Arrays into one frame; a RangeError if it nests deeper than {@link MAX_FRAME_DEPTH}. */
export function encodeFrame(value: unknown): Uint8Array {
  return joinSegments(frameSegments(value));
}

/** Frames up to this size go as one message, their pieces copied together; larger ones in parts, without a copy. */
export const JOIN_LIMIT = 64 * 1024;

/**
 * Encodes `value` as {@link encodeFrame} does, as the messages to send: one
 * (the frame) when it is at most {@link JOIN_LIMIT} bytes; else parts of at
 * most `size` bytes, cut at the header's and each byte array's bounds, each
 * a view of the header or of a byte array of the value (no copy: the arrays
 * must not change until the parts are sent, and the receiver may decode an
 * array as a view of the part that carried it).
 */
export function encodeFrameParts(value: unknown, size: number): Uint8Array[] {
  const segments = frameSegments(value);
  const total = lengthOf(segments);
  if (total <= Math.min(size, JOIN_LIMIT)) return [joinSegments(segments)];
  const parts: Uint8Array[] = [];
  for (const segment of segments)
    for (let at = 0; at < segment.length; at += size)
      parts.push(segment.subarray(at, Math.min(segment.length, at + size)));
  // A frame of one piece (it cannot be smaller than size and one piece at once, but be sure): two parts at least.
  if (parts.length < 2) return [parts[0]!.subarray(0, 1), parts[0]!.subarray(1)];
  return parts;
}

// The frame's pieces in order: length prefix and header, then each byte array as it is.
function frameSegments(value: unknown): Uint8Array[] {
  const arrays: Uint8Array[] = [];
  const header = JSON.stringify({ body: lift(value, arrays, 0), bin: arrays.map((a) => a.length) });
  const encoded = encoder.encode(header);
  const head = new Uint8Array(4 + encoded.length);
  new DataView(head.buffer).setUint32(0, encoded.length);
  head.set(encoded, 4);
  return [head, ...arrays];
}

function lengthOf(segments: readonly Uint8Array[]): number {
  let total = 0;
  for (const s of segments) total += s.length;
  return total;
}

function joinSegments(segments: readonly Uint8Array[]): Uint8Array {
  return new Cursor(segments).take(lengthOf(segments), true);
}

/** Reads the concatenation of byte segments front to back, each byte once (so decoding stays linear in the parts). */
class Cursor {
  readonly #segments: readonly Uint8Array[];
  #i = 0;
  #at = 0;

  constructor(segments: readonly Uint8Array[]) {
    this.#segments = segments;
  }

  /** The next `n` bytes (there must be as many): a view when they lie within one segment and `copy` is false, else a new array. */
  take(n: number, copy: boolean): Uint8Array {
    this.#skipEnded();
    const first = this.#segments[this.#i];
    if (!copy && first !== undefined && this.#at + n <= first.length) {
      this.#at += n;
      return first.subarray(this.#at - n, this.#at);
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      this.#skipEnded();
      const s = this.#segments[this.#i]!;
      const piece = s.subarray(this.#at, Math.min(s.length, this.#at + n - filled));
      out.set(piece, filled);
      filled += piece.length;
      this.#at += piece.length;
    }
    return out;
  }

  #skipEnded(): void {
    while (this.#i < this.#segments.length && this.#at >= this.#segments[this.#i]!.length) {
      this.#i++;
      this.#at = 0;
    }
  }
}

/**
 * Decodes a frame made by {@link encodeFrame}, or the parts of one as
 * `encodeFrameParts` cut it (in order; their lengths need not be
 * those it made). Every Uint8Array in the result has a buffer of its own,
 * unless `views` is set: then a byte array that lies within one part is a
 * view of it (no copy), and its buffer may hold the rest of the frame.
 */
export function decodeFrame(frame: Uint8Array | readonly Uint8Array[], views = false): unknown {
  const segments = frame instanceof Uint8Array ? [frame] : Array.isArray(frame) ? (frame as unknown[]) : undefined;
  if (segments === undefined || !segments.every((s) => s instanceof Uint8Array))
    throw new MalformedFrameError('not bytes');
  const length = lengthOf(segments);
  if (length < 4) throw new MalformedFrameError('shorter than its length prefix');
  const cursor = new Cursor(segments);
  const prefix = cursor.take(4, false);
  const headLength = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength).getUint32(0);
  if (headLength > length - 4) throw new MalformedFrameError('header longer than the frame');
  let header: unknown;
  try {
    header = JSON.parse(decoder.decode(cursor.take(headLength, false)));
  } catch {
    throw new MalformedFrameError('header is not UTF-8 JSON');
  }
  if (typeof header !== 'object' || header === null || !Array.isArray((header as { bin?: unknown }).bin))
    throw new MalformedFrameError('header without byte-array lengths');
  const lengths = (header as { bin: unknown[] }).bin;
  const arrays: Uint8Array[] = [];
  let at = 4 + headLength;
  for (const n of lengths) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > length - at)
      throw new MalformedFrameError('bad byte-array length');
    // A copy unless views are asked for: the receiver owns its bytes, and the transport's receive buffers are not kept alive.
    arrays.push(cursor.take(n, !views));
    at += n;
  }
  if (at !== length) throw new MalformedFrameError('trailing bytes after the last byte array');
  return lower((header as { body?: unknown }).body, arrays, 0);
}

/** Replaces Uint8Arrays by markers, collecting them. */
function lift(value: unknown, arrays: Uint8Array[], depth: number): unknown {
  if (value instanceof Uint8Array) {
    arrays.push(value);
    return { [MARKER]: arrays.length - 1 };
  }
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_FRAME_DEPTH)
    throw new RangeError(`cannot encode a value nested deeper than ${MAX_FRAME_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((v) => lift(v, arrays, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) put(out, k, lift(v, arrays, depth + 1));
  return out;
}

/** Puts the byte arrays back in place of their markers. */
function lower(value: unknown, arrays: Uint8Array[], depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  // Checked here, not left to the stack: a frame of a few KiB of brackets would otherwise overflow it.
  if (depth >= MAX_FRAME_DEPTH) throw new MalformedFrameError(`nested deeper than ${MAX_FRAME_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((v) => lower(v, arrays, depth + 1));
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === MARKER) {
    const i = (value as Record<string, unknown>)[MARKER];
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= arrays.length)
      throw new MalformedFrameError('byte-array reference out of range');
    return arrays[i];
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) put(out, k, lower(v, arrays, depth + 1));
  return out;
}

/** Sets an own property, even one named `__proto__` (an assignment would replace the object's prototype instead). */
function put(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}
