/**
 * SPOP and SRANDMEMBER, with and without a count, as Redis 7.0's t_set.c
 * (a negative SRANDMEMBER count may repeat members). SPOP logs the members
 * it removed as SREM (or the whole set as DEL), so a replay never draws again.
 * @module
 */
import { latin1 } from '../core/bytes.js';
import { SetValue } from '../core/set.js';
import { SYNTAX_ERROR, type CommandContext, type CommandSpec } from './context.js';
import { rangeLong, setAt } from './sets-common.js';

const LONG_MAX = 2n ** 63n - 1n;

function spop(args: Uint8Array[], ctx: CommandContext): void {
  if (args.length > 3) return ctx.out.error(SYNTAX_ERROR);
  let count: number | undefined;
  if (args.length === 3) {
    const msg = 'ERR value is out of range, must be positive';
    const n = rangeLong(args[2]!, 0n, LONG_MAX, msg, msg, ctx);
    if (n === undefined) return;
    count = n > 2n ** 52n ? 2 ** 52 : Number(n);
  }
  const key = latin1(args[1]!);
  const set = setAt(key, ctx);
  if (set === null) return;
  if (set === undefined) return count === undefined ? ctx.out.bulk(null) : ctx.out.setHeader(0);
  if (count === 0) return ctx.out.setHeader(0);
  ctx.notify('s', 'spop', key);
  if (count !== undefined && count >= set.size) {
    // The whole set: logged as DEL, as Redis propagates it.
    const all = set.list();
    ctx.out.setHeader(all.length);
    for (const m of all) ctx.out.bulkText(m);
    ctx.keys.delete(key);
    ctx.notify('g', 'del', key);
    ctx.log(['DEL', args[1]!]);
    return;
  }
  let taken: readonly string[];
  const remaining = set.size - (count ?? 1);
  if (count !== undefined && remaining * 5 <= count) {
    // Most of the set goes: as Redis, the few that stay make a new set (whose encoding is decided afresh).
    const kept = new SetValue();
    const max = ctx.server.config.setMaxIntsetEntries;
    for (const m of set.sample(remaining)) kept.add(m, max);
    taken = set.list().filter((m) => !kept.has(m));
    ctx.keys.set(key, kept, ctx.keys.get(key)!.expiresAt);
  } else {
    taken = count === undefined ? [set.random()] : set.sample(count);
    for (const m of taken) set.delete(m);
  }
  ctx.log(['SREM', args[1]!, ...taken]);
  if (count === undefined) ctx.out.bulkText(taken[0]!);
  else {
    ctx.out.setHeader(taken.length);
    for (const m of taken) ctx.out.bulkText(m);
  }
  if (count === undefined && set.size === 0) {
    ctx.keys.delete(key);
    ctx.notify('g', 'del', key);
  }
}

function srandmember(args: Uint8Array[], ctx: CommandContext): void {
  if (args.length > 3) return ctx.out.error(SYNTAX_ERROR);
  if (args.length === 2) {
    const set = setAt(latin1(args[1]!), ctx);
    if (set === null) return;
    if (set === undefined) return ctx.out.bulk(null);
    return ctx.out.bulkText(set.random());
  }
  const l = rangeLong(args[2]!, -LONG_MAX, LONG_MAX, undefined, undefined, ctx);
  if (l === undefined) return;
  const set = setAt(latin1(args[1]!), ctx);
  if (set === null) return;
  if (set === undefined || l === 0n) return ctx.out.arrayHeader(0);
  if (l < 0n || l === 1n) {
    // Repeats allowed: each pick uniform on its own. A count too large to answer is cut by the output limit.
    const n = l < 0n ? -l : l;
    const count = n > 2n ** 52n ? 2 ** 52 : Number(n);
    ctx.out.arrayHeader(count);
    for (let i = 0; i < count && !ctx.out.overflowed; i++) ctx.out.bulkText(set.random());
    return;
  }
  const members = l >= BigInt(set.size) ? set.list() : set.sample(Number(l));
  ctx.out.arrayHeader(members.length);
  for (const m of members) ctx.out.bulkText(m);
}

/** SPOP and SRANDMEMBER. */
export const SET_RANDOM_COMMANDS: readonly CommandSpec[] = [
  { name: 'spop', arity: -2, keys: [1, 1, 1], run: spop },
  { name: 'srandmember', arity: -2, keys: [1, 1, 1], run: srandmember },
];
