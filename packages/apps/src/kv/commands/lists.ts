/**
 * List commands: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP (with a count),
 * LLEN, LINDEX, LSET, and the table of every list command (the others are
 * in lists-edit.ts, lists-move.ts and lists-blocking.ts) and of SORT
 * (lists-sort.ts), which makes lists. A list goes when
 * its last element does.
 * @module
 */
import { latin1 } from '../core/bytes.js';
import { ListValue } from '../core/list.js';
import type { CommandContext, CommandSpec } from './context.js';
import { afterPop, listAt, longArg, popMany, replyElements, type End } from './lists-common.js';
import { linsert, lpos, lrange, lrem, ltrim } from './lists-edit.js';
import { blmove, blmpop, bpop, brpoplpush } from './lists-blocking.js';
import { lmove, lmpop, lmpopKeys, rpoplpush } from './lists-move.js';
import { sort, sortKeys } from './lists-sort.js';

function push(args: Uint8Array[], ctx: CommandContext, end: End, onlyIfExists: boolean): void {
  const key = latin1(args[1]!);
  let list = listAt(ctx, key);
  if (list === null) return;
  if (list === undefined) {
    if (onlyIfExists) return ctx.out.integer(0);
    list = new ListValue();
    ctx.keys.set(key, list);
  }
  const logged: Uint8Array[] = [args[0]!, args[1]!];
  for (let i = 2; i < args.length; i++) {
    const v = args[i]!.slice();
    if (end === 'left') list.pushHead(v);
    else list.pushTail(v);
    logged.push(v);
  }
  ctx.log(logged);
  ctx.out.integer(list.length);
  ctx.notify('l', end === 'left' ? 'lpush' : 'rpush', key);
}

function pop(args: Uint8Array[], ctx: CommandContext, end: End): void {
  if (args.length > 3)
    return ctx.out.error(`ERR wrong number of arguments for '${end === 'left' ? 'lpop' : 'rpop'}' command`);
  let count: number | undefined;
  if (args.length === 3) {
    const n = longArg(ctx, args[2]!, 'ERR value is out of range, must be positive');
    if (n === undefined) return;
    if (n < 0) return ctx.out.error('ERR value is out of range, must be positive');
    count = n;
  }
  const key = latin1(args[1]!);
  const list = listAt(ctx, key);
  if (list === null) return;
  if (list === undefined) return count === undefined ? ctx.out.bulk(null) : ctx.out.nullArray();
  if (count === 0) return ctx.out.arrayHeader(0);
  const taken = popMany(list, end, count ?? 1);
  if (count === undefined) ctx.out.bulk(taken[0]!);
  else replyElements(ctx, taken);
  afterPop(ctx, key, list, end);
  ctx.log(args);
}

function llen(args: Uint8Array[], ctx: CommandContext): void {
  const list = listAt(ctx, latin1(args[1]!));
  if (list !== null) ctx.out.integer(list?.length ?? 0);
}

function lindex(args: Uint8Array[], ctx: CommandContext): void {
  const list = listAt(ctx, latin1(args[1]!));
  if (list === null) return;
  if (list === undefined) return ctx.out.bulk(null);
  const i = longArg(ctx, args[2]!);
  if (i === undefined) return;
  ctx.out.bulk(list.at(i < 0 ? list.length + i : i) ?? null);
}

function lset(args: Uint8Array[], ctx: CommandContext): void {
  const key = latin1(args[1]!);
  const list = listAt(ctx, key);
  if (list === null) return;
  if (list === undefined) return ctx.out.error('ERR no such key');
  const n = longArg(ctx, args[2]!);
  if (n === undefined) return;
  const i = n < 0 ? list.length + n : n;
  if (i < 0 || i >= list.length) return ctx.out.error('ERR index out of range');
  const value = args[3]!.slice();
  list.setAt(i, value);
  ctx.log(args);
  ctx.out.simple('OK');
  ctx.notify('l', 'lset', key);
}

const ONE_KEY = [1, 1, 1] as const;
const TWO_KEYS = [1, 2, 1] as const;

/** Every list command, as entries of the command table. */
export const LIST_COMMANDS: readonly CommandSpec[] = [
  { name: 'lpush', arity: -3, keys: ONE_KEY, values: (i) => i >= 2, run: (a, c) => push(a, c, 'left', false) },
  { name: 'rpush', arity: -3, keys: ONE_KEY, values: (i) => i >= 2, run: (a, c) => push(a, c, 'right', false) },
  { name: 'lpushx', arity: -3, keys: ONE_KEY, values: (i) => i >= 2, run: (a, c) => push(a, c, 'left', true) },
  { name: 'rpushx', arity: -3, keys: ONE_KEY, values: (i) => i >= 2, run: (a, c) => push(a, c, 'right', true) },
  { name: 'lpop', arity: -2, keys: ONE_KEY, run: (a, c) => pop(a, c, 'left') },
  { name: 'rpop', arity: -2, keys: ONE_KEY, run: (a, c) => pop(a, c, 'right') },
  { name: 'llen', arity: 2, keys: ONE_KEY, run: llen },
  { name: 'lindex', arity: 3, keys: ONE_KEY, run: lindex },
  { name: 'lset', arity: 4, keys: ONE_KEY, values: (i) => i === 3, run: lset },
  { name: 'lrange', arity: 4, keys: ONE_KEY, run: lrange },
  { name: 'ltrim', arity: 4, keys: ONE_KEY, run: ltrim },
  { name: 'lrem', arity: 4, keys: ONE_KEY, values: (i) => i === 3, run: lrem },
  { name: 'linsert', arity: 5, keys: ONE_KEY, values: (i) => i >= 3, run: linsert },
  { name: 'lpos', arity: -3, keys: ONE_KEY, values: (i) => i === 2, run: lpos },
  { name: 'lmove', arity: 5, keys: TWO_KEYS, run: lmove },
  { name: 'rpoplpush', arity: 3, keys: TWO_KEYS, run: rpoplpush },
  { name: 'lmpop', arity: -4, keys: (a) => lmpopKeys(a, 1), run: lmpop },
  { name: 'blpop', arity: -3, keys: [1, -2, 1], run: (a, c) => bpop(a, c, 'left') },
  { name: 'brpop', arity: -3, keys: [1, -2, 1], run: (a, c) => bpop(a, c, 'right') },
  { name: 'blmove', arity: 6, keys: TWO_KEYS, run: blmove },
  { name: 'brpoplpush', arity: 4, keys: TWO_KEYS, run: brpoplpush },
  { name: 'blmpop', arity: -5, keys: (a) => lmpopKeys(a, 2), run: blmpop },
  { name: 'sort', arity: -2, keys: sortKeys, run: (a, c) => sort(a, c, false) },
  { name: 'sort_ro', arity: -2, keys: ONE_KEY, run: (a, c) => sort(a, c, true) },
];
