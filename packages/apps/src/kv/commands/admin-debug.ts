/**
 * DEBUG: the subcommands clients and Redis' own tests use (debug.c):
 * OBJECT, RELOAD and LOADAOF (the data set through a snapshot and back,
 * encodings recomputed as Redis' load does), DIGEST, DIGEST-VALUE, SLEEP,
 * SET-ACTIVE-EXPIRE, QUICKLIST-PACKED-THRESHOLD, HTSTATS-KEY,
 * CHANGE-REPL-ID, and a few accepted without effect.
 * @module
 */
import { StreamValue } from '../core/stream.js';
import { excerpt, latin1 } from '../core/bytes.js';
import type { KvConfig } from '../core/config.js';
import { HashValue } from '../core/hash.js';
import { ListValue } from '../core/list.js';
import { SetValue } from '../core/set.js';
import type { Value } from '../core/values.js';
import { decodeKeys, encodeKeys } from '../core/snapshot.js';
import { datasetDigest, digestHex, valueDigest } from './admin-digest.js';
import { addressOf, encodingOf, refcountOf, stringEncoding } from './admin-object.js';
import type { CommandContext } from './context.js';

const RELOAD_MAGIC = 0x52564b44; // "DKVR": a snapshot that never leaves memory

/** Empties the keyspace and loads it back from a snapshot of itself (DEBUG RELOAD), encodings as a load decides. */
export function reload(ctx: CommandContext): void {
  const bytes = encodeKeys(ctx.keys, 0, RELOAD_MAGIC);
  ctx.keys.flush();
  decodeKeys(bytes, ctx.keys, RELOAD_MAGIC, ctx.server.config);
}

// Redis' memtoull (digits and an optional unit), or undefined.
function memtoull(text: string): number | undefined {
  const m = /^(\d*)(b|k|kb|m|mb|g|gb)?$/i.exec(text);
  if (m === null) return undefined;
  const units: Record<string, number> = { b: 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  return Number(m[1] === '' ? '0' : m[1]) * (m[2] === undefined ? 1 : units[m[2].toLowerCase()]!);
}

// Bytes a listpack entry of `n` bytes takes (header, data, back-length), near enough.
function entryBytes(n: number): number {
  return n + (n < 64 ? 1 : n < 4096 ? 2 : 5) + (n < 127 ? 1 : 2);
}

// The quicklist fields of DEBUG OBJECT for a list: nodes as list-max-listpack-size would cut them.
function quicklistFields(list: ListValue, config: KvConfig): string {
  const fill = config.listMaxListpackSize;
  const limit = fill < 0 ? 4096 * 2 ** Math.min(-fill - 1, 4) : Infinity;
  const count = fill > 0 ? fill : Infinity;
  let nodes = 0;
  let size = 0;
  let nodeBytes = 0;
  let nodeCount = 0;
  for (const item of list.items) {
    const b = entryBytes(item.length);
    const plain = item.length >= config.quicklistPackedThreshold;
    if (plain || nodeCount === 0 || nodeBytes + b > limit || nodeCount + 1 > count) {
      nodes++;
      size += nodeBytes;
      nodeBytes = 6 + 1;
      nodeCount = 0;
    }
    nodeBytes += plain ? item.length - 7 : b;
    nodeCount = plain ? Infinity : nodeCount + 1;
  }
  size += nodeBytes;
  const avg = nodes === 0 ? 0 : list.items.length / nodes;
  return (
    ` ql_nodes:${nodes} ql_avg_node:${avg.toFixed(2)} ql_listpack_max:${fill}` +
    ` ql_compressed:${config.listCompressDepth !== 0 ? 1 : 0} ql_uncompressed_size:${size}`
  );
}

// About the bytes the value takes in Redis' RDB.
function serializedLength(value: Value): number {
  if (value instanceof Uint8Array) return stringEncoding(value) === 'int' ? 5 : value.length + 5;
  let n = 5;
  if (value instanceof ListValue) for (const v of value.items) n += v.length + 2;
  else if (value instanceof HashValue) for (const [f, v] of value.fields) n += f.length + v.length + 4;
  else if (value instanceof SetValue) for (const m of value.members) n += m.length + 2;
  else if (value instanceof StreamValue) n += value.serialize().length;
  else for (const [m] of value.entries()) n += m.length + 10;
  return n;
}

function debugObject(key: string, ctx: CommandContext): void {
  const entry = ctx.keys.get(key);
  if (entry === undefined) return ctx.out.error('ERR no such key');
  const v = entry.value;
  const lru = Math.floor(Date.now() / 1000) & 0xffffff;
  const extra = v instanceof ListValue ? quicklistFields(v, ctx.server.config) : '';
  ctx.out.simple(
    `Value at:${addressOf(entry)} refcount:${refcountOf(v, ctx.server.config)} encoding:${encodingOf(v)}` +
      ` serializedlength:${serializedLength(v)} lru:${lru} lru_seconds_idle:0${extra}`,
  );
}

function htstats(key: string, ctx: CommandContext): void {
  const entry = ctx.keys.get(key);
  if (entry === undefined) return ctx.out.error('ERR no such key');
  const v = entry.value;
  const size = v instanceof Uint8Array || v instanceof ListValue ? -1 : v.size;
  const enc = encodingOf(v);
  if (size < 0 || (enc !== 'hashtable' && enc !== 'skiplist'))
    return ctx.out.error('ERR The value stored at the specified key is not represented using an hash table');
  let table = 4;
  while (table < size) table *= 2;
  ctx.out.verbatim(
    `Hash table 0 stats (main hash table):\n table size: ${table}\n number of elements: ${size}\n` +
      ` different slots: ${Math.min(size, table)}\n max chain length: ${size > 0 ? 1 : 0}\n` +
      ` avg chain length (counted): ${size > 0 ? '1.00' : '0.00'}\n avg chain length (computed): ${size > 0 ? '1.00' : '0.00'}\n`,
  );
}

function sleep(seconds: number): void {
  const ms = Math.floor(seconds * 1e6) / 1e3;
  // Redis' DEBUG SLEEP blocks the whole server; so does this.
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const DEBUG_HELP = [
  'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANGE-REPL-ID',
  '    Change the replication IDs of the instance.',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'LOADAOF',
  '    Flush the AOF buffers on disk and reload the AOF in memory.',
  'OBJECT <key>',
  '    Show low level info about the <key> and associated value.',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    Sets the threshold for elements to be inserted as plain vs packed nodes',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'HELP',
  '    Prints this help.',
];

/** DEBUG and its subcommands. */
export function debug(args: Uint8Array[], ctx: CommandContext): void {
  const sub = excerpt(args[1]!).toLowerCase();
  const n = args.length;
  switch (true) {
    case sub === 'help' && n === 2:
      ctx.out.arrayHeader(DEBUG_HELP.length);
      for (const line of DEBUG_HELP) ctx.out.simple(line);
      return;
    case sub === 'reload': {
      for (let i = 2; i < n; i++)
        if (!['merge', 'noflush', 'nosave'].includes(excerpt(args[i]!).toLowerCase()))
          return ctx.out.error('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
      reload(ctx);
      return ctx.out.simple('OK');
    }
    case sub === 'loadaof':
      // The AOF holds what the keyspace holds (every write is logged before its reply): loading it gives this state.
      reload(ctx);
      return ctx.out.simple('OK');
    case sub === 'object' && n === 3:
      return debugObject(latin1(args[2]!), ctx);
    case sub === 'digest' && n === 2:
      return ctx.out.simple(digestHex(datasetDigest(ctx.keys)));
    case sub === 'digest-value':
      ctx.out.arrayHeader(n - 2);
      for (let i = 2; i < n; i++) {
        const e = ctx.keys.get(latin1(args[i]!));
        ctx.out.simple(e === undefined ? '0'.repeat(40) : digestHex(valueDigest(e.value)));
      }
      return;
    case sub === 'sleep' && n === 3:
      sleep(Number.parseFloat(latin1(args[2]!)) || 0);
      return ctx.out.simple('OK');
    case sub === 'set-active-expire' && n === 3:
      ctx.keys.activeExpire = Number.parseInt(latin1(args[2]!), 10) !== 0;
      return ctx.out.simple('OK');
    case sub === 'quicklist-packed-threshold' && n === 3: {
      const size = memtoull(latin1(args[2]!));
      if (size === undefined || size > 2 ** 32 - 2 ** 20)
        return ctx.out.error('ERR argument must be a memory value bigger than 1 and smaller than 4gb');
      ctx.server.config.quicklistPackedThreshold = size === 0 ? 2 ** 30 : size;
      return ctx.out.simple('OK');
    }
    case sub === 'htstats-key' && n === 3:
      return htstats(latin1(args[2]!), ctx);
    case (sub === 'change-repl-id' && n === 2) ||
      (['pause-cron', 'set-skip-checksum-validation', 'aof-flush-sleep', 'set-disable-deny-scripts'].includes(sub) &&
        n === 3):
      return ctx.out.simple('OK');
    default:
      ctx.out.error(`ERR unknown subcommand or wrong number of arguments for '${excerpt(args[1]!)}'. Try DEBUG HELP.`);
  }
}
