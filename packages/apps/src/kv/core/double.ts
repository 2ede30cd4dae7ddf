/**
 * Doubles as Redis 7.0 writes them in replies (ZSCORE, ZINCRBY, RESP3
 * doubles): C's `%.17g`, with `inf`, `-inf` and `nan` for the values that
 * are no number.
 * @module
 */

/** `x` formatted as C's `printf("%.17g", x)` (Redis 7.0's reply format for doubles). */
export function formatDouble(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  // %g: scientific when the exponent is below -4 or at least the precision, trailing zeros dropped.
  const [mantissa, exp] = x.toExponential(16).split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 17) {
    const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
    return `${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const fixed = x.toFixed(Math.max(0, 16 - e));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}
