/**
 * Keyspace commands: DEL, EXISTS, EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT,
 * PERSIST, TTL, PTTL, TYPE, KEYS, SCAN, DBSIZE, FLUSHDB, FLUSHALL.
 * @module
 */
import { excerpt, isWord, latin1, latin1Bytes, parseInteger } from '../core/bytes.js';
import { typeName } from '../core/values.js';
import { NOT_AN_INTEGER, SYNTAX_ERROR, type CommandContext, type CommandSpec } from './context.js';

function del(args: Uint8Array[], ctx: CommandContext): void {
  let n = 0;
  const logged: Uint8Array[] = [args[0]!];
  for (let i = 1; i < args.length; i++) {
    if (ctx.keys.delete(latin1(args[i]!))) {
      n++;
      logged.push(args[i]!);
    }
  }
  if (n > 0) ctx.log(logged);
  ctx.out.integer(n);
}

function exists(args: Uint8Array[], ctx: CommandContext): void {
  let n = 0;
  for (let i = 1; i < args.length; i++) if (ctx.keys.get(latin1(args[i]!)) !== undefined) n++;
  ctx.out.integer(n);
}

// EXPIRE and friends: `unit` ms per unit, `absolute` for the *AT forms.
function expire(args: Uint8Array[], ctx: CommandContext, unit: number, absolute: boolean): void {
  const name = latin1(args[0]!).toLowerCase();
  const n = parseInteger(args[2]!);
  if (n === undefined) return ctx.out.error(NOT_AN_INTEGER);
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
  const at = (absolute ? 0n : BigInt(ctx.keys.now())) + n * BigInt(unit);
  if (at > BigInt(Number.MAX_SAFE_INTEGER) || at < -BigInt(Number.MAX_SAFE_INTEGER)) {
    return ctx.out.error(`ERR invalid expire time in '${name}' command`);
  }
  const key = latin1(args[1]!);
  const e = ctx.keys.get(key);
  if (e === undefined) return ctx.out.integer(0);
  const current = e.expiresAt === 0 ? Infinity : e.expiresAt;
  const when = Number(at);
  if (
    (nx && e.expiresAt !== 0) ||
    (xx && e.expiresAt === 0) ||
    (gt && !(when > current)) ||
    (lt && !(when < current))
  ) {
    return ctx.out.integer(0);
  }
  if (when <= ctx.keys.now()) {
    ctx.keys.delete(key);
    ctx.log(['DEL', args[1]!]);
  } else {
    ctx.keys.expire(key, when);
    ctx.log(['PEXPIREAT', args[1]!, String(when)]);
  }
  ctx.out.integer(1);
}

function persist(args: Uint8Array[], ctx: CommandContext): void {
  const key = latin1(args[1]!);
  const e = ctx.keys.get(key);
  if (e === undefined || e.expiresAt === 0) return ctx.out.integer(0);
  ctx.keys.expire(key, 0);
  ctx.log(['PERSIST', args[1]!]);
  ctx.out.integer(1);
}

function ttl(args: Uint8Array[], ctx: CommandContext, unit: number): void {
  const e = ctx.keys.get(latin1(args[1]!));
  if (e === undefined) return ctx.out.integer(-2);
  if (e.expiresAt === 0) return ctx.out.integer(-1);
  const ms = Math.max(0, e.expiresAt - ctx.keys.now());
  ctx.out.integer(unit === 1 ? ms : Math.floor((ms + 500) / 1000));
}

function type(args: Uint8Array[], ctx: CommandContext): void {
  ctx.out.simple(typeName(ctx.keys.get(latin1(args[1]!))?.value));
}

function keys(args: Uint8Array[], ctx: CommandContext): void {
  const found = ctx.keys.keys(latin1(args[1]!));
  ctx.out.arrayHeader(found.length);
  for (const k of found) ctx.out.bulkText(k);
}

function scan(args: Uint8Array[], ctx: CommandContext): void {
  const c = parseInteger(args[1]!);
  if (c === undefined || c < 0n || c > BigInt(Number.MAX_SAFE_INTEGER)) return ctx.out.error('ERR invalid cursor');
  let count = 10;
  let pattern: string | undefined;
  let onlyType: string | undefined;
  for (let i = 2; i < args.length; i++) {
    const a = args[i]!;
    if (i + 1 >= args.length) return ctx.out.error(SYNTAX_ERROR);
    if (isWord(a, 'COUNT')) {
      const n = parseInteger(args[++i]!);
      if (n === undefined) return ctx.out.error(NOT_AN_INTEGER);
      if (n < 1n) return ctx.out.error(SYNTAX_ERROR);
      count = n > 1_000_000n ? 1_000_000 : Number(n);
    } else if (isWord(a, 'MATCH')) {
      pattern = latin1(args[++i]!);
      if (pattern === '*') pattern = undefined;
    } else if (isWord(a, 'TYPE')) onlyType = excerpt(args[++i]!).toLowerCase();
    else return ctx.out.error(SYNTAX_ERROR);
  }
  const step = ctx.keys.scan(Number(c), count, pattern);
  if (step === undefined) return ctx.out.error('ERR invalid cursor');
  const found =
    onlyType === undefined ? step.keys : step.keys.filter((k) => typeName(ctx.keys.get(k)?.value) === onlyType);
  ctx.out.arrayHeader(2);
  ctx.out.bulk(latin1Bytes(String(step.cursor)));
  ctx.out.arrayHeader(found.length);
  for (const k of found) ctx.out.bulkText(k);
}

function flush(args: Uint8Array[], ctx: CommandContext): void {
  if (args.length > 2 || (args.length === 2 && !isWord(args[1]!, 'ASYNC') && !isWord(args[1]!, 'SYNC'))) {
    return ctx.out.error(SYNTAX_ERROR);
  }
  ctx.keys.flush();
  ctx.log(['FLUSHDB']);
  ctx.out.simple('OK');
}

/** The keyspace commands. */
export const KEY_COMMANDS: readonly CommandSpec[] = [
  { name: 'del', arity: -2, run: del },
  { name: 'unlink', arity: -2, run: del },
  { name: 'exists', arity: -2, run: exists },
  { name: 'expire', arity: -3, run: (a, c) => expire(a, c, 1000, false) },
  { name: 'pexpire', arity: -3, run: (a, c) => expire(a, c, 1, false) },
  { name: 'expireat', arity: -3, run: (a, c) => expire(a, c, 1000, true) },
  { name: 'pexpireat', arity: -3, run: (a, c) => expire(a, c, 1, true) },
  { name: 'persist', arity: 2, run: persist },
  { name: 'ttl', arity: 2, run: (a, c) => ttl(a, c, 1000) },
  { name: 'pttl', arity: 2, run: (a, c) => ttl(a, c, 1) },
  { name: 'type', arity: 2, run: type },
  { name: 'keys', arity: 2, run: keys },
  { name: 'scan', arity: -2, run: scan },
  { name: 'dbsize', arity: 1, run: (_a, c) => c.out.integer(c.keys.size) },
  { name: 'flushdb', arity: -1, run: flush },
  { name: 'flushall', arity: -1, run: flush },
];
