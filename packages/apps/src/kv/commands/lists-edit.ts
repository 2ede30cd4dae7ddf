/**
 * List commands that read or change a list in the middle: LRANGE, LTRIM,
 * LREM, LINSERT, LPOS.
 * @module
 */
import { isWord, latin1, parseInteger } from '../core/bytes.js';
import type { ListValue } from '../core/list.js';
import { SYNTAX_ERROR, type CommandContext } from './context.js';
import { dropIfEmpty, listAt, longArg, sameBytes } from './lists-common.js';

const INT64_MIN = -(2n ** 63n);

/** The inclusive range [start, stop] of a list of `len` for Redis' indexes (negative from the end), clipped; null when empty. */
function clip(len: number, start: number, stop: number): [number, number] | null {
  if (start < 0) start += len;
  if (stop < 0) stop += len;
  if (start < 0) start = 0;
  if (start > stop || start >= len) return null;
  return [start, Math.min(stop, len - 1)];
}

/** LRANGE key start stop. */
export function lrange(args: Uint8Array[], ctx: CommandContext): void {
  const a = longArg(ctx, args[2]!);
  if (a === undefined) return;
  const b = longArg(ctx, args[3]!);
  if (b === undefined) return;
  const list = listAt(ctx, latin1(args[1]!));
  if (list === null) return;
  const r = list === undefined ? null : clip(list.length, a, b);
  if (r === null) return ctx.out.arrayHeader(0);
  ctx.out.arrayHeader(r[1] - r[0] + 1);
  for (let i = r[0]; i <= r[1]; i++) ctx.out.bulk(list!.at(i)!);
}

/** LTRIM key start stop. */
export function ltrim(args: Uint8Array[], ctx: CommandContext): void {
  const a = longArg(ctx, args[2]!);
  if (a === undefined) return;
  const b = longArg(ctx, args[3]!);
  if (b === undefined) return;
  const key = latin1(args[1]!);
  const list = listAt(ctx, key);
  if (list === null) return;
  if (list === undefined) return ctx.out.simple('OK');
  const len = list.length;
  const r = clip(len, a, b);
  const [left, right] = r === null ? [len, 0] : [r[0], len - r[1] - 1];
  for (let i = 0; i < left; i++) list.popHead();
  for (let i = 0; i < right; i++) list.popTail();
  ctx.notify('l', 'ltrim', key);
  dropIfEmpty(ctx, key, list);
  if (left + right > 0) ctx.log(args);
  ctx.out.simple('OK');
}

/** LREM key count element: removes up to |count| matches (all for 0), from the tail for a negative count. */
export function lrem(args: Uint8Array[], ctx: CommandContext): void {
  const count = longArg(ctx, args[2]!);
  if (count === undefined) return;
  const key = latin1(args[1]!);
  const list = listAt(ctx, key);
  if (list === null) return;
  if (list === undefined) return ctx.out.integer(0);
  const target = args[3]!;
  const limit = count === 0 ? Infinity : Math.abs(count);
  const items = list.items;
  let removed = 0;
  if (count >= 0) {
    let w = 0;
    for (let r = 0; r < items.length; r++) {
      if (removed < limit && sameBytes(items[r]!, target)) removed++;
      else items[w++] = items[r]!;
    }
    items.length = w;
  } else {
    let w = items.length - 1;
    for (let r = items.length - 1; r >= 0; r--) {
      if (removed < limit && sameBytes(items[r]!, target)) removed++;
      else items[w--] = items[r]!;
    }
    items.splice(0, w + 1);
  }
  if (removed > 0) {
    list.replace(items);
    ctx.notify('l', 'lrem', key);
    dropIfEmpty(ctx, key, list);
    ctx.log(args);
  }
  ctx.out.integer(removed);
}

/** LINSERT key BEFORE|AFTER pivot element: the length after, -1 without the pivot, 0 without the key. */
export function linsert(args: Uint8Array[], ctx: CommandContext): void {
  const after = isWord(args[2]!, 'AFTER');
  if (!after && !isWord(args[2]!, 'BEFORE')) return ctx.out.error(SYNTAX_ERROR);
  const key = latin1(args[1]!);
  const list = listAt(ctx, key);
  if (list === null) return;
  if (list === undefined) return ctx.out.integer(0);
  const pivot = args[3]!;
  const at = indexOf(list, pivot);
  if (at < 0) return ctx.out.integer(-1);
  const value = args[4]!.slice();
  list.insertAt(after ? at + 1 : at, value);
  ctx.log(args);
  ctx.notify('l', 'linsert', key);
  ctx.out.integer(list.length);
}

function indexOf(list: ListValue, value: Uint8Array): number {
  for (let i = 0; i < list.length; i++) if (sameBytes(list.at(i)!, value)) return i;
  return -1;
}

/** LPOS key element [RANK rank] [COUNT num] [MAXLEN len]. */
export function lpos(args: Uint8Array[], ctx: CommandContext): void {
  let rank = 1;
  let count = -1; // -1: no COUNT, a single index (or null) is the reply
  let maxlen = 0;
  let rankOverflow = false;
  for (let j = 3; j < args.length; j++) {
    const opt = args[j]!;
    const more = j + 1 < args.length;
    if (more && isWord(opt, 'RANK')) {
      const r = longArg(ctx, args[++j]!);
      if (r === undefined) return;
      // C's -rank overflows for LONG_MIN: Redis then reports from the first match at the tail.
      if (parseInteger(args[j]!) === INT64_MIN) rankOverflow = true;
      if (r === 0)
        return ctx.out.error(
          "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
        );
      rank = r;
    } else if (more && isWord(opt, 'COUNT')) {
      const c = nonNegative(ctx, args[++j]!, "ERR COUNT can't be negative");
      if (c === undefined) return;
      count = c;
    } else if (more && isWord(opt, 'MAXLEN')) {
      const m = nonNegative(ctx, args[++j]!, "ERR MAXLEN can't be negative");
      if (m === undefined) return;
      maxlen = m;
    } else return ctx.out.error(SYNTAX_ERROR);
  }
  const list = listAt(ctx, latin1(args[1]!));
  if (list === null) return;
  if (list === undefined) return count !== -1 ? ctx.out.arrayHeader(0) : ctx.out.bulk(null);
  const fromTail = rank < 0;
  const skip = rankOverflow ? 0 : Math.abs(rank) - 1; // matches to pass over before the first reported
  const len = list.length;
  const scan = maxlen === 0 ? len : Math.min(maxlen, len);
  const found: number[] = [];
  const want = count === -1 ? 1 : count === 0 ? Infinity : count;
  let matches = 0;
  const target = args[2]!;
  for (let k = 0; k < scan && found.length < want; k++) {
    const i = fromTail ? len - 1 - k : k;
    if (!sameBytes(list.at(i)!, target)) continue;
    if (matches++ >= skip) found.push(i);
  }
  if (count === -1) return found.length > 0 ? ctx.out.integer(found[0]!) : ctx.out.bulk(null);
  ctx.out.arrayHeader(found.length);
  for (const i of found) ctx.out.integer(i);
}

function nonNegative(ctx: CommandContext, arg: Uint8Array, message: string): number | undefined {
  const n = longArg(ctx, arg, message);
  if (n === undefined) return undefined;
  if (n < 0) {
    ctx.out.error(message);
    return undefined;
  }
  return n;
}
