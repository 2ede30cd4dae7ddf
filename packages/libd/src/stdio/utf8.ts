/**
 * UTF-8 sequence boundaries, as the WHATWG decoder (TextDecoder) draws them:
 * a character is a valid sequence, and each maximal invalid part becomes one
 * U+FFFD. fgets uses this to stop between characters, never inside one.
 * @module
 */

/** The number of bytes a sequence starting with `lead` has when valid: 1 to 4 (1 for an invalid lead byte, which stands alone). */
export function sequenceLength(lead: number): number {
  if (lead < 0xc2) return 1; // ASCII, or a continuation or overlong lead byte (invalid alone)
  if (lead < 0xe0) return 2;
  if (lead < 0xf0) return 3;
  if (lead < 0xf5) return 4;
  return 1;
}

/** Whether `byte` may follow `lead` at position `index` (1 to 3) of a sequence. */
export function continues(lead: number, index: number, byte: number): boolean {
  let low = 0x80;
  let high = 0xbf;
  if (index === 1) {
    // The second byte excludes overlong forms, surrogates and code points past U+10FFFF.
    if (lead === 0xe0) low = 0xa0;
    else if (lead === 0xed) high = 0x9f;
    else if (lead === 0xf0) low = 0x90;
    else if (lead === 0xf4) high = 0x8f;
  }
  return byte >= low && byte <= high;
}

/** How many UTF-16 code units the `n` bytes of a sequence led by `lead` decode to: 2 for a whole 4-byte sequence, else 1. */
export function codeUnits(lead: number, n: number): number {
  return n === 4 && sequenceLength(lead) === 4 ? 2 : 1;
}
