/**
 * Set algebra: SMEMBERS, SINTER, SINTERCARD, SINTERSTORE, SUNION,
 * SUNIONSTORE, SDIFF and SDIFFSTORE, as Redis 7.0's t_set.c (missing keys
 * are empty sets; the first key of another type is an error; a STORE whose
 * result is empty deletes its destination).
 * @module
 */
import { isWord, latin1 } from '../core/bytes.js';
import { SetValue } from '../core/set.js';
import { SYNTAX_ERROR, WRONGTYPE, type CommandContext, type CommandSpec } from './context.js';
import { rangeLong } from './sets-common.js';

const LONG_MAX = 2n ** 63n - 1n;

// The sets at args[from..to) (undefined for missing keys), or null after the WRONGTYPE reply.
function setsAt(args: Uint8Array[], from: number, to: number, ctx: CommandContext): (SetValue | undefined)[] | null {
  const sets: (SetValue | undefined)[] = [];
  for (let i = from; i < to; i++) {
    const v = ctx.keys.get(latin1(args[i]!))?.value;
    if (v !== undefined && !(v instanceof SetValue)) {
      ctx.out.error(WRONGTYPE);
      return null;
    }
    sets.push(v);
  }
  return sets;
}

// Members of every set (none missing), walking the smallest; stops after `limit` (0: no limit).
function intersect(sets: SetValue[], limit: number): string[] {
  const sorted = [...sets].sort((a, b) => a.size - b.size);
  const first = sorted[0]!;
  const out: string[] = [];
  for (const m of first.list()) {
    let all = true;
    for (let j = 1; j < sorted.length && all; j++) if (sorted[j] !== first && !sorted[j]!.has(m)) all = false;
    if (!all) continue;
    out.push(m);
    if (limit > 0 && out.length >= limit) break;
  }
  return out;
}

// The union or the difference (first set minus the others), in the order a new set of them lists its members.
function combine(sets: (SetValue | undefined)[], union: boolean, max: number): SetValue {
  const result = new SetValue();
  if (union) {
    for (const s of sets) if (s !== undefined) for (const m of s.list()) result.add(m, max);
    return result;
  }
  const first = sets[0];
  if (first === undefined || sets.slice(1).includes(first)) return result;
  for (const m of first.list()) if (!sets.some((s, j) => j > 0 && s !== undefined && s.has(m))) result.add(m, max);
  return result;
}

function replyMembers(members: readonly string[], ctx: CommandContext): void {
  ctx.out.setHeader(members.length);
  for (const m of members) ctx.out.bulkText(m);
}

function sinter(args: Uint8Array[], ctx: CommandContext): void {
  const sets = setsAt(args, 1, args.length, ctx);
  if (sets === null) return;
  if (sets.includes(undefined)) return ctx.out.setHeader(0);
  replyMembers(intersect(sets as SetValue[], 0), ctx);
}

function sintercard(args: Uint8Array[], ctx: CommandContext): void {
  const msg = 'ERR numkeys should be greater than 0';
  const n = rangeLong(args[1]!, 1n, LONG_MAX, msg, msg, ctx);
  if (n === undefined) return;
  if (n > BigInt(args.length - 2)) return ctx.out.error("ERR Number of keys can't be greater than number of args");
  const numkeys = Number(n);
  let limit = 0;
  for (let j = 2 + numkeys; j < args.length; j++) {
    if (isWord(args[j]!, 'LIMIT') && j + 1 < args.length) {
      const lmsg = "ERR LIMIT can't be negative";
      const l = rangeLong(args[++j]!, 0n, LONG_MAX, lmsg, lmsg, ctx);
      if (l === undefined) return;
      limit = l > 2n ** 52n ? 2 ** 52 : Number(l);
    } else return ctx.out.error(SYNTAX_ERROR);
  }
  const sets = setsAt(args, 2, 2 + numkeys, ctx);
  if (sets === null) return;
  if (sets.includes(undefined)) return ctx.out.integer(0);
  ctx.out.integer(intersect(sets as SetValue[], limit).length);
}

// Stores `result` at args[1] (deleting it when empty). Logged as DEL and SADD of the result, which name the
// destination alone: WATCHers of the source keys must not see them as changed.
function store(args: Uint8Array[], ctx: CommandContext, result: SetValue, event: string): void {
  const key = latin1(args[1]!);
  if (result.size > 0) {
    if (ctx.keys.get(key) !== undefined) ctx.log(['DEL', args[1]!]);
    ctx.keys.set(key, result);
    ctx.log(['SADD', args[1]!, ...result.list()]);
    ctx.notify('s', event, key);
    return ctx.out.integer(result.size);
  }
  if (ctx.keys.delete(key)) {
    ctx.log(['DEL', args[1]!]);
    ctx.notify('g', 'del', key);
  }
  ctx.out.integer(0);
}

function sinterstore(args: Uint8Array[], ctx: CommandContext): void {
  const sets = setsAt(args, 2, args.length, ctx);
  if (sets === null) return;
  const result = new SetValue();
  if (!sets.includes(undefined)) {
    const max = ctx.server.config.setMaxIntsetEntries;
    for (const m of intersect(sets as SetValue[], 0)) result.add(m, max);
  }
  store(args, ctx, result, 'sinterstore');
}

function unionDiff(args: Uint8Array[], ctx: CommandContext, union: boolean, dst: boolean): void {
  const sets = setsAt(args, dst ? 2 : 1, args.length, ctx);
  if (sets === null) return;
  const result = combine(sets, union, ctx.server.config.setMaxIntsetEntries);
  if (dst) store(args, ctx, result, union ? 'sunionstore' : 'sdiffstore');
  else replyMembers(result.list(), ctx);
}

/** SMEMBERS, SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF and SDIFFSTORE. */
export const SET_ALGEBRA_COMMANDS: readonly CommandSpec[] = [
  { name: 'smembers', arity: 2, keys: [1, 1, 1], run: sinter },
  { name: 'sinter', arity: -2, keys: [1, -1, 1], run: sinter },
  {
    name: 'sintercard',
    arity: -3,
    keys: (args) => {
      const n = Number(latin1(args[1]!));
      return Number.isSafeInteger(n) && n > 0 ? Array.from({ length: n }, (_, i) => i + 2) : [];
    },
    run: sintercard,
  },
  { name: 'sinterstore', arity: -3, keys: [1, -1, 1], run: sinterstore },
  { name: 'sunion', arity: -2, keys: [1, -1, 1], run: (a, c) => unionDiff(a, c, true, false) },
  { name: 'sunionstore', arity: -3, keys: [1, -1, 1], run: (a, c) => unionDiff(a, c, true, true) },
  { name: 'sdiff', arity: -2, keys: [1, -1, 1], run: (a, c) => unionDiff(a, c, false, false) },
  { name: 'sdiffstore', arity: -3, keys: [1, -1, 1], run: (a, c) => unionDiff(a, c, false, true) },
];
