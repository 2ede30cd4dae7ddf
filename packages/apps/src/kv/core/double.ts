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
  // Fast paths, where JavaScript's shortest form is the exact value %.17g prints: integers below 2^53, and
  // multiples of 1/1024 from 0.001 to 1e6 (their exact decimals have at most 16 digits on a 1e-10 grid).
  const a = Math.abs(x);
  if (Number.isInteger(x) ? a < 2 ** 53 : Number.isInteger(x * 1024) && a < 1e6 && a >= 1e-3) return String(x);
  const negative = x < 0;
  const [digits, e] = significant17(negative ? -x : x);
  let body: string;
  // %g: scientific when the exponent is below -4 or at least the precision; trailing zeros dropped.
  if (e < -4 || e >= 17) {
    const frac = digits.slice(1).replace(/0+$/, '');
    body = `${digits[0]}${frac === '' ? '' : '.' + frac}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  } else if (e >= 0) {
    const frac = digits.slice(e + 1).replace(/0+$/, '');
    body = digits.slice(0, e + 1) + (frac === '' ? '' : '.' + frac);
  } else body = '0.' + '0'.repeat(-e - 1) + digits.replace(/0+$/, '');
  return negative ? '-' + body : body;
}

/**
 * The 17 significant digits of positive `x` rounded as C rounds (to nearest,
 * ties to even) and the decimal exponent of the first. JavaScript's
 * toExponential rounds ties up, so an exact tie is settled on the exact
 * decimal value.
 */
function significant17(x: number): [string, number] {
  // 18 digits end in 5 whenever the exact value is a tie at 17 (the converse is what the exact path checks).
  const wide = x.toExponential(17);
  if (wide[18] !== '5') return split(x.toExponential(16));
  const [exact, point] = exactDecimal(x);
  const first = exact.search(/[1-9]/);
  const d = exact.slice(first);
  let e = point - first - 1;
  if (d.length <= 17) return [d.padEnd(17, '0'), e];
  const rest = d.slice(17);
  let head = BigInt(d.slice(0, 17));
  const up = rest[0]! > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || head % 2n === 1n));
  if (up) head++;
  let s = head.toString();
  if (s.length > 17) {
    s = s.slice(0, 17);
    e++;
  }
  return [s, e];
}

// "d.dddde±x" into its digits and exponent.
function split(exp: string): [string, number] {
  const at = exp.indexOf('e');
  return [exp[0]! + exp.slice(2, at), Number(exp.slice(at + 1))];
}

// The exact decimal value of positive finite `x`: its digits and where the decimal point goes (digits before it).
function exactDecimal(x: number): [string, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  if (biased !== 0) mantissa |= 1n << 52n;
  const exp = (biased === 0 ? 1 : biased) - 1075;
  if (exp >= 0) {
    const s = (mantissa << BigInt(exp)).toString();
    return [s, s.length];
  }
  // m / 2^k = m * 5^k / 10^k.
  const s = (mantissa * 5n ** BigInt(-exp)).toString();
  return [s, s.length + exp];
}
