/**
 * SORT and SORT_RO (Redis' sort.c): the elements of a list, set or sorted
 * set, ordered as numbers or (ALPHA) as bytes, optionally by other keys
 * (BY pattern), cut (LIMIT), mapped (GET pattern...), and replied or stored
 * as a list (STORE). Elements are handled as latin1 strings.
 * @module
 */
import { isWord, latin1, latin1Bytes } from '../core/bytes.js';
import { HashValue } from '../core/hash.js';
import { ListValue } from '../core/list.js';
import { SetValue } from '../core/set.js';
import { SortedSetValue } from '../core/sorted-set.js';
import { SYNTAX_ERROR, WRONGTYPE, type CommandContext } from './context.js';
import { longArg } from './lists-common.js';

/** One element being sorted: itself, and what it sorts by. */
interface Item {
  readonly value: string;
  score: number;
  by: string | null;
}

/** The string a BY/GET pattern names for `element` ('#': the element itself), or null (Redis' lookupKeyByPattern). */
function lookup(ctx: CommandContext, pattern: string, element: string): string | null {
  if (pattern === '#') return element;
  const star = pattern.indexOf('*');
  if (star < 0) return null;
  const arrow = pattern.indexOf('->', star + 1);
  const field = arrow >= 0 && arrow + 2 < pattern.length ? pattern.slice(arrow + 2) : undefined;
  const key = pattern.slice(0, star) + element + pattern.slice(star + 1, field === undefined ? undefined : arrow);
  const v = ctx.keys.get(key)?.value;
  if (v === undefined) return null;
  if (field !== undefined) {
    if (!(v instanceof HashValue)) return null;
    const f = v.fields.get(field);
    return f === undefined ? null : latin1(f);
  }
  return v instanceof Uint8Array ? latin1(v) : null;
}

const STRTOD =
  /^[\t\n\v\f\r ]*([+-]?)(?:(\d+\.?\d*|\.\d+)(?:e([+-]?\d+))?|0x([\da-f]+\.?[\da-f]*|\.[\da-f]+)(?:p([+-]?\d+))?|(inf(?:inity)?))$/i;

/** `s` as C sees it: up to its first NUL byte. */
function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/**
 * A string as SORT's strtod reads all of it (as a C string), or undefined
 * for its conversion error: junk, NaN, overflow or underflow (ERANGE).
 */
function strtod(s: string): number | undefined {
  const c = cString(s);
  const m = STRTOD.exec(c);
  if (m === null) return c === '' ? 0 : undefined; // nothing consumed, at the end: no error
  const sign = m[1] === '-' ? -1 : 1;
  if (m[6] !== undefined) return sign * Infinity;
  let n: number;
  let digits: string;
  if (m[2] !== undefined) {
    digits = m[2];
    n = Number(`${m[2]}e${m[3] ?? '0'}`);
  } else {
    digits = m[4]!;
    const [int = '', frac = ''] = digits.split('.');
    n = parseInt(`${int}${frac}` || '0', 16) * 2 ** (Number(m[5] ?? '0') - 4 * frac.length);
  }
  const nonzero = /[1-9a-f]/i.test(digits);
  if (!Number.isFinite(n) || (nonzero && n < 2.2250738585072014e-308)) return undefined;
  return sign * n;
}

/** Byte order of latin1 strings (memcmp, shorter first on a common prefix). */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** strcoll in the C locale: byte order of the strings up to their first NUL. */
function collate(a: string, b: string): number {
  return compareBytes(cString(a), cString(b));
}

/** The elements of a list, set or sorted set; undefined for other types (null for no key). */
function elementsOf(v: unknown): string[] | null | undefined {
  if (v === undefined) return null;
  if (v instanceof ListValue) return v.items.map(latin1);
  if (v instanceof SetValue) return [...v.members];
  if (v instanceof SortedSetValue) return v.entries().map((e) => e[0]);
  return undefined;
}

/** SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination]. */
export function sort(args: Uint8Array[], ctx: CommandContext, readonly: boolean): void {
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let by: string | undefined;
  let dontSort = false;
  let store: Uint8Array | undefined;
  const gets: string[] = [];
  for (let j = 2; j < args.length; j++) {
    const a = args[j]!;
    const left = args.length - j - 1;
    if (isWord(a, 'ASC')) desc = false;
    else if (isWord(a, 'DESC')) desc = true;
    else if (isWord(a, 'ALPHA')) alpha = true;
    else if (isWord(a, 'LIMIT') && left >= 2) {
      const s = longArg(ctx, args[j + 1]!);
      if (s === undefined) return;
      const c = longArg(ctx, args[j + 2]!);
      if (c === undefined) return;
      limitStart = s;
      limitCount = c;
      j += 2;
    } else if (!readonly && isWord(a, 'STORE') && left >= 1) store = args[++j]!;
    else if (isWord(a, 'BY') && left >= 1) {
      by = latin1(args[++j]!);
      // As in Redis, one BY without '*' turns sorting off for good (a later BY with one does not undo it).
      if (!by.includes('*')) dontSort = true;
    } else if (isWord(a, 'GET') && left >= 1) gets.push(latin1(args[++j]!));
    else return ctx.out.error(SYNTAX_ERROR);
  }
  const source = ctx.keys.get(latin1(args[1]!))?.value;
  const all = elementsOf(source);
  if (all === undefined) return ctx.out.error(WRONGTYPE);
  const elements = all ?? [];
  // Redis' SORT converts a sorted set to a skiplist first (OBJECT ENCODING shows it).
  if (source instanceof SortedSetValue) source.encoding = 'skiplist';
  // A set has no order of its own: stored (or scripted) it is sorted anyway, as bytes.
  if (dontSort && source instanceof SetValue && store !== undefined) {
    dontSort = false;
    alpha = true;
    by = undefined;
  }
  const len = elements.length;
  let start = Math.min(Math.max(limitStart, 0), len);
  const count = Math.min(Math.max(limitCount, -1), len);
  let end = count < 0 ? len - 1 : start + count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  let chosen: string[];
  if (dontSort) {
    // Lists and sorted sets keep their order (DESC reads it backwards); a set its iteration order.
    const ordered = desc && !(source instanceof SetValue) ? elements.reverse() : elements;
    chosen = end >= start ? ordered.slice(start, end + 1) : [];
  } else {
    const items: Item[] = elements.map((value) => ({ value, score: 0, by: null }));
    for (const item of items) {
      const key = by === undefined ? item.value : lookup(ctx, by, item.value);
      if (key === null) continue;
      if (alpha) {
        if (by !== undefined) item.by = key;
        continue;
      }
      const score = strtod(key);
      if (score === undefined) return ctx.out.error("ERR One or more scores can't be converted into double");
      item.score = score;
    }
    const sign = desc ? -1 : 1;
    const byBytes = store !== undefined; // stored: byte order; replied: strcoll (C locale)
    items.sort((x, y) => sign * compare(x, y, alpha, by !== undefined, byBytes));
    chosen = end >= start ? items.slice(start, end + 1).map((i) => i.value) : [];
  }

  if (store === undefined) return reply(ctx, chosen, gets);
  stored(ctx, store, chosen, gets);
}

// Redis' sortCompare; ties keep the input order (glibc's qsort merge-sorts; JS' sort is stable too).
function compare(x: Item, y: Item, alpha: boolean, byPattern: boolean, byBytes: boolean): number {
  if (!alpha) return x.score > y.score ? 1 : x.score < y.score ? -1 : compareBytes(x.value, y.value);
  const order = byBytes ? compareBytes : collate;
  if (!byPattern) return order(x.value, y.value);
  if (x.by === null || y.by === null) return x.by === y.by ? 0 : x.by === null ? -1 : 1;
  return order(x.by, y.by);
}

function reply(ctx: CommandContext, chosen: readonly string[], gets: readonly string[]): void {
  ctx.out.arrayHeader(gets.length === 0 ? chosen.length : chosen.length * gets.length);
  for (const e of chosen) {
    if (gets.length === 0) ctx.out.bulkText(e);
    for (const g of gets) {
      const v = lookup(ctx, g, e);
      if (v === null) ctx.out.bulk(null);
      else ctx.out.bulkText(v);
    }
  }
}

// STORE: the destination becomes the list (no expiry), or goes when it is empty.
function stored(ctx: CommandContext, dest: Uint8Array, chosen: readonly string[], gets: readonly string[]): void {
  const out: Uint8Array[] = [];
  for (const e of chosen) {
    if (gets.length === 0) out.push(latin1Bytes(e));
    for (const g of gets) out.push(latin1Bytes(lookup(ctx, g, e) ?? ''));
  }
  const key = latin1(dest);
  if (out.length > 0) {
    ctx.keys.set(key, new ListValue(out));
    ctx.notify('l', 'sortstore', key);
    ctx.log(['DEL', dest]);
    ctx.log(['RPUSH', dest, ...out]);
  } else if (ctx.keys.delete(key)) {
    ctx.notify('g', 'del', key);
    ctx.log(['DEL', dest]);
  }
  ctx.out.integer(out.length);
}

/** SORT's key positions: the sorted key, and STORE's destination. */
export function sortKeys(args: Uint8Array[]): number[] {
  const out = [1];
  for (let j = 2; j < args.length; j++) {
    if (isWord(args[j]!, 'LIMIT')) j += 2;
    else if (isWord(args[j]!, 'STORE') && j + 1 < args.length) out.push(++j);
    else if (isWord(args[j]!, 'BY') || isWord(args[j]!, 'GET')) j++;
  }
  return out;
}
