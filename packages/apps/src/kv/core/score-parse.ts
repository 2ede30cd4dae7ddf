/**
 * Reading sorted set scores and ranges from arguments the way Redis 7.0
 * does: C's strtod (inf, hex, exponents), the strict form ZADD uses, score
 * ranges with '(' for exclusive ends, lex ranges with '[', '(', '-', '+'.
 * @module
 */
import { latin1 } from './bytes.js';
import type { LexRange, ScoreRange } from './sorted-set.js';

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const HEX = /^[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?/;
const SPECIAL = /^([+-]?)(?:(infinity|inf)|(nan)(?:\([0-9A-Za-z_]*\))?)/i;

/** C's strtod on `s`: the value and how many chars it read (0: no number). */
export function strtod(s: string): [number, number] {
  let i = 0;
  while (i < s.length && ' \t\n\v\f\r'.includes(s[i]!)) i++;
  const rest = i === 0 ? s : s.slice(i);
  const sp = SPECIAL.exec(rest);
  if (sp !== null) {
    const neg = sp[1] === '-';
    const v = sp[2] !== undefined ? (neg ? -Infinity : Infinity) : NaN;
    return [v, i + sp[0].length];
  }
  const hx = HEX.exec(rest);
  if (hx !== null) return [hexValue(hx[0]), i + hx[0].length];
  const d = DECIMAL.exec(rest);
  if (d !== null) return [Number(d[0]), i + d[0].length];
  return [0, 0];
}

function hexValue(t: string): number {
  const neg = t.startsWith('-');
  const body = t.replace(/^[+-]?0[xX]/, '');
  const [mant, exp] = body.split(/[pP]/) as [string, string | undefined];
  const [whole, frac = ''] = mant.split('.') as [string, string | undefined];
  let v = 0;
  for (const c of whole + frac) v = v * 16 + parseInt(c, 16);
  v *= Math.pow(2, (exp === undefined ? 0 : Number(exp)) - 4 * frac.length);
  return neg ? -v : v;
}

/**
 * A score argument as ZADD/ZINCRBY read it (Redis' getDoubleFromObject): the
 * whole argument a number, no leading space, not NaN, no overflow; undefined otherwise.
 */
export function parseScore(arg: Uint8Array): number | undefined {
  const s = latin1(arg);
  if (s.length === 0 || ' \t\n\v\f\r'.includes(s[0]!)) return undefined;
  const [v, n] = strtod(s);
  if (n !== s.length || Number.isNaN(v)) return undefined;
  // strtod's ERANGE: an overflow to infinity not spelled as one, or an underflow to zero.
  if (!Number.isFinite(v) && !/inf/i.test(s)) return undefined;
  if (v === 0 && /[1-9]/.test(s.replace(/[eEpP].*$/, ''))) return undefined;
  return v;
}

// One end of a score range ('(' for exclusive); undefined if invalid.
function scoreBound(arg: Uint8Array): [number, boolean] | undefined {
  const s = latin1(arg);
  const ex = s.startsWith('(');
  const t = ex ? s.slice(1) : s;
  const [v, n] = strtod(t);
  if (n !== t.length || Number.isNaN(v)) return undefined;
  return [v, ex];
}

/** A score range (ZRANGEBYSCORE's min and max), or undefined (Redis: "min or max is not a float"). */
export function parseScoreRange(min: Uint8Array, max: Uint8Array): ScoreRange | undefined {
  const a = scoreBound(min);
  const b = scoreBound(max);
  if (a === undefined || b === undefined) return undefined;
  return { min: a[0], minex: a[1], max: b[0], maxex: b[1] };
}

// One end of a lex range; undefined if invalid.
function lexBound(arg: Uint8Array): [string | number, boolean] | undefined {
  const c = arg[0];
  if (c === 0x2b) return arg.length === 1 ? [Infinity, true] : undefined;
  if (c === 0x2d) return arg.length === 1 ? [-Infinity, true] : undefined;
  if (c === 0x28) return [latin1(arg.subarray(1)), true];
  if (c === 0x5b) return [latin1(arg.subarray(1)), false];
  return undefined;
}

/** A lex range (ZRANGEBYLEX's min and max), or undefined (Redis: "min or max not valid string range item"). */
export function parseLexRange(min: Uint8Array, max: Uint8Array): LexRange | undefined {
  const a = lexBound(min);
  const b = lexBound(max);
  if (a === undefined || b === undefined) return undefined;
  return { min: a[0], minex: a[1], max: b[0], maxex: b[1] };
}

/** Whether no score can be in `r` (Redis' zslIsInRange's first test). */
export function emptyScoreRange(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}
