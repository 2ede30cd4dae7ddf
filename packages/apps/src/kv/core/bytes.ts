/**
 * Keys are latin1 strings (one char per byte, so any bytes round-trip and
 * Map lookups are cheap); integers are read the way Redis' string2ll does.
 * @module
 */

/**
 * The same memory as a plain Uint8Array. A view the kernel lends may be a
 * Node Buffer, whose slice() is a view rather than a copy (what is kept would
 * then alias the lent memory) and whose subarray() is several times slower.
 */
export function plainBytes(view: Uint8Array): Uint8Array {
  return view.constructor === Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Bytes as a latin1 string (lossless: each byte is one char). */
export function latin1(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n <= 4096) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let s = '';
  for (let i = 0; i < n; i += 4096)
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[]);
  return s;
}

/** The first 128 bytes of an argument as a latin1 string, for an error message (a whole argument might not fit a string). */
export function excerpt(bytes: Uint8Array): string {
  return latin1(bytes.length > 128 ? bytes.subarray(0, 128) : bytes);
}

/** A latin1 string back into its bytes (chars above 0xff are cut to their low byte; keys never hold any). */
export function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The signed 64-bit integer the bytes spell exactly (no sign '+', no spaces, no leading zeros), or undefined. */
export function parseInteger(bytes: Uint8Array): bigint | undefined {
  const n = bytes.length;
  if (n === 0 || n > 20) return undefined;
  let i = 0;
  if (bytes[0] === 0x2d) {
    if (n === 1) return undefined;
    i = 1;
  }
  // No leading zeros: "0" alone is fine, "-0" and "01" are not.
  if (bytes[i] === 0x30 && (n > 1 || i === 1)) return undefined;
  let small = 0;
  for (let j = i; j < n; j++) {
    const d = bytes[j]! - 48;
    if (d < 0 || d > 9) return undefined;
    small = small * 10 + d;
  }
  if (n - i <= 15) return BigInt(i === 1 ? -small : small);
  const big = BigInt(latin1(bytes));
  return big < INT64_MIN || big > INT64_MAX ? undefined : big;
}

/** Whether `v` fits a signed 64-bit integer. */
export function inInt64(v: bigint): boolean {
  return v >= INT64_MIN && v <= INT64_MAX;
}

/** ASCII bytes of a string (for numbers and fixed replies). */
export function ascii(s: string): Uint8Array {
  return latin1Bytes(s);
}

/** Whether `bytes` equals the ASCII word `upper`, ignoring case (for option names such as EX, NX). */
export function isWord(bytes: Uint8Array, upper: string): boolean {
  if (bytes.length !== upper.length) return false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    const u = c >= 97 && c <= 122 ? c - 32 : c;
    if (u !== upper.charCodeAt(i)) return false;
  }
  return true;
}
