/**
 * Commands that copy or move a key: RENAME, RENAMENX, COPY, MOVE and
 * SWAPDB, as Redis 7.0's db.c (only database 0 exists here).
 * @module
 */
import { StreamValue } from '../core/stream.js';
import { isWord, latin1, parseInteger } from '../core/bytes.js';
import { HashValue } from '../core/hash.js';
import { ListValue } from '../core/list.js';
import { SetValue } from '../core/set.js';
import { SortedSetValue } from '../core/sorted-set.js';
import type { Value } from '../core/values.js';
import { NOT_AN_INTEGER, SYNTAX_ERROR, type CommandContext, type CommandSpec } from './context.js';

const NO_SUCH_KEY = 'ERR no such key';
const SAME_OBJECT = 'ERR source and destination objects are the same';
const DB_OUT_OF_RANGE = 'ERR DB index is out of range';

/** A deep copy of `value` with the same encoding (elements are shared: no command changes them in place). */
export function copyValue(value: Value): Value {
  if (value instanceof Uint8Array) return value.slice();
  if (value instanceof ListValue) {
    const l = new ListValue(value.items);
    l.encoding = value.encoding;
    return l;
  }
  if (value instanceof HashValue) {
    const h = new HashValue();
    for (const [f, v] of value.fields) h.set(f, v);
    h.encoding = value.encoding;
    return h;
  }
  if (value instanceof SetValue) {
    const s = new SetValue();
    for (const m of value.members) s.add(m, Infinity);
    s.encoding = value.encoding;
    return s;
  }
  if (value instanceof StreamValue) return value.clone();
  const z = new SortedSetValue();
  for (const [m, score] of value.entries()) z.add(m, score);
  z.encoding = value.encoding;
  return z;
}

// A database index argument as getIntFromObjectOrReply reads it (`message` replacing its errors); undefined after the error.
function intArgument(arg: Uint8Array, ctx: CommandContext, message?: string): number | undefined {
  const n = parseInteger(arg);
  if (n === undefined) {
    ctx.out.error(message ?? NOT_AN_INTEGER);
    return undefined;
  }
  if (n < -(2n ** 31n) || n >= 2n ** 31n) {
    ctx.out.error(message ?? 'ERR value is out of range, value must between -2147483648 and 2147483647');
    return undefined;
  }
  return Number(n);
}

// Whether database `index` exists (only 0 does), after the error if not.
function dbExists(index: number, ctx: CommandContext): boolean {
  if (index === 0) return true;
  ctx.out.error(DB_OUT_OF_RANGE);
  return false;
}

// A database index argument that must name an existing database; undefined after the error.
function dbIndex(arg: Uint8Array, ctx: CommandContext): number | undefined {
  const n = intArgument(arg, ctx);
  return n !== undefined && dbExists(n, ctx) ? n : undefined;
}

function rename(args: Uint8Array[], ctx: CommandContext, nx: boolean): void {
  const from = latin1(args[1]!);
  const to = latin1(args[2]!);
  const e = ctx.keys.get(from);
  if (e === undefined) return ctx.out.error(NO_SUCH_KEY);
  if (from === to) return nx ? ctx.out.integer(0) : ctx.out.simple('OK');
  if (nx && ctx.keys.get(to) !== undefined) return ctx.out.integer(0);
  ctx.keys.delete(to);
  ctx.keys.set(to, e.value, e.expiresAt);
  ctx.keys.delete(from);
  ctx.log(['RENAME', args[1]!, args[2]!]);
  ctx.notify('g', 'rename_from', from);
  ctx.notify('g', 'rename_to', to);
  if (nx) ctx.out.integer(1);
  else ctx.out.simple('OK');
}

function copy(args: Uint8Array[], ctx: CommandContext): void {
  let replace = false;
  for (let i = 3; i < args.length; i++) {
    if (isWord(args[i]!, 'REPLACE')) replace = true;
    else if (isWord(args[i]!, 'DB') && i + 1 < args.length) {
      if (dbIndex(args[++i]!, ctx) === undefined) return;
    } else return ctx.out.error(SYNTAX_ERROR);
  }
  const from = latin1(args[1]!);
  const to = latin1(args[2]!);
  if (from === to) return ctx.out.error(SAME_OBJECT);
  const e = ctx.keys.get(from);
  if (e === undefined) return ctx.out.integer(0);
  if (ctx.keys.get(to) !== undefined && !replace) return ctx.out.integer(0);
  ctx.keys.delete(to);
  ctx.keys.set(to, copyValue(e.value), e.expiresAt);
  // As given: replayed, it copies again (a missing REPLACE mattered only if the target existed, and then nothing was logged).
  ctx.log(args);
  ctx.notify('g', 'copy_to', to);
  ctx.out.integer(1);
}

function move(args: Uint8Array[], ctx: CommandContext): void {
  if (dbIndex(args[2]!, ctx) === undefined) return;
  ctx.out.error(SAME_OBJECT);
}

function swapdb(args: Uint8Array[], ctx: CommandContext): void {
  const a = intArgument(args[1]!, ctx, 'ERR invalid first DB index');
  if (a === undefined) return;
  const b = intArgument(args[2]!, ctx, 'ERR invalid second DB index');
  if (b === undefined || !dbExists(a, ctx) || !dbExists(b, ctx)) return;
  ctx.out.simple('OK');
}

/** RENAME, RENAMENX, COPY, MOVE and SWAPDB. */
export const COPY_COMMANDS: readonly CommandSpec[] = [
  { name: 'rename', arity: 3, keys: [1, 2, 1], run: (a, c) => rename(a, c, false) },
  { name: 'renamenx', arity: 3, keys: [1, 2, 1], run: (a, c) => rename(a, c, true) },
  { name: 'copy', arity: -3, keys: [1, 2, 1], run: copy },
  { name: 'move', arity: 3, keys: [1, 1, 1], run: move },
  { name: 'swapdb', arity: 3, run: swapdb },
];
