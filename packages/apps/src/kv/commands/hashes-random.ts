/**
 * HRANDFIELD, with and without a count and WITHVALUES, as Redis 7.0's
 * t_hash.c (a negative count may repeat fields; in RESP3 each field comes
 * with its value as a pair).
 * @module
 */
import { isWord, latin1 } from '../core/bytes.js';
import type { HashValue } from '../core/hash.js';
import { SYNTAX_ERROR, type CommandContext, type CommandSpec } from './context.js';
import { hashAt } from './hashes-common.js';
import { rangeLong } from './sets-common.js';

const LONG_MAX = 2n ** 63n - 1n;

function replyField(hash: HashValue, field: string, withValues: boolean, ctx: CommandContext): void {
  if (withValues && ctx.out.protocol === 3) ctx.out.arrayHeader(2);
  ctx.out.bulkText(field);
  if (withValues) ctx.out.bulk(hash.fields.get(field)!);
}

function hrandfield(args: Uint8Array[], ctx: CommandContext): void {
  if (args.length === 2) {
    const hash = hashAt(latin1(args[1]!), ctx);
    if (hash === null) return;
    return hash === undefined ? ctx.out.bulk(null) : ctx.out.bulkText(hash.random());
  }
  const l = rangeLong(args[2]!, -LONG_MAX, LONG_MAX, undefined, undefined, ctx);
  if (l === undefined) return;
  if (args.length > 4 || (args.length === 4 && !isWord(args[3]!, 'WITHVALUES'))) return ctx.out.error(SYNTAX_ERROR);
  const withValues = args.length === 4;
  if (withValues && (l < -LONG_MAX / 2n || l > LONG_MAX / 2n)) return ctx.out.error('ERR value is out of range');
  const hash = hashAt(latin1(args[1]!), ctx);
  if (hash === null) return;
  if (hash === undefined || l === 0n) return ctx.out.arrayHeader(0);
  const pairs = withValues && ctx.out.protocol === 2 ? 2 : 1;
  if (l < 0n || l === 1n) {
    // Repeats allowed: each pick uniform on its own. A count too large to answer is cut by the output limit.
    const n = l < 0n ? -l : l;
    const count = n > 2n ** 52n ? 2 ** 52 : Number(n);
    ctx.out.arrayHeader(count * pairs);
    for (let i = 0; i < count && !ctx.out.overflowed; i++) replyField(hash, hash.random(), withValues, ctx);
    return;
  }
  const fields = l >= BigInt(hash.size) ? [...hash.fields.keys()] : hash.sample(Number(l));
  ctx.out.arrayHeader(fields.length * pairs);
  for (const f of fields) replyField(hash, f, withValues, ctx);
}

/** HRANDFIELD. */
export const HASH_RANDOM_COMMANDS: readonly CommandSpec[] = [
  { name: 'hrandfield', arity: -2, keys: [1, 1, 1], run: hrandfield },
];
