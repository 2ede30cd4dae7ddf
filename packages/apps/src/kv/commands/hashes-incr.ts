/**
 * HINCRBY and HINCRBYFLOAT, as Redis 7.0's t_hash.c. Both are logged as
 * HSET of the result, so a replay gives the same bytes.
 * @module
 */
import { ascii, inInt64, latin1, parseInteger } from '../core/bytes.js';
import { HashValue } from '../core/hash.js';
import { addLongDouble, formatLongDouble, parseLongDouble } from '../core/long-double.js';
import { NOT_AN_INTEGER, type CommandContext, type CommandSpec } from './context.js';
import { hashAt } from './hashes-common.js';

// Stores the new value of args[2] (creating the hash), converting as Redis' hashTypeSet does, and logs it as HSET.
function store(
  args: Uint8Array[],
  ctx: CommandContext,
  hash: HashValue | undefined,
  value: Uint8Array,
  event: string,
): void {
  const key = latin1(args[1]!);
  if (hash === undefined) ctx.keys.set(key, (hash = new HashValue()));
  const config = ctx.server.config;
  hash.grow(Infinity, config.hashMaxListpackValue, Math.max(args[2]!.length, value.length));
  hash.set(latin1(args[2]!), value);
  hash.grow(config.hashMaxListpackEntries, Infinity, 0);
  ctx.log(['HSET', args[1]!, args[2]!, value]);
  ctx.notify('h', event, key);
}

function hincrby(args: Uint8Array[], ctx: CommandContext): void {
  const by = parseInteger(args[3]!);
  if (by === undefined) return ctx.out.error(NOT_AN_INTEGER);
  const hash = hashAt(latin1(args[1]!), ctx);
  if (hash === null) return;
  const old = hash?.fields.get(latin1(args[2]!));
  const value = old === undefined ? 0n : parseInteger(old);
  if (value === undefined) return ctx.out.error('ERR hash value is not an integer');
  const next = value + by;
  if (!inInt64(next)) return ctx.out.error('ERR increment or decrement would overflow');
  store(args, ctx, hash, ascii(String(next)), 'hincrby');
  ctx.out.integer(next);
}

function hincrbyfloat(args: Uint8Array[], ctx: CommandContext): void {
  const by = parseLongDouble(latin1(args[3]!));
  if (by === undefined) return ctx.out.error('ERR value is not a valid float');
  if (by.infinite) return ctx.out.error('ERR value is NaN or Infinity');
  const hash = hashAt(latin1(args[1]!), ctx);
  if (hash === null) return;
  const old = hash?.fields.get(latin1(args[2]!));
  const value = old === undefined ? by : parseLongDouble(latin1(old));
  if (value === undefined) return ctx.out.error('ERR hash value is not a float');
  const next = old === undefined ? by : addLongDouble(value, by);
  if (next === undefined || next.infinite) return ctx.out.error('ERR increment would produce NaN or Infinity');
  const bytes = ascii(formatLongDouble(next));
  store(args, ctx, hash, bytes, 'hincrbyfloat');
  ctx.out.bulk(bytes);
}

/** HINCRBY and HINCRBYFLOAT. */
export const HASH_INCR_COMMANDS: readonly CommandSpec[] = [
  { name: 'hincrby', arity: 4, keys: [1, 1, 1], run: hincrby },
  { name: 'hincrbyfloat', arity: 4, keys: [1, 1, 1], run: hincrbyfloat },
];
