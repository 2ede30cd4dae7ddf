/**
 * The SCAN family's arguments (SCAN, HSCAN, SSCAN, ZSCAN): the cursor and
 * the MATCH, COUNT and TYPE options, read and refused as Redis 7.0's
 * parseScanCursorOrReply and scanGenericCommand do.
 * @module
 */
import { isWord, latin1, parseInteger } from '../core/bytes.js';
import { NOT_AN_INTEGER, SYNTAX_ERROR, type CommandContext } from './context.js';

/** The options after a SCAN-family cursor. */
export interface ScanOptions {
  /** COUNT (default 10): how much work one call does, at least 1. */
  count: number;
  /** MATCH's glob pattern; undefined for none (and for `*`, which matches all). */
  pattern: string | undefined;
  /** TYPE's type name, lower case (SCAN only); undefined for none. */
  type: string | undefined;
}

const ULONG_MAX = 2n ** 64n - 1n;

/**
 * The cursor argument as C's strtoul reads it (digits, an optional sign, no
 * leading space, at most 2^64-1; a '-' wraps as in C), or undefined after
 * writing `ERR invalid cursor`.
 */
export function parseScanCursor(arg: Uint8Array, ctx: CommandContext): bigint | undefined {
  const small = parseInteger(arg);
  if (small !== undefined && small >= 0n) return small;
  const m = /^([+-]?)(\d+)$/.exec(latin1(arg.length > 40 ? arg.subarray(0, 41) : arg));
  let n = m === null ? -1n : BigInt(m[2]!);
  if (n > ULONG_MAX) n = -1n;
  if (n < 0n) {
    ctx.out.error('ERR invalid cursor');
    return undefined;
  }
  return m![1] === '-' && n !== 0n ? ULONG_MAX + 1n - n : n;
}

/**
 * The options in `args` from index `from` on (TYPE only when `withType`,
 * as for SCAN itself), or undefined after writing Redis' error: a syntax
 * error for an unknown or incomplete option and for COUNT below 1, the
 * not-an-integer error for a COUNT that is none.
 */
export function parseScanOptions(
  args: Uint8Array[],
  from: number,
  ctx: CommandContext,
  withType: boolean,
): ScanOptions | undefined {
  const options: ScanOptions = { count: 10, pattern: undefined, type: undefined };
  for (let i = from; i < args.length; i += 2) {
    const a = args[i]!;
    const hasValue = i + 1 < args.length;
    if (hasValue && isWord(a, 'COUNT')) {
      const n = parseInteger(args[i + 1]!);
      if (n === undefined) {
        ctx.out.error(NOT_AN_INTEGER);
        return undefined;
      }
      if (n < 1n) {
        ctx.out.error(SYNTAX_ERROR);
        return undefined;
      }
      // Past this, a larger count changes nothing but the time one call may take.
      options.count = n > 1_000_000_000n ? 1_000_000_000 : Number(n);
    } else if (hasValue && isWord(a, 'MATCH')) {
      const p = latin1(args[i + 1]!);
      options.pattern = p === '*' ? undefined : p;
    } else if (hasValue && withType && isWord(a, 'TYPE')) {
      options.type = latin1(args[i + 1]!).toLowerCase();
    } else {
      ctx.out.error(SYNTAX_ERROR);
      return undefined;
    }
  }
  return options;
}
