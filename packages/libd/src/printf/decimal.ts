/**
 * Exact decimal digits of a double, correctly rounded: the value's binary
 * fraction is scaled by a power of ten in bigint arithmetic and rounded half to
 * even, as glibc does in the default rounding mode. Works on magnitudes; signs are the caller's.
 * @module
 */

/** A finite non-negative double as `mantissa * 2 ** exponent`, mantissa odd (or 0). */
interface Binary {
  readonly mantissa: bigint;
  readonly exponent: number;
}

const view = new DataView(new ArrayBuffer(8));

/** Splits the magnitude of a finite double into mantissa and binary exponent. */
function decompose(x: number): Binary {
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exponent = -1074; // subnormal
  if (biased !== 0) {
    mantissa |= 1n << 52n;
    exponent = biased - 1075;
  }
  if (mantissa === 0n) return { mantissa, exponent: 0 };
  while ((mantissa & 1n) === 0n) {
    mantissa >>= 1n;
    exponent++;
  }
  return { mantissa, exponent };
}

/** Decimal places that write `b` exactly (a binary fraction of 2^-k needs k places). */
function exactPlaces(b: Binary): number {
  return b.exponent < 0 ? -b.exponent : 0;
}

/** `b * 10 ** k` as an exact fraction [numerator, denominator]. */
function scaled(b: Binary, k: number): [bigint, bigint] {
  let num = b.mantissa;
  let den = 1n;
  if (b.exponent >= 0) num <<= BigInt(b.exponent);
  else den <<= BigInt(-b.exponent);
  if (k >= 0) num *= 10n ** BigInt(k);
  else den *= 10n ** BigInt(-k);
  return [num, den];
}

/** `num / den` rounded to an integer, ties to even. */
function roundHalfEven(num: bigint, den: bigint): bigint {
  const q = num / den;
  const twice = 2n * (num - q * den);
  return twice > den || (twice === den && (q & 1n) === 1n) ? q + 1n : q;
}

/** True when `b >= 10 ** k`. */
function atLeastPowerOfTen(b: Binary, k: number): boolean {
  const [num, den] = scaled(b, -k);
  return num >= den;
}

/** The fixed-point digits of `|x|` with `places` decimals (x finite): `{ integer: '3', fraction: '1416' }`. */
export function fixedDigits(x: number, places: number): { integer: string; fraction: string } {
  const b = decompose(x);
  // Past the value's exact expansion every digit is 0: compute no further than that.
  const computed = Math.min(places, exactPlaces(b));
  const q = roundHalfEven(...scaled(b, computed)).toString();
  const zeros = '0'.repeat(places - computed);
  if (computed === 0) return { integer: q, fraction: zeros };
  const s = q.padStart(computed + 1, '0');
  return { integer: s.slice(0, -computed), fraction: s.slice(-computed) + zeros };
}

/**
 * The first `precision + 1` significant digits of `|x|` (x finite), correctly rounded,
 * and the decimal exponent of the first: 1234.5 at precision 2 gives `{ digits: '123', exponent: 3 }`.
 * `carried` tells that rounding reached the next power of ten (9.96 at precision 1: `10`, exponent 1).
 * Zero gives zeros and exponent 0.
 */
export function scientificDigits(x: number, precision: number): { digits: string; exponent: number; carried: boolean } {
  const b = decompose(x);
  if (b.mantissa === 0n) return { digits: '0'.repeat(precision + 1), exponent: 0, carried: false };
  let exponent = Math.floor(Math.log10(Math.abs(x)));
  while (!atLeastPowerOfTen(b, exponent)) exponent--;
  while (atLeastPowerOfTen(b, exponent + 1)) exponent++;
  const shift = precision - exponent; // |x| * 10^shift has precision + 1 integer digits
  const computed = Math.min(shift, exactPlaces(b));
  const digits = roundHalfEven(...scaled(b, computed)).toString() + '0'.repeat(shift - computed);
  if (digits.length > precision + 1)
    return { digits: digits.slice(0, precision + 1), exponent: exponent + 1, carried: true };
  return { digits, exponent, carried: false };
}
