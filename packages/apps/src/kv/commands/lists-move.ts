/**
 * List commands that pop into another list or from one of several: LMOVE,
 * RPOPLPUSH, LMPOP; and the moves and multi-key pops their blocking forms
 * (lists-blocking.ts) share.
 * @module
 */
import { isWord, latin1, parseInteger } from '../core/bytes.js';
import { ListValue } from '../core/list.js';
import { SYNTAX_ERROR, type CommandContext } from './context.js';
import { afterPop, atLeastArg, endArg, listAt, popMany, replyElements, type End } from './lists-common.js';

/**
 * Moves one element from `from` of `src` (the non-empty list at srcKey) to
 * `to` of the list at dstKey, replying the element; false after the
 * WRONGTYPE reply when dstKey holds another type (nothing moves then).
 * Logs `logAs` (LMOVE's or RPOPLPUSH's arguments).
 */
export function moveElement(
  ctx: CommandContext,
  src: ListValue,
  srcKey: Uint8Array,
  dstKey: Uint8Array,
  from: End,
  to: End,
  logAs: readonly (Uint8Array | string)[],
): boolean {
  const dstName = latin1(dstKey);
  let dst = listAt(ctx, dstName);
  if (dst === null) return false;
  const v = (from === 'left' ? src.popHead() : src.popTail())!;
  if (dst === undefined) {
    dst = new ListValue();
    ctx.keys.set(dstName, dst);
  }
  if (to === 'left') dst.pushHead(v);
  else dst.pushTail(v);
  ctx.notify('l', to === 'left' ? 'lpush' : 'rpush', dstName);
  ctx.out.bulk(v);
  afterPop(ctx, latin1(srcKey), src, from);
  ctx.log(logAs);
  return true;
}

function move(
  args: Uint8Array[],
  ctx: CommandContext,
  from: End,
  to: End,
  logAs: readonly (Uint8Array | string)[],
): void {
  const src = listAt(ctx, latin1(args[1]!));
  if (src === null) return;
  if (src === undefined || src.length === 0) return ctx.out.bulk(null);
  moveElement(ctx, src, args[1]!, args[2]!, from, to, logAs);
}

/** LMOVE source destination LEFT|RIGHT LEFT|RIGHT. */
export function lmove(args: Uint8Array[], ctx: CommandContext): void {
  const from = endArg(ctx, args[3]!);
  if (from === undefined) return;
  const to = endArg(ctx, args[4]!);
  if (to === undefined) return;
  move(args, ctx, from, to, args);
}

/** RPOPLPUSH source destination. */
export function rpoplpush(args: Uint8Array[], ctx: CommandContext): void {
  move(args, ctx, 'right', 'left', args);
}

/** LMPOP's and BLMPOP's parsed arguments. */
export interface MpopArgs {
  /** The keys, in order. */
  readonly keys: Uint8Array[];
  /** Which end to pop. */
  readonly end: End;
  /** At most this many elements (1 without COUNT). */
  readonly count: number;
}

/** Parses `numkeys key... LEFT|RIGHT [COUNT n]` from args[at]; undefined after Redis' error. */
export function parseMpop(args: Uint8Array[], ctx: CommandContext, at: number): MpopArgs | undefined {
  const numkeys = atLeastArg(ctx, args[at]!, 1, 'ERR numkeys should be greater than 0');
  if (numkeys === undefined) return undefined;
  const whereAt = at + numkeys + 1;
  if (whereAt >= args.length) {
    ctx.out.error(SYNTAX_ERROR);
    return undefined;
  }
  const end = endArg(ctx, args[whereAt]!);
  if (end === undefined) return undefined;
  let count = -1;
  for (let j = whereAt + 1; j < args.length; j++) {
    if (count === -1 && j + 1 < args.length && isWord(args[j]!, 'COUNT')) {
      const n = atLeastArg(ctx, args[++j]!, 1, 'ERR count should be greater than 0');
      if (n === undefined) return undefined;
      count = n;
    } else {
      ctx.out.error(SYNTAX_ERROR);
      return undefined;
    }
  }
  return { keys: args.slice(at + 1, whereAt), end, count: count === -1 ? 1 : count };
}

/** The key positions of LMPOP (numkeys at 1) or BLMPOP (at 2). */
export function lmpopKeys(args: Uint8Array[], at: number): number[] {
  const n = args[at] === undefined ? undefined : parseInteger(args[at]);
  if (n === undefined || n < 1n) return [];
  const out: number[] = [];
  for (let i = at + 1; i <= at + Number(n) && i < args.length; i++) out.push(i);
  return out;
}

/**
 * Pops up to `count` elements from the first non-empty list of `keys`,
 * replying [key, [elements]] and logging an LPOP/RPOP with the count.
 * 'served', 'none' (nothing written), or 'error' after WRONGTYPE (only
 * when `strict`; otherwise keys of other types are passed over).
 */
export function popFirst(
  ctx: CommandContext,
  keys: readonly Uint8Array[],
  end: End,
  count: number,
  strict: boolean,
): 'served' | 'none' | 'error' {
  for (const keyBytes of keys) {
    const key = latin1(keyBytes);
    const v = ctx.keys.get(key)?.value;
    if (v === undefined) continue;
    if (!(v instanceof ListValue)) {
      if (!strict) continue;
      listAt(ctx, key);
      return 'error';
    }
    if (v.length === 0) continue;
    const taken = popMany(v, end, count);
    ctx.out.arrayHeader(2);
    ctx.out.bulk(keyBytes);
    replyElements(ctx, taken);
    afterPop(ctx, key, v, end);
    ctx.log([end === 'left' ? 'LPOP' : 'RPOP', keyBytes, String(taken.length)]);
    return 'served';
  }
  return 'none';
}

/** LMPOP numkeys key... LEFT|RIGHT [COUNT count]. */
export function lmpop(args: Uint8Array[], ctx: CommandContext): void {
  const p = parseMpop(args, ctx, 1);
  if (p === undefined) return;
  if (popFirst(ctx, p.keys, p.end, p.count, true) === 'none') ctx.out.nullArray();
}
