/**
 * OBJECT (ENCODING, REFCOUNT, IDLETIME, FREQ, HELP):
 * what Redis 7.0 would say about a value's representation (object.c).
 * Strings carry no encoding here, so it is derived from the bytes as
 * Redis' tryObjectEncoding decides for a value SET stores; commands that
 * modify a string in place (APPEND, SETRANGE, SETBIT) can mark the result
 * raw with {@link markRawString}.
 * @module
 */
import { excerpt, latin1, parseInteger } from '../core/bytes.js';
import type { Entry } from '../core/keyspace.js';
import type { KvConfig } from '../core/config.js';
import type { Value } from '../core/values.js';
import type { CommandContext } from './context.js';

// Strings Redis would hold as raw sds whatever their content (modified in place).
const rawStrings = new WeakSet<Uint8Array>();

/** Marks a stored string as one Redis keeps "raw" (the result of APPEND, SETRANGE, SETBIT), for OBJECT ENCODING. */
export function markRawString(bytes: Uint8Array): void {
  rawStrings.add(bytes);
}

/** Longest string Redis 7.0 embeds in its object (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
const EMBSTR_LIMIT = 44;

/** The string encoding Redis 7.0 reports for `bytes`: int, embstr or raw. */
export function stringEncoding(bytes: Uint8Array): 'int' | 'embstr' | 'raw' {
  if (rawStrings.has(bytes)) return 'raw';
  if (bytes.length <= 20 && parseInteger(bytes) !== undefined) return 'int';
  return bytes.length <= EMBSTR_LIMIT ? 'embstr' : 'raw';
}

/** What OBJECT ENCODING reports for `value`. */
export function encodingOf(value: Value): string {
  return value instanceof Uint8Array ? stringEncoding(value) : value.encoding;
}

/** Redis' refcount of a shared integer object (OBJ_SHARED_REFCOUNT). */
const SHARED_REFCOUNT = 2147483647;

/** OBJECT REFCOUNT: shared integers 0..9999 (unless maxmemory with an LRU/LFU policy forbids sharing), else 1. */
export function refcountOf(value: Value, config: KvConfig): number {
  if (!(value instanceof Uint8Array) || stringEncoding(value) !== 'int') return 1;
  const policy = config.others.get('maxmemory-policy') ?? 'noeviction';
  if (config.maxmemory !== 0 && /lru|lfu/.test(policy)) return 1;
  const n = parseInteger(value)!;
  return n >= 0n && n < 10000n ? SHARED_REFCOUNT : 1;
}

// Object ids, standing in for addresses in DEBUG OBJECT (an entry keeps its id while its key lives).
const ids = new WeakMap<Entry, number>();
let nextId = 1;

/** A stable pseudo-address for the value of `entry` (DEBUG OBJECT's "at:"). */
export function addressOf(entry: Entry): string {
  let id = ids.get(entry);
  if (id === undefined) ids.set(entry, (id = nextId++));
  return `0x${(0x7f0000000000 + id * 16).toString(16)}`;
}

const OBJECT_HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];

/** OBJECT and its subcommands. */
export function object(args: Uint8Array[], ctx: CommandContext): void {
  const sub = excerpt(args[1]!).toLowerCase();
  if (sub === 'help' && args.length === 2) {
    ctx.out.arrayHeader(OBJECT_HELP.length);
    for (const line of OBJECT_HELP) ctx.out.simple(line);
    return;
  }
  if (!['encoding', 'refcount', 'idletime', 'freq'].includes(sub))
    return ctx.out.error(`ERR unknown subcommand '${excerpt(args[1]!)}'. Try OBJECT HELP.`);
  if (args.length !== 3) return ctx.out.error(`ERR wrong number of arguments for 'object|${sub}' command`);
  const entry = ctx.keys.get(latin1(args[2]!));
  if (entry === undefined) return ctx.out.bulk(null);
  switch (sub) {
    case 'encoding':
      return ctx.out.bulkText(encodingOf(entry.value));
    case 'refcount':
      return ctx.out.integer(refcountOf(entry.value, ctx.server.config));
    case 'idletime':
      if (/lfu/.test(ctx.server.config.others.get('maxmemory-policy') ?? ''))
        return ctx.out.error(
          'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
        );
      return ctx.out.integer(0);
    default:
      if (!/lfu/.test(ctx.server.config.others.get('maxmemory-policy') ?? ''))
        return ctx.out.error(
          'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
        );
      return ctx.out.integer(0);
  }
}
