/**
 * Expiry commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX, XX, GT,
 * LT), TTL, PTTL, EXPIRETIME, PEXPIRETIME and PERSIST, as Redis 7.0's
 * expire.c.
 * @module
 */
import { excerpt, isWord, latin1, parseInteger } from '../core/bytes.js';
import { NOT_AN_INTEGER, type CommandContext, type CommandSpec } from './context.js';

const LLONG_MAX = 2n ** 63n - 1n;
const LLONG_MIN = -(2n ** 63n);

/** Redis' reply for an expiry out of range, naming the command as sent (lower case). */
export function invalidExpireTime(args: Uint8Array[]): string {
  return `ERR invalid expire time in '${latin1(args[0]!).toLowerCase()}' command`;
}

// EXPIRE and friends: `unit` ms per unit, `relative` for EXPIRE and PEXPIRE.
function expire(args: Uint8Array[], ctx: CommandContext, unit: 1n | 1000n, relative: boolean): void {
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  for (let i = 3; i < args.length; i++) {
    const a = args[i]!;
    if (isWord(a, 'NX')) nx = true;
    else if (isWord(a, 'XX')) xx = true;
    else if (isWord(a, 'GT')) gt = true;
    else if (isWord(a, 'LT')) lt = true;
    else return ctx.out.error(`ERR Unsupported option ${excerpt(a)}`);
  }
  if (nx && (xx || gt || lt))
    return ctx.out.error('ERR NX and XX, GT or LT options at the same time are not compatible');
  if (gt && lt) return ctx.out.error('ERR GT and LT options at the same time are not compatible');
  let when = parseInteger(args[2]!);
  if (when === undefined) return ctx.out.error(NOT_AN_INTEGER);
  if (unit === 1000n && (when > LLONG_MAX / 1000n || when < LLONG_MIN / 1000n))
    return ctx.out.error(invalidExpireTime(args));
  when *= unit;
  const now = ctx.keys.now();
  const base = relative ? BigInt(now) : 0n;
  if (when > LLONG_MAX - base) return ctx.out.error(invalidExpireTime(args));
  when += base;
  const key = latin1(args[1]!);
  const e = ctx.keys.get(key);
  if (e === undefined) return ctx.out.integer(0);
  const at = Number(when);
  const current = e.expiresAt;
  if (
    (nx && current !== 0) ||
    (xx && current === 0) ||
    (gt && (current === 0 || at <= current)) ||
    (lt && current !== 0 && at >= current)
  ) {
    return ctx.out.integer(0);
  }
  if (at <= now) {
    ctx.keys.delete(key);
    ctx.log(['DEL', args[1]!]);
    ctx.notify('g', 'del', key);
  } else {
    ctx.keys.expire(key, at);
    ctx.log(['PEXPIREAT', args[1]!, String(when)]);
    ctx.notify('g', 'expire', key);
  }
  ctx.out.integer(1);
}

function persist(args: Uint8Array[], ctx: CommandContext): void {
  const key = latin1(args[1]!);
  const e = ctx.keys.get(key);
  if (e === undefined || e.expiresAt === 0) return ctx.out.integer(0);
  ctx.keys.expire(key, 0);
  ctx.log(['PERSIST', args[1]!]);
  ctx.notify('g', 'persist', key);
  ctx.out.integer(1);
}

// TTL and friends: in ms or seconds (rounded), left or absolute.
function ttl(args: Uint8Array[], ctx: CommandContext, ms: boolean, absolute: boolean): void {
  const e = ctx.keys.get(latin1(args[1]!));
  if (e === undefined) return ctx.out.integer(-2);
  if (e.expiresAt === 0) return ctx.out.integer(-1);
  const t = Math.max(0, absolute ? e.expiresAt : e.expiresAt - ctx.keys.now());
  ctx.out.integer(ms ? t : Math.floor((t + 500) / 1000));
}

/** The expiry commands. */
export const EXPIRE_COMMANDS: readonly CommandSpec[] = [
  { name: 'expire', arity: -3, keys: [1, 1, 1], run: (a, c) => expire(a, c, 1000n, true) },
  { name: 'pexpire', arity: -3, keys: [1, 1, 1], run: (a, c) => expire(a, c, 1n, true) },
  { name: 'expireat', arity: -3, keys: [1, 1, 1], run: (a, c) => expire(a, c, 1000n, false) },
  { name: 'pexpireat', arity: -3, keys: [1, 1, 1], run: (a, c) => expire(a, c, 1n, false) },
  { name: 'persist', arity: 2, keys: [1, 1, 1], run: persist },
  { name: 'ttl', arity: 2, keys: [1, 1, 1], run: (a, c) => ttl(a, c, false, false) },
  { name: 'pttl', arity: 2, keys: [1, 1, 1], run: (a, c) => ttl(a, c, true, false) },
  { name: 'expiretime', arity: 2, keys: [1, 1, 1], run: (a, c) => ttl(a, c, false, true) },
  { name: 'pexpiretime', arity: 2, keys: [1, 1, 1], run: (a, c) => ttl(a, c, true, true) },
];
