/**
 * SSCAN and HSCAN: a small (intset or listpack encoded) collection is
 * returned whole with cursor 0, as Redis does; a large one is walked in
 * steps, each cursor naming a live iterator of the collection (a Map or
 * Set iterator visits every element present for the whole scan exactly
 * once, which is SCAN's guarantee).
 * @module
 */
import { latin1 } from '../core/bytes.js';
import { globMatch } from '../core/glob.js';
import { HashValue } from '../core/hash.js';
import { SetValue } from '../core/set.js';
import { WRONGTYPE, type CommandContext } from './context.js';
import { parseScanCursor, parseScanOptions } from './scan-options.js';

// Most cursors kept at once over all collections; the oldest goes first (its scan then ends early).
const MAX_CURSORS = 1024;

interface Walk {
  readonly owner: HashValue | SetValue;
  readonly it: Iterator<string>;
}

const walks = new Map<bigint, Walk>();
let nextCursor = 1n;

// One step over a large collection: up to `count` elements and the cursor to go on with (0n when done).
function step(owner: HashValue | SetValue, cursor: bigint, count: number): { cursor: bigint; items: string[] } {
  let it: Iterator<string> | undefined;
  if (cursor === 0n) it = owner instanceof HashValue ? owner.fields.keys() : owner.members.values();
  else {
    const w = walks.get(cursor);
    walks.delete(cursor);
    // A cursor that is unknown (or another key's) ends the scan.
    if (w === undefined || w.owner !== owner) return { cursor: 0n, items: [] };
    it = w.it;
  }
  const items: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = it.next();
    if (r.done === true) return { cursor: 0n, items };
    items.push(r.value);
  }
  const next = nextCursor++;
  walks.set(next, { owner, it });
  if (walks.size > MAX_CURSORS) walks.delete(walks.keys().next().value!);
  return { cursor: next, items };
}

/** SSCAN key cursor [MATCH pattern] [COUNT count] and HSCAN (the same for a hash: field, value pairs). */
export function scanCollection(args: Uint8Array[], ctx: CommandContext, hash: boolean): void {
  const cursor = parseScanCursor(args[2]!, ctx);
  if (cursor === undefined) return;
  const v = ctx.keys.get(latin1(args[1]!))?.value;
  if (v === undefined) return ctx.out.text('*2\r\n$1\r\n0\r\n*0\r\n');
  if (hash ? !(v instanceof HashValue) : !(v instanceof SetValue)) return ctx.out.error(WRONGTYPE);
  const value = v as HashValue | SetValue;
  const options = parseScanOptions(args, 3, ctx, false);
  if (options === undefined) return;
  let items: readonly string[];
  let next = 0n;
  if (value.encoding === 'listpack') items = [...value.fields.keys()];
  else if (value.encoding === 'intset') items = value.list();
  else ({ cursor: next, items } = step(value, cursor, options.count));
  const pattern = options.pattern;
  const fields = value instanceof HashValue ? value.fields : undefined;
  const found: string[] = [];
  // The items are live: read from the value (or its live iterator) just now.
  for (const item of items) if (pattern === undefined || globMatch(pattern, item)) found.push(item);
  ctx.out.arrayHeader(2);
  ctx.out.bulkText(String(next));
  ctx.out.arrayHeader(fields !== undefined ? found.length * 2 : found.length);
  for (const item of found) {
    ctx.out.bulkText(item);
    if (fields !== undefined) ctx.out.bulk(fields.get(item)!);
  }
}
