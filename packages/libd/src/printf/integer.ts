/**
 * The integer conversions `%d %i %u %o %x %X`: wrap-around to the C type the
 * length modifier names, then precision, sign, `#` prefix and padding as glibc writes them.
 * @module
 */
import { padNumber } from './pad.js';
import type { LengthModifier, ResolvedSpec } from './spec.js';

/**
 * Width in bits of the C type an integer conversion reads on LP64 Linux:
 * `hh` char, `h` short, none int, `l ll L j z t` 64 bits (glibc takes `L` on integers as `ll`).
 */
export function integerBits(length: LengthModifier | undefined): number {
  switch (length) {
    case 'hh':
      return 8;
    case 'h':
      return 16;
    case undefined:
      return 32;
    default:
      return 64;
  }
}

const BASES = { d: 10, i: 10, u: 10, o: 8, x: 16, X: 16 } as const;

/** Converts `value` for an integer conversion (`spec.conversion` one of `d i u o x X`). */
export function formatInteger(value: bigint, spec: ResolvedSpec): string {
  const conv = spec.conversion as keyof typeof BASES;
  const bits = integerBits(spec.length);
  const signed = conv === 'd' || conv === 'i';
  const n = signed ? BigInt.asIntN(bits, value) : BigInt.asUintN(bits, value);
  const negative = n < 0n;
  let digits = (negative ? -n : n).toString(BASES[conv]);
  if (conv === 'X') digits = digits.toUpperCase();
  if (spec.precision !== undefined) {
    digits = spec.precision === 0 && n === 0n ? '' : digits.padStart(spec.precision, '0');
  }
  let prefix = '';
  if (signed) prefix = negative ? '-' : spec.flags.plus ? '+' : spec.flags.space ? ' ' : '';
  if (spec.flags.alt) {
    if (conv === 'o' && !digits.startsWith('0')) digits = `0${digits}`;
    if ((conv === 'x' || conv === 'X') && n !== 0n) prefix = conv === 'x' ? '0x' : '0X';
  }
  return padNumber(prefix, digits, spec, spec.flags.zero && spec.precision === undefined);
}
