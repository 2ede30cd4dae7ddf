/**
 * Memory as Redis reports and limits it: MEMORY USAGE, INFO's
 * used_memory, and maxmemory (with noeviction, Redis' only policy here:
 * past the limit, commands that may grow the data set are refused). The
 * figures are estimates from the data's sizes plus Redis' per-element
 * overheads, not this process's heap.
 * @module
 */
import { StreamValue } from '../core/stream.js';
import { excerpt, latin1 } from '../core/bytes.js';
import { HashValue } from '../core/hash.js';
import type { Keyspace } from '../core/keyspace.js';
import { ListValue } from '../core/list.js';
import { SetValue } from '../core/set.js';
import type { Value } from '../core/values.js';
import { stringEncoding } from './admin-object.js';
import type { CommandContext } from './context.js';

/** Redis' reply to a command refused past maxmemory. */
export const OOM_ERROR = "OOM command not allowed when used memory > 'maxmemory'.";

/** What a server with no data reports (Redis 7.0 starts near 1 MB). */
const BASELINE = 1 << 20;

/** An estimate of the bytes `value` takes (MEMORY USAGE): payload plus per-element overhead like Redis'. */
export function memoryUsage(key: string, value: Value): number {
  const head = 16 + key.length + 8;
  if (value instanceof Uint8Array) return head + (stringEncoding(value) === 'int' ? 0 : value.length + 3);
  let n = head + 64;
  if (value instanceof ListValue) for (const v of value.items) n += v.length + 2;
  else if (value instanceof HashValue) for (const [f, v] of value.fields) n += f.length + v.length + 32;
  else if (value instanceof SetValue) for (const m of value.members) n += m.length + 24;
  else if (value instanceof StreamValue) n += value.serialize().length;
  else for (const [m] of value.entries()) n += m.length + 40;
  return n;
}

/** INFO's used_memory: the baseline plus every key's estimate (a walk over the keys). */
export function usedMemory(keys: Keyspace): number {
  let used = BASELINE;
  for (const [key, e] of keys.entries()) used += memoryUsage(key, e.value);
  return used;
}

/**
 * Whether a command that may grow the data set must be refused with
 * {@link OOM_ERROR} (maxmemory set and passed). Free when maxmemory is 0;
 * otherwise it walks the keys, as only tests and small servers set it.
 */
export function overMaxmemory(ctx: CommandContext): boolean {
  const max = ctx.server.config.maxmemory;
  return max !== 0 && usedMemory(ctx.keys) > max;
}

/** MEMORY USAGE (and HELP): an estimate, null for a missing key. */
export function memory(args: Uint8Array[], ctx: CommandContext): void {
  const sub = excerpt(args[1]!).toLowerCase();
  if (sub === 'usage') {
    if (args.length !== 3 && args.length !== 5)
      return ctx.out.error("ERR wrong number of arguments for 'memory|usage' command");
    const key = latin1(args[2]!);
    const entry = ctx.keys.get(key);
    return entry === undefined ? ctx.out.bulk(null) : ctx.out.integer(memoryUsage(key, entry.value));
  }
  ctx.out.error(`ERR unknown subcommand '${excerpt(args[1]!)}'. Try MEMORY HELP.`);
}
