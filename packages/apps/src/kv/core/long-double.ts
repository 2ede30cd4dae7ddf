/**
 * INCRBYFLOAT's and HINCRBYFLOAT's arithmetic as Redis 7.0 does it on x86-64: numbers are C
 * `long double`s (64-bit mantissa), read by strtold and written by
 * `%.17Lf` with the trailing zeros cut (ld2string's LD_STR_HUMAN). Emulated
 * exactly with BigInt: a finite value is m * 2^e with m below 2^64.
 * @module
 */

/** A long double: ±m * 2^e (m < 2^64, 0 for zero), or an infinity. */
export interface LongDouble {
  /** Sign. */
  readonly negative: boolean;
  /** Mantissa (at most 64 bits). */
  readonly m: bigint;
  /** Binary exponent. */
  readonly e: number;
  /** Whether it is ±infinity (m and e then mean nothing). */
  readonly infinite: boolean;
}

const BITS = 64;
// The exponent range of x87's extended format: 2^16384 overflows; 2^-16445 is the least subnormal.
const MAX_EXP = 16384;
const MIN_EXP = -16445;
// Redis' MAX_LONG_DOUBLE_CHARS: longer strings are refused.
const MAX_CHARS = 5 * 1024;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

// ±(num / den) * 2^e rounded to BITS bits (fewer below the normal range, as subnormals), to nearest, ties to
// even; undefined when it underflows to zero.
function round(negative: boolean, num: bigint, den: bigint, e: number): LongDouble | undefined {
  if (num === 0n) return { negative, m: 0n, e: 0, infinite: false };
  // The shift that gives the quotient BITS bits (or one more, then one less is taken).
  let shift = BITS - (bitLength(num) - bitLength(den));
  if (quotient(num, den, shift) >= 1n << BigInt(BITS)) shift--;
  else if (quotient(num, den, shift) < 1n << BigInt(BITS - 1)) shift++;
  // Below the normal range the unit stays 2^MIN_EXP: fewer bits.
  if (e - shift < MIN_EXP) shift = e - MIN_EXP;
  const n = shift >= 0 ? num << BigInt(shift) : num;
  const d = shift >= 0 ? den : den << BigInt(-shift);
  let q = n / d;
  const r = n - q * d;
  if (2n * r > d || (2n * r === d && (q & 1n) === 1n)) q++;
  let exp = e - shift;
  if (q === 1n << BigInt(BITS)) {
    q >>= 1n;
    exp++;
  }
  if (q === 0n) return undefined;
  if (exp + BITS > MAX_EXP) return { negative, m: 0n, e: 0, infinite: true };
  return { negative, m: q, e: exp, infinite: false };
}

function quotient(num: bigint, den: bigint, shift: number): bigint {
  return shift >= 0 ? (num << BigInt(shift)) / den : num / (den << BigInt(-shift));
}

const NUMBER = /^([+-]?)(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?$/;
const INFINITY = /^([+-]?)(?:inf|infinity)$/i;
const HEX = /^([+-]?)0x(?:([0-9a-f]+)\.?([0-9a-f]*)|\.([0-9a-f]+))(?:p([+-]?\d+))?$/i;

/**
 * The long double a string spells, as Redis' string2ld reads it (strtold
 * over the whole string, no leading space, no NaN, no overflow or
 * underflow); undefined when it is none.
 */
export function parseLongDouble(s: string): LongDouble | undefined {
  if (s.length === 0 || s.length >= MAX_CHARS) return undefined;
  const inf = INFINITY.exec(s);
  if (inf !== null) return { negative: inf[1] === '-', m: 0n, e: 0, infinite: true };
  const hex = HEX.exec(s);
  if (hex !== null) return parseHex(hex);
  const m = NUMBER.exec(s);
  if (m === null) return undefined;
  const negative = m[1] === '-';
  const intPart = m[2] ?? '';
  const frac = m[2] !== undefined ? m[3]! : m[4]!;
  const digits = (intPart + frac).replace(/^0+/, '');
  if (digits === '') return { negative, m: 0n, e: 0, infinite: false };
  const exp10 = Number(m[5] ?? '0') - frac.length;
  // Far out of range either way (the digits' count bounds the magnitude): strtold's ERANGE.
  const magnitude = exp10 + digits.length;
  if (magnitude > 4933) return undefined;
  if (magnitude < -4952) return undefined;
  const n = BigInt(digits);
  const r =
    exp10 >= 0 ? round(negative, n * 10n ** BigInt(exp10), 1n, 0) : round(negative, n, 10n ** BigInt(-exp10), 0);
  return r === undefined || r.infinite ? undefined : r;
}

// C99's hexadecimal floats (0x1.8p3), which strtold reads too.
function parseHex(m: RegExpExecArray): LongDouble | undefined {
  const negative = m[1] === '-';
  const frac = m[2] !== undefined ? m[3]! : m[4]!;
  const digits = ((m[2] ?? '') + frac).replace(/^0+/, '');
  if (digits === '') return { negative, m: 0n, e: 0, infinite: false };
  const exp2 = Number(m[5] ?? '0') - 4 * frac.length;
  // Far out of range either way: strtold's ERANGE.
  const magnitude = exp2 + 4 * digits.length;
  if (magnitude > MAX_EXP + 4 || magnitude < MIN_EXP - 4) return undefined;
  const r = round(negative, BigInt(`0x${digits}`), 1n, exp2);
  return r === undefined || r.infinite ? undefined : r;
}

/** a + b, rounded to a long double (an infinity when it overflows; ∞ + -∞ is NaN: undefined). */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | undefined {
  if (a.infinite || b.infinite) {
    if (a.infinite && b.infinite && a.negative !== b.negative) return undefined;
    return a.infinite ? a : b;
  }
  if (a.m === 0n) return b.m === 0n ? { ...b, negative: a.negative && b.negative } : b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const x = (a.negative ? -a.m : a.m) << BigInt(a.e - e);
  const y = (b.negative ? -b.m : b.m) << BigInt(b.e - e);
  const sum = x + y;
  if (sum === 0n) return { negative: false, m: 0n, e: 0, infinite: false };
  // Underflow is impossible here: the sum is a multiple of the smaller operand's unit.
  return round(sum < 0n, sum < 0n ? -sum : sum, 1n, e);
}

/** `x` as Redis' ld2string(LD_STR_HUMAN) writes it: `%.17Lf`, trailing zeros and point cut, `-0` as `0`. */
export function formatLongDouble(x: LongDouble): string {
  if (x.infinite) return x.negative ? '-inf' : 'inf';
  const scale = 10n ** 17n;
  let scaled: bigint;
  if (x.e >= 0) scaled = (x.m << BigInt(x.e)) * scale;
  else {
    const den = 1n << BigInt(-x.e);
    const num = x.m * scale;
    scaled = num / den;
    const r = num - scaled * den;
    if (2n * r > den || (2n * r === den && (scaled & 1n) === 1n)) scaled++;
  }
  const int = scaled / scale;
  const frac = (scaled % scale).toString().padStart(17, '0').replace(/0+$/, '');
  const body = frac === '' ? int.toString() : `${int}.${frac}`;
  return x.negative && body !== '0' ? `-${body}` : body;
}
