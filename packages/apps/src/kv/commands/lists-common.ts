/**
 * What the list commands share: finding a key's list (or replying
 * WRONGTYPE), reading Redis' integer arguments, LEFT/RIGHT, and the
 * bookkeeping after elements were popped (events, deleting an emptied key).
 * @module
 */
import { isWord, parseInteger } from '../core/bytes.js';
import { ListValue } from '../core/list.js';
import { NOT_AN_INTEGER, SYNTAX_ERROR, WRONGTYPE, type CommandContext } from './context.js';

/** Which end of a list: the head (LEFT) or the tail (RIGHT). */
export type End = 'left' | 'right';

/** The list at `key`: undefined when missing, null (after the WRONGTYPE reply) for another type. */
export function listAt(ctx: CommandContext, key: string): ListValue | undefined | null {
  const v = ctx.keys.get(key)?.value;
  if (v === undefined || v instanceof ListValue) return v;
  ctx.out.error(WRONGTYPE);
  return null;
}

/**
 * A signed 64-bit integer argument as a number (as Redis' getLongFromObjectOrReply);
 * undefined after replying `message` (default: not an integer) for a bad one.
 */
export function longArg(ctx: CommandContext, arg: Uint8Array, message = NOT_AN_INTEGER): number | undefined {
  const n = parseInteger(arg);
  if (n === undefined) {
    ctx.out.error(message);
    return undefined;
  }
  return Number(n);
}

/** An integer argument in [min, +inf) (as getRangeLongFromObjectOrReply with a message); undefined after the error. */
export function atLeastArg(ctx: CommandContext, arg: Uint8Array, min: number, message: string): number | undefined {
  const n = parseInteger(arg);
  if (n === undefined || n < BigInt(min)) {
    ctx.out.error(message);
    return undefined;
  }
  return Number(n);
}

/** LEFT or RIGHT (any case); undefined after Redis' syntax error for anything else. */
export function endArg(ctx: CommandContext, arg: Uint8Array): End | undefined {
  if (isWord(arg, 'LEFT')) return 'left';
  if (isWord(arg, 'RIGHT')) return 'right';
  ctx.out.error(SYNTAX_ERROR);
  return undefined;
}

/** Whether two byte strings are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Removes and returns up to `count` elements from `end` of `list`, in pop order. */
export function popMany(list: ListValue, end: End, count: number): Uint8Array[] {
  const n = Math.min(count, list.length);
  const out = new Array<Uint8Array>(n);
  for (let i = 0; i < n; i++) out[i] = (end === 'left' ? list.popHead() : list.popTail())!;
  return out;
}

/** After a pop from `end` of the list at `key`: the lpop/rpop event, and the key's removal (with `del`) when emptied. */
export function afterPop(ctx: CommandContext, key: string, list: ListValue, end: End): void {
  ctx.notify('l', end === 'left' ? 'lpop' : 'rpop', key);
  dropIfEmpty(ctx, key, list);
}

/** Removes the key of an emptied list, with the `del` event. */
export function dropIfEmpty(ctx: CommandContext, key: string, list: ListValue): void {
  if (list.length > 0) return;
  ctx.keys.delete(key);
  ctx.notify('g', 'del', key);
}

/** Writes elements as an array reply. */
export function replyElements(ctx: CommandContext, items: readonly Uint8Array[]): void {
  ctx.out.arrayHeader(items.length);
  for (const v of items) ctx.out.bulk(v);
}
