/**
 * The counters: INCR, DECR, INCRBY, DECRBY and INCRBYFLOAT (whose sums are
 * Redis' long double ones, see core/long-double.ts).
 * @module
 */
import { ascii, inInt64, latin1, parseInteger } from '../core/bytes.js';
import { addLongDouble, formatLongDouble, parseLongDouble } from '../core/long-double.js';
import { NOT_AN_INTEGER, WRONGTYPE, type CommandContext, type CommandSpec } from './context.js';

const NOT_A_FLOAT = 'ERR value is not a valid float';

function incrBy(args: Uint8Array[], ctx: CommandContext, by: bigint): void {
  const keyBytes = args[1]!;
  const key = latin1(keyBytes);
  const e = ctx.keys.get(key);
  if (e !== undefined && !(e.value instanceof Uint8Array)) return ctx.out.error(WRONGTYPE);
  const old = e === undefined ? 0n : parseInteger(e.value as Uint8Array);
  if (old === undefined) return ctx.out.error(NOT_AN_INTEGER);
  const next = old + by;
  if (!inInt64(next)) return ctx.out.error('ERR increment or decrement would overflow');
  const value = ascii(String(next));
  const expiresAt = e?.expiresAt ?? 0;
  ctx.keys.set(key, value, expiresAt);
  // As given, as Redis propagates it: replayed on the same state, it gives the same value.
  ctx.log(args);
  ctx.notify('$', 'incrby', key);
  ctx.out.integer(next);
}

function byArgument(args: Uint8Array[], ctx: CommandContext, sign: 1n | -1n): void {
  const by = parseInteger(args[2]!);
  if (by === undefined) return ctx.out.error(NOT_AN_INTEGER);
  if (sign === -1n && by === -(2n ** 63n)) return ctx.out.error('ERR decrement would overflow');
  incrBy(args, ctx, by * sign);
}

function incrByFloat(args: Uint8Array[], ctx: CommandContext): void {
  const keyBytes = args[1]!;
  const key = latin1(keyBytes);
  const e = ctx.keys.get(key);
  if (e !== undefined && !(e.value instanceof Uint8Array)) return ctx.out.error(WRONGTYPE);
  const old = e === undefined ? parseLongDouble('0') : parseLongDouble(latin1(e.value as Uint8Array));
  const by = parseLongDouble(latin1(args[2]!));
  if (old === undefined || by === undefined) return ctx.out.error(NOT_A_FLOAT);
  const sum = addLongDouble(old, by);
  if (sum === undefined || sum.infinite) return ctx.out.error('ERR increment would produce NaN or Infinity');
  const value = ascii(formatLongDouble(sum));
  const expiresAt = e?.expiresAt ?? 0;
  ctx.keys.set(key, value, expiresAt);
  // As Redis propagates it: the result, since a float sum may differ elsewhere.
  ctx.log(['SET', keyBytes, value, 'KEEPTTL']);
  ctx.notify('$', 'incrbyfloat', key);
  ctx.out.bulk(value);
}

/** INCR, DECR, INCRBY, DECRBY and INCRBYFLOAT. */
export const NUMBER_COMMANDS: readonly CommandSpec[] = [
  { name: 'incr', arity: 2, keys: [1, 1, 1], run: (a, c) => incrBy(a, c, 1n) },
  { name: 'decr', arity: 2, keys: [1, 1, 1], run: (a, c) => incrBy(a, c, -1n) },
  { name: 'incrby', arity: 3, keys: [1, 1, 1], run: (a, c) => byArgument(a, c, 1n) },
  { name: 'decrby', arity: 3, keys: [1, 1, 1], run: (a, c) => byArgument(a, c, -1n) },
  { name: 'incrbyfloat', arity: 3, keys: [1, 1, 1], run: incrByFloat },
];
