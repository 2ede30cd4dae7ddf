/**
 * Taking members out of sorted sets: ZPOPMIN, ZPOPMAX, ZMPOP, their
 * blocking forms BZPOPMIN, BZPOPMAX, BZMPOP (see `CommandContext.block`),
 * and ZRANDMEMBER (Redis' t_zset.c genericZpopCommand, zrandmemberCommand).
 * @module
 */
import { isWord, latin1, parseInteger } from '../core/bytes.js';
import { SortedSetValue } from '../core/sorted-set.js';
import { parseTimeout } from './blocking.js';
import { NOT_AN_INTEGER, SYNTAX_ERROR, WRONGTYPE, type CommandContext, type CommandSpec } from './context.js';
import { keyArg, rangeLong, writeMember, zsetAt } from './zsets-common.js';

/** How a pop's reply is shaped (Redis' emitkey, use_nested_array, reply_nil_when_empty). */
interface PopShape {
  /** Pop from the high end. */
  readonly max: boolean;
  /** The key leads the reply (the blocking pops and ZMPOP). */
  readonly emitKey: boolean;
  /** Members as [member, score] pairs in a nested array. */
  readonly nested: boolean;
  /** A null array, not an empty one, when no key has members. */
  readonly nilWhenEmpty: boolean;
}

/** Pops up to `count` (-1: one, plain) from `key`'s set `z` (not empty), writing the reply, logging and notifying. */
function popFrom(key: string, z: SortedSetValue, count: number, shape: PopShape, ctx: CommandContext): void {
  const out = ctx.out;
  const n = Math.min(count === -1 ? 1 : count, z.size);
  if (!shape.nested && !shape.emitKey) out.arrayHeader(n * 2);
  else if (shape.nested && !shape.emitKey) out.arrayHeader(n);
  else if (!shape.nested) {
    out.arrayHeader(n * 2 + 1);
    out.bulkText(key);
  } else {
    out.arrayHeader(2);
    out.bulkText(key);
    out.arrayHeader(n);
  }
  for (let i = 0; i < n; i++) {
    const node = shape.max ? z.last()! : z.first()!;
    z.delete(node.member);
    if (shape.nested) out.arrayHeader(2);
    out.bulkText(node.member);
    out.double(node.score);
  }
  ctx.notify('z', shape.max ? 'zpopmax' : 'zpopmin', key);
  if (z.size === 0) {
    ctx.keys.delete(key);
    ctx.notify('g', 'del', key);
  }
  // As Redis propagates every pop: ZPOPMIN/ZPOPMAX key [count].
  ctx.log(
    count === -1 ? [shape.max ? 'ZPOPMAX' : 'ZPOPMIN', key] : [shape.max ? 'ZPOPMAX' : 'ZPOPMIN', key, String(n)],
  );
}

/** Redis' genericZpopCommand: pops from the first of `keys` that exists. */
function pop(keys: string[], count: number, shape: PopShape, ctx: CommandContext): void {
  for (const key of keys) {
    const z = zsetAt(key, ctx);
    if (z === null) return;
    if (z === undefined) continue;
    if (count === 0) return ctx.out.arrayHeader(0);
    return popFrom(key, z, count, shape, ctx);
  }
  if (shape.nilWhenEmpty) ctx.out.nullArray();
  else ctx.out.arrayHeader(0);
}

function zpop(args: Uint8Array[], ctx: CommandContext, max: boolean): void {
  if (args.length > 3) return ctx.out.error(SYNTAX_ERROR);
  let count = -1;
  if (args.length === 3) {
    const c = rangeLong(args[2]!, ctx, 0, Infinity, 'value is out of range, must be positive');
    if (c === undefined) return;
    count = c;
  }
  const shape = { max, emitKey: false, nested: ctx.out.protocol === 3 && count !== -1, nilWhenEmpty: false };
  pop([keyArg(args, 1)], count, shape, ctx);
}

// The first of `keys` holding a sorted set with members: its name and set; null after a WRONGTYPE reply; undefined for none.
function firstReady(keys: string[], ctx: CommandContext): [string, SortedSetValue] | null | undefined {
  for (const key of keys) {
    const v = ctx.keys.get(key)?.value;
    if (v === undefined) continue;
    if (!(v instanceof SortedSetValue)) {
      ctx.out.error(WRONGTYPE);
      return null;
    }
    if (v.size > 0) return [key, v];
  }
  return undefined;
}

/** Redis' blockingGenericZpopCommand: serves at once, or blocks on `keys`. */
function blockingPop(
  keys: string[],
  timeoutArg: Uint8Array,
  count: number,
  shape: PopShape,
  ctx: CommandContext,
): void {
  const deadline = parseTimeout(timeoutArg, ctx);
  if (deadline === undefined) return;
  const ready = firstReady(keys, ctx);
  if (ready === null) return;
  if (ready !== undefined) return popFrom(ready[0], ready[1], count, shape, ctx);
  ctx.block({
    keys,
    deadline,
    retry(c) {
      // A key of another type now: keep waiting, as Redis serves only sorted sets to these clients.
      for (const key of keys) {
        const v = c.keys.get(key)?.value;
        if (v instanceof SortedSetValue && v.size > 0) {
          popFrom(key, v, count, shape, c);
          return true;
        }
      }
      return false;
    },
    timedOut(c) {
      c.out.nullArray();
    },
  });
}

function bzpop(args: Uint8Array[], ctx: CommandContext, max: boolean): void {
  const keys: string[] = [];
  for (let i = 1; i < args.length - 1; i++) keys.push(latin1(args[i]!));
  blockingPop(keys, args[args.length - 1]!, -1, { max, emitKey: true, nested: false, nilWhenEmpty: false }, ctx);
}

/** ZMPOP (numkeys at 1) and BZMPOP (timeout at 1, numkeys at 2). */
function zmpop(args: Uint8Array[], ctx: CommandContext, blocking: boolean): void {
  const at = blocking ? 2 : 1;
  const numkeys = rangeLong(args[at]!, ctx, 1, Infinity, 'numkeys should be greater than 0');
  if (numkeys === undefined) return;
  const whereAt = at + numkeys + 1;
  if (whereAt >= args.length) return ctx.out.error(SYNTAX_ERROR);
  let max: boolean;
  if (isWord(args[whereAt]!, 'MIN')) max = false;
  else if (isWord(args[whereAt]!, 'MAX')) max = true;
  else return ctx.out.error(SYNTAX_ERROR);
  let count = -1;
  for (let j = whereAt + 1; j < args.length; j++) {
    if (count === -1 && isWord(args[j]!, 'COUNT') && j < args.length - 1) {
      const c = rangeLong(args[++j]!, ctx, 1, Infinity, 'count should be greater than 0');
      if (c === undefined) return;
      count = c;
    } else return ctx.out.error(SYNTAX_ERROR);
  }
  if (count === -1) count = 1;
  const keys: string[] = [];
  for (let i = at + 1; i < whereAt; i++) keys.push(latin1(args[i]!));
  const shape = { max, emitKey: true, nested: true, nilWhenEmpty: true };
  if (blocking) blockingPop(keys, args[1]!, count, shape, ctx);
  else pop(keys, count, shape, ctx);
}

const LONG_MAX = 2n ** 63n - 1n;

function zrandmember(args: Uint8Array[], ctx: CommandContext): void {
  if (args.length === 2) {
    const z = zsetAt(keyArg(args, 1), ctx);
    if (z === null) return;
    if (z === undefined) return ctx.out.bulk(null);
    return ctx.out.bulkText(z.at(Math.floor(Math.random() * z.size))!.member);
  }
  const l = parseInteger(args[2]!);
  if (l === undefined) return ctx.out.error(NOT_AN_INTEGER);
  if (l < -LONG_MAX) return ctx.out.error(`ERR value is out of range, value must between ${-LONG_MAX} and ${LONG_MAX}`);
  if (args.length > 4 || (args.length === 4 && !isWord(args[3]!, 'WITHSCORES'))) return ctx.out.error(SYNTAX_ERROR);
  const withScores = args.length === 4;
  if (withScores && (l < -LONG_MAX / 2n || l > LONG_MAX / 2n)) return ctx.out.error('ERR value is out of range');
  const z = zsetAt(keyArg(args, 1), ctx);
  if (z === null) return;
  if (z === undefined || l === 0n) return ctx.out.arrayHeader(0);
  const size = z.size;
  if (l < 0n || l === 1n) {
    // With repetitions: any count (bounded by what the reply can hold: the writer stops at its limit).
    const count = Number(l < 0n ? -l : l);
    ctx.out.arrayHeader(withScores && ctx.out.protocol === 2 ? count * 2 : count);
    for (let i = 0; i < count; i++) {
      const n = z.at(Math.floor(Math.random() * size))!;
      writeMember(ctx, n.member, n.score, withScores);
      if (ctx.out.overflowed) return;
    }
    return;
  }
  const count = l >= BigInt(size) ? size : Number(l);
  ctx.out.arrayHeader(withScores && ctx.out.protocol === 2 ? count * 2 : count);
  if (count === size) {
    // The whole set, from the highest rank down, as Redis' set iterator goes.
    for (let n = z.last(); n !== null; n = n.prev) writeMember(ctx, n.member, n.score, withScores);
    return;
  }
  // Distinct ranks: a partial Fisher-Yates shuffle over the ranks picked so far.
  const picked = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (size - i));
    const atJ = picked.get(j) ?? j;
    picked.set(j, picked.get(i) ?? i);
    const n = z.at(atJ)!;
    writeMember(ctx, n.member, n.score, withScores);
  }
}

// ZMPOP's and BZMPOP's keys: numkeys of them after the numkeys argument at `at`.
function numkeysKeys(at: number): (args: Uint8Array[]) => number[] {
  return (args) => {
    const n = Number(parseInteger(args[at] ?? new Uint8Array()) ?? 0n);
    const out: number[] = [];
    for (let i = 0; i < n && at + 1 + i < args.length; i++) out.push(at + 1 + i);
    return out;
  };
}

/** ZPOPMIN, ZPOPMAX, ZMPOP, BZPOPMIN, BZPOPMAX, BZMPOP and ZRANDMEMBER, as command table entries. */
export const ZSET_POP_COMMANDS: readonly CommandSpec[] = [
  { name: 'zpopmin', arity: -2, keys: [1, 1, 1], run: (a, c) => zpop(a, c, false) },
  { name: 'zpopmax', arity: -2, keys: [1, 1, 1], run: (a, c) => zpop(a, c, true) },
  { name: 'zmpop', arity: -4, keys: numkeysKeys(1), run: (a, c) => zmpop(a, c, false) },
  { name: 'bzpopmin', arity: -3, keys: [1, -2, 1], run: (a, c) => bzpop(a, c, false) },
  { name: 'bzpopmax', arity: -3, keys: [1, -2, 1], run: (a, c) => bzpop(a, c, true) },
  { name: 'bzmpop', arity: -5, keys: numkeysKeys(2), run: (a, c) => zmpop(a, c, true) },
  { name: 'zrandmember', arity: -2, keys: [1, 1, 1], run: zrandmember },
];
