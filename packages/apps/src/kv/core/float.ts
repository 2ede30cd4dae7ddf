/**
 * INCRBYFLOAT's arithmetic as Redis 7.0 does it on x86-64: strtold into an
 * 80-bit long double (64-bit mantissa), the sum rounded to one, printed
 * with `%.17Lf` and trailing zeros cut (util.c ld2string, LD_STR_HUMAN).
 * Emulated exactly with BigInt so replies match byte for byte (a double
 * sum would print 10.5 + 0.1 as 10.59999999999999964, Redis as 10.6).
 * @module
 */

/** A finite long double, `(-1)^neg * m * 2^e` (m below 2^64), or infinity. */
export interface LongDouble {
  /** Negative (also for -0). */
  readonly neg: boolean;
  /** The mantissa: 0, or from 2^63 to 2^64-1. */
  readonly m: bigint;
  /** The binary exponent of the mantissa's last bit. */
  readonly e: number;
  /** Infinite (m and e then mean nothing). */
  readonly inf: boolean;
}

// Most chars string2ld reads (MAX_LONG_DOUBLE_CHARS); longer is no float.
const MAX_CHARS = 5 * 1024;
// Exponent range of a normal 80-bit long double with the mantissa as an integer (2^-16382 .. 2^16384).
const MIN_E = -16382 - 63;
const MAX_E = 16384 - 64;
const TWO63 = 1n << 63n;
const TWO64 = 1n << 64n;
const DECIMAL = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$/;

// C99 hexadecimal floats, which strtold reads too: 0x1.8p3 is 12.
const HEX = /^([+-]?)0[xX](?=\.?[0-9a-fA-F])([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;

function parseHex(h: RegExpExecArray): LongDouble | undefined {
  const neg = h[1] === '-';
  const frac = h[3] ?? '';
  const m = BigInt(`0x${h[2]}${frac}`);
  if (m === 0n) return { neg, m: 0n, e: 0, inf: false };
  const exp = BigInt(h[4] ?? '0') - BigInt(4 * frac.length);
  if (exp > 20000n || exp < -40000n) return undefined;
  const x = Number(exp);
  return x >= 0 ? round(neg, m << BigInt(x), 1n) : round(neg, m, 1n << BigInt(-x));
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

// p/q rounded half-even.
function divRound(p: bigint, q: bigint): bigint {
  const d = p / q;
  const r2 = (p - d * q) * 2n;
  return r2 > q || (r2 === q && (d & 1n) === 1n) ? d + 1n : d;
}

// The rational p/q (p >= 0, q > 0) rounded to a long double; undefined past its range.
function round(neg: boolean, p: bigint, q: bigint): LongDouble | undefined {
  if (p === 0n) return { neg, m: 0n, e: 0, inf: false };
  let e = bitLength(p) - bitLength(q) - 64;
  for (;;) {
    const num = e >= 0 ? p : p << BigInt(-e);
    const den = e >= 0 ? q << BigInt(e) : q;
    const whole = num / den;
    if (whole >= TWO64) e++;
    else if (whole < TWO63) e--;
    else {
      let m = divRound(num, den);
      if (m === TWO64) {
        m = TWO63;
        e++;
      }
      // Out of range: strtold's ERANGE (huge or zero), or the sum's infinity.
      return e > MAX_E || e < MIN_E ? undefined : { neg, m, e, inf: false };
    }
  }
}

/** The long double strtold reads from all of `s` (as Redis' string2ld), or undefined for none (NaN, bad syntax, out of range). */
export function parseLongDouble(s: string): LongDouble | undefined {
  if (s.length === 0 || s.length >= MAX_CHARS) return undefined;
  const inf = /^([+-]?)inf(inity)?$/i.exec(s);
  if (inf !== null) return { neg: inf[1] === '-', m: 0n, e: 0, inf: true };
  const hex = HEX.exec(s);
  if (hex !== null) return parseHex(hex);
  const d = DECIMAL.exec(s);
  if (d === null) return undefined;
  const neg = d[1] === '-';
  const digits = (d[2] ?? '') + (d[3] ?? d[4] ?? '');
  const fraction = (d[3] ?? d[4] ?? '').length;
  const mantissa = BigInt(digits);
  if (mantissa === 0n) return { neg, m: 0n, e: 0, inf: false };
  const exp = BigInt(d[5] ?? '0') - BigInt(fraction);
  // Beyond these, the value is certainly past the range (mantissa has under 5,120 digits).
  if (exp > 5000n || exp < -12000n) return undefined;
  const x = Number(exp);
  return x >= 0 ? round(neg, mantissa * 10n ** BigInt(x), 1n) : round(neg, mantissa, 10n ** BigInt(-x));
}

/** `a + b` rounded to a long double; undefined when it is infinite (or NaN). */
export function addLongDoubles(a: LongDouble, b: LongDouble): LongDouble | undefined {
  if (a.inf || b.inf) return undefined;
  const e = Math.min(a.e, b.e);
  const sa = (a.neg ? -a.m : a.m) << BigInt(a.e - e);
  const sb = (b.neg ? -b.m : b.m) << BigInt(b.e - e);
  const s = sa + sb;
  // An exact zero sum is +0 in round-to-nearest, unless both were -0.
  const neg = s < 0n || (s === 0n && a.neg && b.neg);
  const abs = s < 0n ? -s : s;
  return e >= 0 ? round(neg, abs << BigInt(e), 1n) : round(neg, abs, 1n << BigInt(-e));
}

/** `x` as Redis' INCRBYFLOAT writes it: `%.17Lf`, trailing zeros and point cut, "-0" as "0". */
export function formatLongDouble(x: LongDouble): string {
  if (x.inf) return x.neg ? '-inf' : 'inf';
  const scaled = x.m * 10n ** 17n;
  const n = x.e >= 0 ? scaled << BigInt(x.e) : divRound(scaled, 1n << BigInt(-x.e));
  const digits = n.toString().padStart(18, '0');
  let s = `${x.neg ? '-' : ''}${digits.slice(0, -17)}.${digits.slice(-17)}`;
  s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}
