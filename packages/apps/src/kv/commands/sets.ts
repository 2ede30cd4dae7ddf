/**
 * Set commands: SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMOVE and SSCAN
 * here; SMEMBERS and the set algebra in sets-algebra.ts, SPOP and
 * SRANDMEMBER in sets-random.ts. Replies as Redis 7.0's t_set.c; an
 * emptied set is deleted.
 * @module
 */
import { latin1 } from '../core/bytes.js';
import { SetValue } from '../core/set.js';
import { WRONGTYPE, type CommandContext, type CommandSpec } from './context.js';
import { setAt } from './sets-common.js';
import { SET_ALGEBRA_COMMANDS } from './sets-algebra.js';
import { SET_RANDOM_COMMANDS } from './sets-random.js';
import { scanCollection } from './sets-scan.js';

function sadd(args: Uint8Array[], ctx: CommandContext): void {
  const key = latin1(args[1]!);
  let set = setAt(key, ctx);
  if (set === null) return;
  const max = ctx.server.config.setMaxIntsetEntries;
  const fresh = set === undefined;
  set ??= new SetValue();
  let added = 0;
  for (let i = 2; i < args.length; i++) if (set.add(latin1(args[i]!), max)) added++;
  if (fresh) ctx.keys.set(key, set);
  if (added > 0) {
    ctx.log(args);
    ctx.notify('s', 'sadd', key);
  }
  ctx.out.integer(added);
}

function srem(args: Uint8Array[], ctx: CommandContext): void {
  const key = latin1(args[1]!);
  const set = setAt(key, ctx);
  if (set === null) return;
  let removed = 0;
  if (set !== undefined)
    for (let i = 2; i < args.length && set.size > 0; i++) if (set.delete(latin1(args[i]!))) removed++;
  if (removed > 0) {
    ctx.log(args);
    ctx.notify('s', 'srem', key);
    if (set!.size === 0) {
      ctx.keys.delete(key);
      ctx.notify('g', 'del', key);
    }
  }
  ctx.out.integer(removed);
}

function scard(args: Uint8Array[], ctx: CommandContext): void {
  const set = setAt(latin1(args[1]!), ctx);
  if (set !== null) ctx.out.integer(set?.size ?? 0);
}

function sismember(args: Uint8Array[], ctx: CommandContext): void {
  const set = setAt(latin1(args[1]!), ctx);
  if (set !== null) ctx.out.integer(set?.has(latin1(args[2]!)) === true ? 1 : 0);
}

function smismember(args: Uint8Array[], ctx: CommandContext): void {
  const set = setAt(latin1(args[1]!), ctx);
  if (set === null) return;
  ctx.out.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) ctx.out.integer(set?.has(latin1(args[i]!)) === true ? 1 : 0);
}

function smove(args: Uint8Array[], ctx: CommandContext): void {
  const srcKey = latin1(args[1]!);
  const dstKey = latin1(args[2]!);
  const src = ctx.keys.get(srcKey)?.value;
  const dst = ctx.keys.get(dstKey)?.value;
  if (src === undefined) return ctx.out.integer(0);
  if (!(src instanceof SetValue) || (dst !== undefined && !(dst instanceof SetValue))) return ctx.out.error(WRONGTYPE);
  const member = latin1(args[3]!);
  if (src === dst) return ctx.out.integer(src.has(member) ? 1 : 0);
  if (!src.delete(member)) return ctx.out.integer(0);
  ctx.notify('s', 'srem', srcKey);
  if (src.size === 0) {
    ctx.keys.delete(srcKey);
    ctx.notify('g', 'del', srcKey);
  }
  let target = dst;
  if (target === undefined) ctx.keys.set(dstKey, (target = new SetValue()));
  if (target.add(member, ctx.server.config.setMaxIntsetEntries)) {
    ctx.log(args);
    ctx.notify('s', 'sadd', dstKey);
  } else {
    // Only the source changed (the destination had the member): a WATCH on the destination must not fail.
    ctx.log(['SREM', args[1]!, args[3]!]);
  }
  ctx.out.integer(1);
}

/** The set commands, as entries of the command table. */
export const SET_COMMANDS: readonly CommandSpec[] = [
  { name: 'sadd', arity: -3, keys: [1, 1, 1], run: sadd },
  { name: 'srem', arity: -3, keys: [1, 1, 1], run: srem },
  { name: 'scard', arity: 2, keys: [1, 1, 1], run: scard },
  { name: 'sismember', arity: 3, keys: [1, 1, 1], run: sismember },
  { name: 'smismember', arity: -3, keys: [1, 1, 1], run: smismember },
  { name: 'smove', arity: 4, keys: [1, 2, 1], run: smove },
  { name: 'sscan', arity: -3, keys: [1, 1, 1], run: (a, c) => scanCollection(a, c, false) },
  ...SET_ALGEBRA_COMMANDS,
  ...SET_RANDOM_COMMANDS,
];
