/**
 * What the sorted set commands share: finding the sorted set at a key,
 * integer arguments as Redis reads them, creating a set with the encoding
 * Redis would choose, and storing a result (the *STORE commands).
 * @module
 */
import { latin1, parseInteger } from '../core/bytes.js';
import { SortedSetValue } from '../core/sorted-set.js';
import { NOT_AN_INTEGER, WRONGTYPE, type CommandContext } from './context.js';

/** The sorted set at `key`: undefined when missing, null (after the WRONGTYPE reply) for another type. */
export function zsetAt(key: string, ctx: CommandContext): SortedSetValue | undefined | null {
  const v = ctx.keys.get(key)?.value;
  if (v === undefined || v instanceof SortedSetValue) return v;
  ctx.out.error(WRONGTYPE);
  return null;
}

/**
 * A long argument in [min, max] (Redis' getRangeLongFromObjectOrReply):
 * undefined after writing `msg` (or Redis' default message) for a bad one.
 */
export function rangeLong(
  arg: Uint8Array,
  ctx: CommandContext,
  min: number,
  max: number,
  msg?: string,
): number | undefined {
  const n = parseInteger(arg);
  if (n === undefined) {
    ctx.out.error(msg !== undefined ? `ERR ${msg}` : NOT_AN_INTEGER);
    return undefined;
  }
  const v = Number(n);
  if (v < min || v > max) {
    ctx.out.error(msg !== undefined ? `ERR ${msg}` : `ERR value is out of range, value must between ${min} and ${max}`);
    return undefined;
  }
  return v;
}

/** A long argument (any 64-bit integer, as a double: big ones lose precision, as no range needs them). */
export function longArg(arg: Uint8Array, ctx: CommandContext): number | undefined {
  const n = parseInteger(arg);
  if (n === undefined) {
    ctx.out.error(NOT_AN_INTEGER);
    return undefined;
  }
  return Number(n);
}

/** The key argument at `i` as a latin1 string. */
export function keyArg(args: Uint8Array[], i: number): string {
  return latin1(args[i]!);
}

/**
 * Turns `z` to skiplist when it passes the server's thresholds with `extra`
 * more members (`longest`: the longest member added), as Redis converts
 * before inserting.
 */
export function maybeGrow(z: SortedSetValue, ctx: CommandContext, longest: number, extra = 0): void {
  const c = ctx.server.config;
  z.grow(c.zsetMaxListpackEntries, c.zsetMaxListpackValue, longest, extra);
}

/**
 * A sorted set built from `entries` with the encoding Redis gives a
 * computed result to store (listpack when it fits the thresholds, else
 * skiplist); a result only replied (`stored` false) stays a skiplist.
 */
export function buildZset(entries: Iterable<[string, number]>, ctx: CommandContext, stored = true): SortedSetValue {
  const all = [...entries];
  const z = new SortedSetValue();
  let longest = 0;
  for (const [m] of all) if (m.length > longest) longest = m.length;
  const c = ctx.server.config;
  // Decided first, as Redis builds the result as a skiplist and converts a small one (which turns -0 into 0).
  if (!stored || all.length > c.zsetMaxListpackEntries || longest > c.zsetMaxListpackValue) z.encoding = 'skiplist';
  for (const [m, s] of all) z.put(m, s);
  return z;
}

/**
 * Stores a computed sorted set at `dst` (ZUNIONSTORE, ZRANGESTORE ...):
 * an empty result deletes `dst`. Replies with the size; logs the command
 * as sent (`args`: its replay computes the same), and notifies `event` (or
 * 'del' for a deleted key).
 */
export function storeResult(
  args: Uint8Array[],
  dst: Uint8Array,
  z: SortedSetValue,
  event: string,
  ctx: CommandContext,
): void {
  const key = latin1(dst);
  if (z.size === 0) {
    ctx.out.integer(0);
    if (ctx.keys.delete(key)) {
      ctx.log(args);
      ctx.notify('g', 'del', key);
    }
    return;
  }
  ctx.keys.set(key, z);
  ctx.log(args);
  ctx.out.integer(z.size);
  ctx.notify('z', event, key);
}

/** Writes a member and, when `withScores`, its score: RESP3 nests each pair in an array of 2. */
export function writeMember(ctx: CommandContext, member: string, score: number, withScores: boolean): void {
  if (withScores && ctx.out.protocol === 3) ctx.out.arrayHeader(2);
  ctx.out.bulkText(member);
  if (withScores) ctx.out.double(score);
}

/** The array header for `n` members (twice that with scores in RESP2, where pairs are flat). */
export function membersHeader(ctx: CommandContext, n: number, withScores: boolean): void {
  ctx.out.arrayHeader(withScores && ctx.out.protocol === 2 ? n * 2 : n);
}
