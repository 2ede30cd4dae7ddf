/**
 * The blocking list commands: BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH.
 * Served at once when a list has elements; otherwise the client is parked
 * (ctx.block) and retried when one of its keys is written. A retry passes
 * over keys of other types (Redis serves only lists), except BLMOVE's
 * destination, which ends the wait with WRONGTYPE.
 * @module
 */
import { IN_EXEC } from './client-flags.js';
import { latin1 } from '../core/bytes.js';
import { ListValue } from '../core/list.js';
import { parseTimeout } from './blocking.js';
import type { CommandContext } from './context.js';
import { afterPop, endArg, listAt, type End } from './lists-common.js';
import { moveElement, parseMpop, popFirst } from './lists-move.js';

/**
 * Parks the client on `keys` (copied: args are views of a read buffer) until
 * `tryServe` answers or the deadline. A retry told which written key woke it
 * looks at that key alone, as Redis serves a blocked client from the key
 * that became ready (not from an earlier key of its list that also has
 * elements by then).
 */
function park(
  ctx: CommandContext,
  keys: readonly Uint8Array[],
  deadline: number,
  tryServe: (c: CommandContext, keys: Uint8Array[]) => boolean,
): void {
  const own = keys.map((k) => k.slice());
  ctx.block({
    keys: [...new Set(own.map(latin1))],
    deadline,
    retry: (c, ready?: string) => {
      const only = ready === undefined ? own : own.filter((k) => latin1(k) === ready);
      return tryServe(c, only.length > 0 ? only : own);
    },
    timedOut: (c) => c.out.nullArray(),
  });
}

/** Pops one element from the first non-empty list of `keys`, replying [key, element] and logging LPOP/RPOP. */
function popOne(
  ctx: CommandContext,
  keys: readonly Uint8Array[],
  end: End,
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
    const value = (end === 'left' ? v.popHead() : v.popTail())!;
    ctx.out.arrayHeader(2);
    ctx.out.bulk(keyBytes);
    ctx.out.bulk(value);
    afterPop(ctx, key, v, end);
    ctx.log([end === 'left' ? 'LPOP' : 'RPOP', keyBytes]);
    return 'served';
  }
  return 'none';
}

/** BLPOP / BRPOP key... timeout. */
export function bpop(args: Uint8Array[], ctx: CommandContext, end: End): void {
  const deadline = parseTimeout(args[args.length - 1]!, ctx);
  if (deadline === undefined) return;
  const keys = args.slice(1, -1);
  if (popOne(ctx, keys, end, true) !== 'none') return;
  park(ctx, keys, deadline, (c, own) => popOne(c, own, end, false) === 'served');
}

/** BLMPOP timeout numkeys key... LEFT|RIGHT [COUNT count]. */
export function blmpop(args: Uint8Array[], ctx: CommandContext): void {
  const p = parseMpop(args, ctx, 2);
  if (p === undefined) return;
  const deadline = parseTimeout(args[1]!, ctx);
  if (deadline === undefined) return;
  if (popFirst(ctx, p.keys, p.end, p.count, true) !== 'none') return;
  park(ctx, p.keys, deadline, (c, own) => popFirst(c, own, p.end, p.count, false) === 'served');
}

function blockingMove(
  args: Uint8Array[],
  ctx: CommandContext,
  from: End,
  to: End,
  deadline: number,
  logAs: (src: Uint8Array, dst: Uint8Array, served: 'now' | 'later') => (Uint8Array | string)[],
): void {
  const src = listAt(ctx, latin1(args[1]!));
  if (src === null) return;
  if (src !== undefined && src.length > 0) {
    moveElement(ctx, src, args[1]!, args[2]!, from, to, logAs(args[1]!, args[2]!, 'now'));
    return;
  }
  // Inside EXEC Redis answers BLMOVE's "would block" with a null bulk (its timeout, a null array).
  if ((ctx.client.flags & IN_EXEC) !== 0) return ctx.out.bulk(null);
  const dst = args[2]!.slice();
  park(ctx, [args[1]!], deadline, (c, own) => {
    const s = c.keys.get(latin1(own[0]!))?.value;
    if (!(s instanceof ListValue) || s.length === 0) return false;
    // A destination of another type ends the wait with WRONGTYPE, nothing moved.
    moveElement(c, s, own[0]!, dst, from, to, logAs(own[0]!, dst, 'later'));
    return true;
  });
}

/** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout. */
export function blmove(args: Uint8Array[], ctx: CommandContext): void {
  const from = endArg(ctx, args[3]!);
  if (from === undefined) return;
  const to = endArg(ctx, args[4]!);
  if (to === undefined) return;
  const deadline = parseTimeout(args[5]!, ctx);
  if (deadline === undefined) return;
  // Logged as Redis propagates it: LMOVE with the words given, or (after a wait) lower-case ones.
  blockingMove(args, ctx, from, to, deadline, (s, d, served) =>
    served === 'now' ? ['LMOVE', s, d, args[3]!, args[4]!] : ['LMOVE', s, d, from, to],
  );
}

/** BRPOPLPUSH source destination timeout. */
export function brpoplpush(args: Uint8Array[], ctx: CommandContext): void {
  const deadline = parseTimeout(args[3]!, ctx);
  if (deadline === undefined) return;
  blockingMove(args, ctx, 'right', 'left', deadline, (s, d) => ['RPOPLPUSH', s, d]);
}
