/**
 * String commands that get and set whole values: GET, SET (NX XX GET EX PX
 * EXAT PXAT KEEPTTL), SETNX, SETEX, PSETEX, GETSET, GETDEL, GETEX, MGET,
 * MSET, MSETNX; with the counters (strings-numbers.ts), the commands on
 * parts of values (strings-ranges.ts) and on bits (strings-bits.ts).
 * @module
 */
import { latin1, parseInteger } from '../core/bytes.js';
import { NOT_AN_INTEGER, SYNTAX_ERROR, WRONGTYPE, type CommandContext, type CommandSpec } from './context.js';
import { invalidExpireTime } from './expire.js';
import { BIT_COMMANDS } from './strings-bits.js';
import { NUMBER_COMMANDS } from './strings-numbers.js';
import { RANGE_COMMANDS } from './strings-ranges.js';

const LLONG_MAX = 2n ** 63n - 1n;

// Option flags of SET and GETEX, as t_string.c's OBJ_* flags.
const NX = 1;
const XX = 2;
const GET = 4;
const KEEPTTL = 8;
const PERSIST = 16;
const EX = 32;
const PX = 64;
const EXAT = 128;
const PXAT = 256;
const ANY_EXPIRY = EX | PX | EXAT | PXAT;

/** SET's or GETEX's options: the flags and the index of the expiry's argument (0: none). */
interface StringOptions {
  flags: number;
  expiry: number;
}

// The option word's flag (upper-cased, at most 7 bytes), or 0.
function optionFlag(a: Uint8Array): number {
  if (a.length > 7) return 0;
  let w = '';
  for (let i = 0; i < a.length; i++) {
    const c = a[i]!;
    w += String.fromCharCode(c >= 97 && c <= 122 ? c - 32 : c);
  }
  switch (w) {
    case 'NX':
      return NX;
    case 'XX':
      return XX;
    case 'GET':
      return GET;
    case 'KEEPTTL':
      return KEEPTTL;
    case 'PERSIST':
      return PERSIST;
    case 'EX':
      return EX;
    case 'PX':
      return PX;
    case 'EXAT':
      return EXAT;
    case 'PXAT':
      return PXAT;
    default:
      return 0;
  }
}

// What each option may not be combined with (parseExtendedStringArgumentsOrReply); a repeated option is fine.
function conflicts(flag: number): number {
  switch (flag) {
    case NX:
      return XX;
    case XX:
      return NX;
    case KEEPTTL:
      return PERSIST | ANY_EXPIRY;
    case PERSIST:
      return KEEPTTL | ANY_EXPIRY;
    case GET:
      return 0;
    default:
      return KEEPTTL | PERSIST | (ANY_EXPIRY & ~flag);
  }
}

// Reads options from args[from]; undefined after the syntax error.
function parseOptions(
  args: Uint8Array[],
  from: number,
  forSet: boolean,
  ctx: CommandContext,
): StringOptions | undefined {
  const o: StringOptions = { flags: 0, expiry: 0 };
  for (let i = from; i < args.length; i++) {
    const f = optionFlag(args[i]!);
    const allowed = forSet ? f !== PERSIST : f === PERSIST || (f & ANY_EXPIRY) !== 0;
    const needsValue = (f & ANY_EXPIRY) !== 0;
    if (f === 0 || !allowed || (o.flags & conflicts(f)) !== 0 || (needsValue && i + 1 >= args.length)) {
      ctx.out.error(SYNTAX_ERROR);
      return undefined;
    }
    o.flags |= f;
    if (needsValue) o.expiry = ++i;
  }
  return o;
}

/**
 * The expiry time (ms since the epoch) an EX/PX/EXAT/PXAT argument gives,
 * or undefined after Redis' error (getExpireMillisecondsOrReply).
 */
function expiryTime(args: Uint8Array[], o: StringOptions, ctx: CommandContext): number | undefined {
  const n = parseInteger(args[o.expiry]!);
  if (n === undefined) {
    ctx.out.error(NOT_AN_INTEGER);
    return undefined;
  }
  const seconds = (o.flags & (EX | EXAT)) !== 0;
  let ms = seconds ? n * 1000n : n;
  if ((o.flags & (EX | PX)) !== 0) ms += BigInt(ctx.keys.now());
  if (n <= 0n || (seconds && n > LLONG_MAX / 1000n) || ms > LLONG_MAX) {
    ctx.out.error(invalidExpireTime(args));
    return undefined;
  }
  return Number(ms);
}

function get(args: Uint8Array[], ctx: CommandContext): void {
  const v = ctx.keys.get(latin1(args[1]!))?.value;
  if (v === undefined) ctx.out.bulk(null);
  else if (v instanceof Uint8Array) ctx.out.bulk(v);
  else ctx.out.error(WRONGTYPE);
}

// SET and its variants; `flags` are SETNX's, SETEX's and PSETEX's options, `value` the value's index.
function setGeneric(
  args: Uint8Array[],
  ctx: CommandContext,
  o: StringOptions,
  value: number,
  reply: 'ok' | 'count',
): void {
  const flags = o.flags;
  let expiresAt = 0;
  if (o.expiry !== 0) {
    const t = expiryTime(args, o, ctx);
    if (t === undefined) return;
    expiresAt = t;
  }
  const key = latin1(args[1]!);
  const old = flags === 0 ? undefined : ctx.keys.get(key);
  if ((flags & GET) !== 0) {
    if (old === undefined) ctx.out.bulk(null);
    else if (old.value instanceof Uint8Array) ctx.out.bulk(old.value);
    else return ctx.out.error(WRONGTYPE);
  }
  if (((flags & NX) !== 0 && old !== undefined) || ((flags & XX) !== 0 && old === undefined)) {
    if ((flags & GET) === 0) {
      if (reply === 'count') ctx.out.integer(0);
      else ctx.out.bulk(null);
    }
    return;
  }
  if ((flags & KEEPTTL) !== 0 && old !== undefined) expiresAt = old.expiresAt;
  // The value must outlive the read buffer it came in.
  const bytes = args[value]!.slice();
  ctx.keys.set(key, bytes, expiresAt);
  ctx.log(expiresAt === 0 ? ['SET', args[1]!, bytes] : ['SET', args[1]!, bytes, 'PXAT', String(expiresAt)]);
  ctx.notify('$', 'set', key);
  if (o.expiry !== 0) ctx.notify('g', 'expire', key);
  if ((flags & GET) !== 0) return;
  if (reply === 'count') ctx.out.integer(1);
  else ctx.out.simple('OK');
}

const PLAIN: StringOptions = { flags: 0, expiry: 0 };

function set(args: Uint8Array[], ctx: CommandContext): void {
  if (args.length === 3) return setGeneric(args, ctx, PLAIN, 2, 'ok');
  const o = parseOptions(args, 3, true, ctx);
  if (o !== undefined) setGeneric(args, ctx, o, 2, 'ok');
}

function getex(args: Uint8Array[], ctx: CommandContext): void {
  const o = parseOptions(args, 2, false, ctx);
  if (o === undefined) return;
  const key = latin1(args[1]!);
  const e = ctx.keys.get(key);
  if (e === undefined) return ctx.out.bulk(null);
  if (!(e.value instanceof Uint8Array)) return ctx.out.error(WRONGTYPE);
  let at = 0;
  if (o.expiry !== 0) {
    const t = expiryTime(args, o, ctx);
    if (t === undefined) return;
    at = t;
  }
  ctx.out.bulk(e.value);
  if ((o.flags & (EXAT | PXAT)) !== 0 && at <= ctx.keys.now()) {
    ctx.keys.delete(key);
    ctx.log(['DEL', args[1]!]);
    ctx.notify('g', 'del', key);
  } else if (o.expiry !== 0) {
    ctx.keys.expire(key, at);
    ctx.log(['PEXPIREAT', args[1]!, String(at)]);
    ctx.notify('g', 'expire', key);
  } else if ((o.flags & PERSIST) !== 0 && e.expiresAt !== 0) {
    ctx.keys.expire(key, 0);
    ctx.log(['PERSIST', args[1]!]);
    ctx.notify('g', 'persist', key);
  }
}

function getdel(args: Uint8Array[], ctx: CommandContext): void {
  const key = latin1(args[1]!);
  const e = ctx.keys.get(key);
  if (e === undefined) return ctx.out.bulk(null);
  if (!(e.value instanceof Uint8Array)) return ctx.out.error(WRONGTYPE);
  ctx.out.bulk(e.value);
  ctx.keys.delete(key);
  ctx.log(['DEL', args[1]!]);
  ctx.notify('g', 'del', key);
}

function getset(args: Uint8Array[], ctx: CommandContext): void {
  const key = latin1(args[1]!);
  const e = ctx.keys.get(key);
  if (e !== undefined && !(e.value instanceof Uint8Array)) return ctx.out.error(WRONGTYPE);
  ctx.out.bulk(e === undefined ? null : (e.value as Uint8Array));
  const value = args[2]!.slice();
  ctx.keys.set(key, value);
  ctx.log(['SET', args[1]!, value]);
  ctx.notify('$', 'set', key);
}

function mget(args: Uint8Array[], ctx: CommandContext): void {
  ctx.out.arrayHeader(args.length - 1);
  for (let i = 1; i < args.length; i++) {
    const v = ctx.keys.get(latin1(args[i]!))?.value;
    ctx.out.bulk(v instanceof Uint8Array ? v : null);
  }
}

function mset(args: Uint8Array[], ctx: CommandContext, nx: boolean): void {
  if (args.length % 2 === 0)
    return ctx.out.error(`ERR wrong number of arguments for '${nx ? 'msetnx' : 'mset'}' command`);
  if (nx) {
    for (let i = 1; i < args.length; i += 2)
      if (ctx.keys.get(latin1(args[i]!)) !== undefined) return ctx.out.integer(0);
  }
  const logged: Uint8Array[] = [args[0]!];
  for (let i = 1; i < args.length; i += 2) {
    const value = args[i + 1]!.slice();
    const key = latin1(args[i]!);
    ctx.keys.set(key, value);
    ctx.notify('$', 'set', key);
    logged.push(args[i]!, value);
  }
  ctx.log(logged);
  if (nx) ctx.out.integer(1);
  else ctx.out.simple('OK');
}

const SETNX: StringOptions = { flags: NX, expiry: 0 };
const SETEX: StringOptions = { flags: EX, expiry: 2 };
const PSETEX: StringOptions = { flags: PX, expiry: 2 };

/** The string commands, as entries of the command table. */
export const STRING_COMMANDS: readonly CommandSpec[] = [
  { name: 'get', arity: 2, keys: [1, 1, 1], run: get },
  { name: 'set', arity: -3, keys: [1, 1, 1], values: (i) => i === 2, run: set },
  {
    name: 'setnx',
    arity: 3,
    keys: [1, 1, 1],
    values: (i) => i === 2,
    run: (a, c) => setGeneric(a, c, SETNX, 2, 'count'),
  },
  { name: 'setex', arity: 4, keys: [1, 1, 1], values: (i) => i === 3, run: (a, c) => setGeneric(a, c, SETEX, 3, 'ok') },
  {
    name: 'psetex',
    arity: 4,
    keys: [1, 1, 1],
    values: (i) => i === 3,
    run: (a, c) => setGeneric(a, c, PSETEX, 3, 'ok'),
  },
  { name: 'getex', arity: -2, keys: [1, 1, 1], run: getex },
  { name: 'getdel', arity: 2, keys: [1, 1, 1], run: getdel },
  { name: 'getset', arity: 3, keys: [1, 1, 1], values: (i) => i === 2, run: getset },
  { name: 'mget', arity: -2, keys: [1, -1, 1], run: mget },
  { name: 'mset', arity: -3, keys: [1, -1, 2], values: (i) => i % 2 === 0, run: (a, c) => mset(a, c, false) },
  { name: 'msetnx', arity: -3, keys: [1, -1, 2], values: (i) => i % 2 === 0, run: (a, c) => mset(a, c, true) },
  ...NUMBER_COMMANDS,
  ...RANGE_COMMANDS,
  ...BIT_COMMANDS,
];
