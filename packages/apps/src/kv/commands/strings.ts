/**
 * String commands: GET, SET (EX, PX, EXAT, PXAT, KEEPTTL, NX, XX, GET),
 * MGET, MSET, INCR, INCRBY, DECR, DECRBY.
 * @module
 */
import { ascii, inInt64, isWord, latin1, parseInteger } from '../core/bytes.js';
import { NOT_AN_INTEGER, SYNTAX_ERROR, WRONGTYPE, type CommandContext, type CommandSpec } from './context.js';

/** The expiry as an AOF/replay argument list: SET's `PXAT t`, or nothing. */
function pxat(expiresAt: number): string[] {
  return expiresAt === 0 ? [] : ['PXAT', String(expiresAt)];
}

function get(args: Uint8Array[], ctx: CommandContext): void {
  const v = ctx.keys.get(latin1(args[1]!))?.value;
  if (v === undefined) ctx.out.bulk(null);
  else if (v instanceof Uint8Array) ctx.out.bulk(v);
  else ctx.out.error(WRONGTYPE);
}

function set(args: Uint8Array[], ctx: CommandContext): void {
  let nx = false;
  let xx = false;
  let returnOld = false;
  let keepTtl = false;
  let expiresAt = 0;
  let expirySeen = false;
  for (let i = 3; i < args.length; i++) {
    const a = args[i]!;
    if (isWord(a, 'NX') && !xx) nx = true;
    else if (isWord(a, 'XX') && !nx) xx = true;
    else if (isWord(a, 'GET')) returnOld = true;
    else if (isWord(a, 'KEEPTTL') && !expirySeen) {
      keepTtl = true;
      expirySeen = true;
    } else if (
      (isWord(a, 'EX') || isWord(a, 'PX') || isWord(a, 'EXAT') || isWord(a, 'PXAT')) &&
      !expirySeen &&
      i + 1 < args.length
    ) {
      expirySeen = true;
      const n = parseInteger(args[++i]!);
      if (n === undefined) return ctx.out.error(NOT_AN_INTEGER);
      const unit = isWord(a, 'EX') || isWord(a, 'EXAT') ? 1000n : 1n;
      const relative = isWord(a, 'EX') || isWord(a, 'PX');
      const at = (relative ? BigInt(ctx.keys.now()) : 0n) + n * unit;
      if (n <= 0n || !inInt64(n * unit) || at > BigInt(Number.MAX_SAFE_INTEGER))
        return ctx.out.error("ERR invalid expire time in 'set' command");
      expiresAt = Number(at);
    } else return ctx.out.error(SYNTAX_ERROR);
  }
  const key = latin1(args[1]!);
  const old = nx || xx || returnOld || keepTtl ? ctx.keys.get(key) : undefined;
  if (returnOld && old !== undefined && !(old.value instanceof Uint8Array)) return ctx.out.error(WRONGTYPE);
  const oldValue = (old?.value as Uint8Array | undefined) ?? null;
  if ((nx && old !== undefined) || (xx && old === undefined)) {
    if (returnOld) ctx.out.bulk(oldValue);
    else ctx.out.bulk(null);
    return;
  }
  if (keepTtl && old !== undefined) expiresAt = old.expiresAt;
  // The value must outlive the read buffer it came in.
  const value = args[2]!.slice();
  ctx.keys.set(key, value, expiresAt);
  ctx.log(expiresAt === 0 ? ['SET', args[1]!, value] : ['SET', args[1]!, value, 'PXAT', String(expiresAt)]);
  if (returnOld) ctx.out.bulk(oldValue);
  else ctx.out.simple('OK');
}

function mget(args: Uint8Array[], ctx: CommandContext): void {
  ctx.out.arrayHeader(args.length - 1);
  for (let i = 1; i < args.length; i++) {
    const v = ctx.keys.get(latin1(args[i]!))?.value;
    ctx.out.bulk(v instanceof Uint8Array ? v : null);
  }
}

function mset(args: Uint8Array[], ctx: CommandContext): void {
  if (args.length % 2 === 0) return ctx.out.error("ERR wrong number of arguments for 'mset' command");
  const logged: Uint8Array[] = [args[0]!];
  for (let i = 1; i < args.length; i += 2) {
    const value = args[i + 1]!.slice();
    ctx.keys.set(latin1(args[i]!), value);
    logged.push(args[i]!, value);
  }
  ctx.log(logged);
  ctx.out.simple('OK');
}

function incrBy(args: Uint8Array[], ctx: CommandContext, by: bigint): void {
  const keyBytes = args[1]!;
  const key = latin1(keyBytes);
  const e = ctx.keys.get(key);
  if (e !== undefined && !(e.value instanceof Uint8Array)) return ctx.out.error(WRONGTYPE);
  const old = e === undefined ? 0n : parseInteger(e.value as Uint8Array);
  if (old === undefined) return ctx.out.error(NOT_AN_INTEGER);
  const next = old + by;
  if (!inInt64(next)) return ctx.out.error('ERR increment or decrement would overflow');
  const value = ascii(String(next));
  const expiresAt = e?.expiresAt ?? 0;
  ctx.keys.set(key, value, expiresAt);
  ctx.log(['SET', keyBytes, value, ...pxat(expiresAt)]);
  ctx.out.integer(next);
}

function byArgument(args: Uint8Array[], ctx: CommandContext, sign: 1n | -1n): void {
  const by = parseInteger(args[2]!);
  if (by === undefined) return ctx.out.error(NOT_AN_INTEGER);
  if (sign === -1n && by === -(2n ** 63n)) return ctx.out.error('ERR decrement would overflow');
  incrBy(args, ctx, by * sign);
}

/** GET, SET, MGET, MSET, INCR, DECR, INCRBY and DECRBY, as entries of the command table. */
export const STRING_COMMANDS: readonly CommandSpec[] = [
  { name: 'get', arity: 2, run: get },
  { name: 'set', arity: -3, values: (i) => i === 2, run: set },
  { name: 'mget', arity: -2, run: mget },
  { name: 'mset', arity: -3, values: (i) => i % 2 === 0, run: mset },
  { name: 'incr', arity: 2, run: (a, c) => incrBy(a, c, 1n) },
  { name: 'decr', arity: 2, run: (a, c) => incrBy(a, c, -1n) },
  { name: 'incrby', arity: 3, run: (a, c) => byArgument(a, c, 1n) },
  { name: 'decrby', arity: 3, run: (a, c) => byArgument(a, c, -1n) },
];
