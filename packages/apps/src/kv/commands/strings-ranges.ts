/**
 * String commands on parts of values: GETRANGE (and its old name SUBSTR),
 * SETRANGE, APPEND, STRLEN and LCS, as Redis 7.0's t_string.c.
 * @module
 */
import { ascii, isWord, latin1, parseInteger } from '../core/bytes.js';
import { markRawString } from './admin-object.js';
import { NOT_AN_INTEGER, SYNTAX_ERROR, WRONGTYPE, type CommandContext, type CommandSpec } from './context.js';

const EMPTY = new Uint8Array(0);

// Whether a string of size + added bytes is past proto-max-bulk-len (after writing the error).
function tooLong(ctx: CommandContext, size: number, added: number): boolean {
  if (size + added <= ctx.server.limits.maxBulkBytes) return false;
  ctx.out.error('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
  return true;
}

function getrange(args: Uint8Array[], ctx: CommandContext): void {
  const s = parseInteger(args[2]!);
  const t = parseInteger(args[3]!);
  if (s === undefined || t === undefined) return ctx.out.error(NOT_AN_INTEGER);
  const e = ctx.keys.get(latin1(args[1]!));
  if (e === undefined) return ctx.out.bulk(EMPTY);
  if (!(e.value instanceof Uint8Array)) return ctx.out.error(WRONGTYPE);
  const v = e.value;
  const len = BigInt(v.length);
  if (s < 0n && t < 0n && s > t) return ctx.out.bulk(EMPTY);
  let start = s < 0n ? len + s : s;
  let end = t < 0n ? len + t : t;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= len) end = len - 1n;
  if (start > end || len === 0n) return ctx.out.bulk(EMPTY);
  ctx.out.bulk(v.subarray(Number(start), Number(end) + 1));
}

function setrange(args: Uint8Array[], ctx: CommandContext): void {
  const n = parseInteger(args[2]!);
  if (n === undefined) return ctx.out.error(NOT_AN_INTEGER);
  if (n < 0n) return ctx.out.error('ERR offset is out of range');
  const key = latin1(args[1]!);
  const piece = args[3]!;
  const e = ctx.keys.get(key);
  if (e !== undefined && !(e.value instanceof Uint8Array)) return ctx.out.error(WRONGTYPE);
  const old = e === undefined ? EMPTY : (e.value as Uint8Array);
  if (piece.length === 0) return ctx.out.integer(old.length);
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || tooLong(ctx, Number(n), piece.length)) {
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) tooLong(ctx, Infinity, 0);
    return;
  }
  const offset = Number(n);
  // A new array: the stored one may still be read elsewhere (a reply or snapshot in progress).
  const next = new Uint8Array(Math.max(old.length, offset + piece.length));
  next.set(old);
  next.set(piece, offset);
  // Redis edits the string in place, in its raw encoding (OBJECT ENCODING shows it).
  markRawString(next);
  ctx.keys.set(key, next, e?.expiresAt ?? 0);
  ctx.log(['SETRANGE', args[1]!, args[2]!, piece]);
  ctx.notify('$', 'setrange', key);
  ctx.out.integer(next.length);
}

function append(args: Uint8Array[], ctx: CommandContext): void {
  const key = latin1(args[1]!);
  const piece = args[2]!;
  const e = ctx.keys.get(key);
  if (e !== undefined && !(e.value instanceof Uint8Array)) return ctx.out.error(WRONGTYPE);
  const old = e === undefined ? EMPTY : (e.value as Uint8Array);
  if (e !== undefined && tooLong(ctx, old.length, piece.length)) return;
  // A new key holds the argument as SET would store it; an appended one is raw in Redis.
  const next = new Uint8Array(old.length + piece.length);
  next.set(old);
  next.set(piece, old.length);
  if (e !== undefined) markRawString(next);
  ctx.keys.set(key, next, e?.expiresAt ?? 0);
  ctx.log(['APPEND', args[1]!, piece]);
  ctx.notify('$', 'append', key);
  ctx.out.integer(next.length);
}

function strlen(args: Uint8Array[], ctx: CommandContext): void {
  const e = ctx.keys.get(latin1(args[1]!));
  if (e === undefined) return ctx.out.integer(0);
  if (!(e.value instanceof Uint8Array)) return ctx.out.error(WRONGTYPE);
  ctx.out.integer(e.value.length);
}

function lcs(args: Uint8Array[], ctx: CommandContext): void {
  const ea = ctx.keys.get(latin1(args[1]!));
  const eb = ctx.keys.get(latin1(args[2]!));
  if (
    (ea !== undefined && !(ea.value instanceof Uint8Array)) ||
    (eb !== undefined && !(eb.value instanceof Uint8Array))
  )
    return ctx.out.error('ERR The specified keys must contain string values');
  const a = (ea?.value as Uint8Array | undefined) ?? EMPTY;
  const b = (eb?.value as Uint8Array | undefined) ?? EMPTY;
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0n;
  for (let j = 3; j < args.length; j++) {
    const o = args[j]!;
    if (isWord(o, 'IDX')) getIdx = true;
    else if (isWord(o, 'LEN')) getLen = true;
    else if (isWord(o, 'WITHMATCHLEN')) withMatchLen = true;
    else if (isWord(o, 'MINMATCHLEN') && j + 1 < args.length) {
      const n = parseInteger(args[++j]!);
      if (n === undefined) return ctx.out.error(NOT_AN_INTEGER);
      minMatchLen = n < 0n ? 0n : n;
    } else return ctx.out.error(SYNTAX_ERROR);
  }
  if (getLen && getIdx) return ctx.out.error('ERR If you want both the length and indexes, please just use IDX.');
  const alen = a.length;
  const blen = b.length;
  const cells = (alen + 1) * (blen + 1);
  if (cells * 4 > ctx.server.limits.maxBulkBytes)
    return ctx.out.error('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  // table[i * (blen + 1) + j]: the LCS length of a's first i bytes and b's first j.
  const w = blen + 1;
  const table = new Uint32Array(cells);
  for (let i = 1; i <= alen; i++)
    for (let j = 1; j <= blen; j++)
      table[i * w + j] =
        a[i - 1] === b[j - 1]
          ? table[(i - 1) * w + j - 1]! + 1
          : Math.max(table[(i - 1) * w + j]!, table[i * w + j - 1]!);
  const total = table[alen * w + blen]!;
  if (getLen) return ctx.out.integer(total);
  // Walk back from the end, collecting the string and the matching ranges (last first), as Redis does.
  const result = new Uint8Array(total);
  const ranges: number[][] = [];
  let idx = total;
  let i = alen;
  let j = blen;
  let aStart = alen;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1]!;
      if (aStart === alen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else emit = true;
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (table[(i - 1) * w + j]! > table[i * w + j - 1]!) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    const matchLen = aEnd - aStart + 1;
    if (emit) {
      if (minMatchLen === 0n || BigInt(matchLen) >= minMatchLen) ranges.push([aStart, aEnd, bStart, bEnd, matchLen]);
      aStart = alen;
    }
  }
  if (!getIdx) return ctx.out.bulk(result);
  ctx.out.mapHeader(2);
  ctx.out.bulk(ascii('matches'));
  ctx.out.arrayHeader(ranges.length);
  for (const [as, ae, bs, be, len] of ranges) {
    ctx.out.arrayHeader(withMatchLen ? 3 : 2);
    ctx.out.arrayHeader(2);
    ctx.out.integer(as!);
    ctx.out.integer(ae!);
    ctx.out.arrayHeader(2);
    ctx.out.integer(bs!);
    ctx.out.integer(be!);
    if (withMatchLen) ctx.out.integer(len!);
  }
  ctx.out.bulk(ascii('len'));
  ctx.out.integer(total);
}

/** GETRANGE, SUBSTR, SETRANGE, APPEND, STRLEN and LCS. */
export const RANGE_COMMANDS: readonly CommandSpec[] = [
  { name: 'getrange', arity: 4, keys: [1, 1, 1], run: getrange },
  { name: 'substr', arity: 4, keys: [1, 1, 1], run: getrange },
  { name: 'setrange', arity: 4, keys: [1, 1, 1], values: (i) => i === 3, run: setrange },
  { name: 'append', arity: 3, keys: [1, 1, 1], values: (i) => i === 2, run: append },
  { name: 'strlen', arity: 2, keys: [1, 1, 1], run: strlen },
  { name: 'lcs', arity: -3, keys: [1, 2, 1], run: lcs },
];
