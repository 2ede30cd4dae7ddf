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
  const arrays: Uint8Array[] = [];
  const header = JSON.stringify({ body: lift(value, arrays, 0), bin: arrays.map((a) => a.length) });
  const head = encoder.encode(header);
  let total = 4 + head.length;
  for (const a of arrays) total += a.length;
  const frame = new Uint8Array(total);
  new DataView(frame.buffer).setUint32(0, head.length);
  frame.set(head, 4);
  let at = 4 + head.length;
  for (const a of arrays) {
    frame.set(a, at);
    at += a.length;
  }
  return frame;
}

/** Decodes a frame made by {@link encodeFrame}; every Uint8Array in the result has a buffer of its own. */
export function decodeFrame(frame: Uint8Array): unknown {
  if (!(frame instanceof Uint8Array) || frame.length < 4)
    throw new MalformedFrameError('shorter than its length prefix');
  const headLength = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
  if (headLength > frame.length - 4) throw new MalformedFrameError('header longer than the frame');
  let header: unknown;
  try {
    header = JSON.parse(decoder.decode(frame.subarray(4, 4 + headLength)));
  } catch {
    throw new MalformedFrameError('header is not UTF-8 JSON');
  }
  if (typeof header !== 'object' || header === null || !Array.isArray((header as { bin?: unknown }).bin))
    throw new MalformedFrameError('header without byte-array lengths');
  const lengths = (header as { bin: unknown[] }).bin;
  const arrays: Uint8Array[] = [];
  let at = 4 + headLength;
  for (const n of lengths) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > frame.length - at)
      throw new MalformedFrameError('bad byte-array length');
    // slice, not subarray: the receiver owns its bytes, and the transport's receive buffer is not kept alive.
    arrays.push(frame.slice(at, at + n));
    at += n;
  }
  if (at !== frame.length) throw new MalformedFrameError('trailing bytes after the last byte array');
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
