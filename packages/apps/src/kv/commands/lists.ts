/**
 * List commands: LPUSH, RPUSH, LPOP, RPOP (with a count), LLEN, LRANGE.
 * A list is an array of strings; it goes when its last element is popped.
 * @module
 */
import { latin1, parseInteger } from '../core/bytes.js';
import { ListValue } from '../core/list.js';
import { NOT_AN_INTEGER, WRONGTYPE, type CommandContext, type CommandSpec } from './context.js';

// The list at args[1]: undefined when missing, null (after the WRONGTYPE reply) for another type.
function listAt(args: Uint8Array[], ctx: CommandContext): ListValue | undefined | null {
  const v = ctx.keys.get(latin1(args[1]!))?.value;
  if (v === undefined || v instanceof ListValue) return v;
  ctx.out.error(WRONGTYPE);
  return null;
}

function push(args: Uint8Array[], ctx: CommandContext, left: boolean): void {
  let list = listAt(args, ctx);
  if (list === null) return;
  if (list === undefined) {
    list = new ListValue();
    ctx.keys.set(latin1(args[1]!), list);
  }
  const logged: Uint8Array[] = [args[0]!, args[1]!];
  for (let i = 2; i < args.length; i++) {
    const v = args[i]!.slice();
    if (left) list.items.unshift(v);
    else list.items.push(v);
    logged.push(v);
  }
  ctx.log(logged);
  ctx.out.integer(list.length);
}

function pop(args: Uint8Array[], ctx: CommandContext, left: boolean): void {
  if (args.length > 3) return ctx.out.error(`ERR wrong number of arguments for '${left ? 'lpop' : 'rpop'}' command`);
  let count: number | undefined;
  if (args.length === 3) {
    const n = parseInteger(args[2]!);
    if (n === undefined || n < 0n) return ctx.out.error('ERR value is out of range, must be positive');
    count = Number(n);
  }
  const list = listAt(args, ctx);
  if (list === null) return;
  if (list === undefined) {
    if (count === undefined) ctx.out.bulk(null);
    else ctx.out.text('*-1\r\n');
    return;
  }
  const n = Math.min(count ?? 1, list.length);
  const items = list.items;
  const taken = left ? items.splice(0, n) : items.splice(items.length - n, n).reverse();
  if (list.length === 0) ctx.keys.delete(latin1(args[1]!));
  if (n > 0) ctx.log([left ? 'LPOP' : 'RPOP', args[1]!, String(n)]);
  if (count === undefined) return ctx.out.bulk(taken[0] ?? null);
  ctx.out.arrayHeader(taken.length);
  for (const v of taken) ctx.out.bulk(v);
}

function llen(args: Uint8Array[], ctx: CommandContext): void {
  const list = listAt(args, ctx);
  if (list !== null) ctx.out.integer(list?.length ?? 0);
}

function lrange(args: Uint8Array[], ctx: CommandContext): void {
  const a = parseInteger(args[2]!);
  const b = parseInteger(args[3]!);
  if (a === undefined || b === undefined) return ctx.out.error(NOT_AN_INTEGER);
  const list = listAt(args, ctx);
  if (list === null) return;
  const len = list?.length ?? 0;
  // Negative indexes count from the end; the range is clipped to the list.
  let start = Number(a < 0n ? BigInt(len) + a : a);
  let stop = Number(b < 0n ? BigInt(len) + b : b);
  if (start < 0) start = 0;
  if (stop >= len) stop = len - 1;
  if (list === undefined || start > stop) return ctx.out.arrayHeader(0);
  ctx.out.arrayHeader(stop - start + 1);
  for (let i = start; i <= stop; i++) ctx.out.bulk(list.items[i]!);
}

/** LPUSH, RPUSH, LPOP, RPOP, LLEN and LRANGE, as entries of the command table. */
export const LIST_COMMANDS: readonly CommandSpec[] = [
  { name: 'lpush', arity: -3, values: (i) => i >= 2, run: (a, c) => push(a, c, true) },
  { name: 'rpush', arity: -3, values: (i) => i >= 2, run: (a, c) => push(a, c, false) },
  { name: 'lpop', arity: -2, run: (a, c) => pop(a, c, true) },
  { name: 'rpop', arity: -2, run: (a, c) => pop(a, c, false) },
  { name: 'llen', arity: 2, run: llen },
  { name: 'lrange', arity: 4, run: lrange },
];
