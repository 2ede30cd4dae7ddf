/**
 * The floating-point conversions `%f %F %e %E %g %G` as glibc writes them:
 * exact digits, `#` keeping the point and trailing zeros, inf/nan padded with spaces.
 * @module
 */
import { fixedDigits, scientificDigits } from './decimal.js';
import { padNumber, padText } from './pad.js';
import type { ResolvedSpec } from './spec.js';

/** `d.ddd` from significant digits, with the point when there are decimals or `#` asks for it. */
function joinPoint(integer: string, fraction: string, alt: boolean): string {
  return fraction !== '' || alt ? `${integer}.${fraction}` : integer;
}

/** The exponent part: `e+05`, `e-310`; at least two digits as C requires. */
function exponentText(exponent: number, upper: boolean): string {
  const sign = exponent < 0 ? '-' : '+';
  return `${upper ? 'E' : 'e'}${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

/** `%f`: digits of |x| with `precision` decimals. */
function fixed(x: number, precision: number, alt: boolean): string {
  const { integer, fraction } = fixedDigits(x, precision);
  return joinPoint(integer, fraction, alt);
}

/** `%e`: one digit, point, `precision` digits, exponent. */
function scientific(x: number, precision: number, alt: boolean, upper: boolean): string {
  const { digits, exponent } = scientificDigits(x, precision);
  return joinPoint(digits.slice(0, 1), digits.slice(1), alt) + exponentText(exponent, upper);
}

/**
 * `%g`: `%e` or `%f` style by the exponent after rounding to P significant digits, trailing zeros removed unless `#`.
 *
 * glibc quirk, kept for compatibility: when `#` is given and rounding carries a value
 * of P integer digits to 10^P (`%#.2g` of 99.9), ISO C asks for `1.0e+02` but glibc
 * (2.36 at least) writes `1.e+02`, with no fraction digits: it picks `%f` style from
 * the unrounded exponent and keeps that style's zero fraction digits when it switches.
 */
function general(x: number, precision: number, alt: boolean, upper: boolean): string {
  const p = precision === 0 ? 1 : precision;
  const { exponent, carried } = scientificDigits(x, p - 1);
  if (alt && carried && exponent === p) return `1.${exponentText(exponent, upper)}`;
  const useFixed = p > exponent && exponent >= -4;
  let text = useFixed ? fixed(x, p - 1 - exponent, alt) : scientific(x, p - 1, alt, upper);
  if (!alt) {
    const e = useFixed ? text.length : text.indexOf(upper ? 'E' : 'e');
    let mantissa = text.slice(0, e);
    if (mantissa.includes('.')) mantissa = mantissa.replace(/\.?0+$/, '');
    text = mantissa + text.slice(e);
  }
  return text;
}

/** Converts `x` for a floating-point conversion (`spec.conversion` one of `f F e E g G`). */
export function formatFloat(x: number, spec: ResolvedSpec): string {
  const conv = spec.conversion;
  const upper = conv === 'F' || conv === 'E' || conv === 'G';
  // JavaScript does not keep a NaN's sign reliably, so nan is never written as -nan.
  const negative = x < 0 || Object.is(x, -0);
  const sign = negative ? '-' : spec.flags.plus ? '+' : spec.flags.space ? ' ' : '';
  if (!Number.isFinite(x)) {
    const word = Number.isNaN(x) ? 'nan' : 'inf';
    return padText(sign + (upper ? word.toUpperCase() : word), spec);
  }
  const precision = spec.precision ?? 6;
  const alt = spec.flags.alt;
  let body: string;
  if (conv === 'f' || conv === 'F') body = fixed(x, precision, alt);
  else if (conv === 'e' || conv === 'E') body = scientific(x, precision, alt, upper);
  else body = general(x, precision, alt, upper);
  return padNumber(sign, body, spec, spec.flags.zero);
}
