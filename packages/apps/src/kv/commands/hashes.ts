/**
 * Hash commands: HSET, HMSET, HSETNX, HGET, HMGET, HDEL, HLEN, HSTRLEN,
 * HEXISTS, HKEYS, HVALS, HGETALL and HSCAN here; HINCRBY and HINCRBYFLOAT
 * in hashes-incr.ts, HRANDFIELD in hashes-random.ts. Replies as Redis
 * 7.0's t_hash.c; an emptied hash is deleted.
 * @module
 */
import { latin1 } from '../core/bytes.js';
import { HashValue } from '../core/hash.js';
import type { CommandContext, CommandSpec } from './context.js';
import { hashAt } from './hashes-common.js';
import { HASH_INCR_COMMANDS } from './hashes-incr.js';
import { HASH_RANDOM_COMMANDS } from './hashes-random.js';
import { scanCollection } from './sets-scan.js';

function hset(args: Uint8Array[], ctx: CommandContext): void {
  // HSET and HMSET differ in the second letter, as Redis tells them apart.
  const name = (args[0]![1]! | 0x20) === 0x73 ? 'hset' : 'hmset';
  if (args.length % 2 === 1) return ctx.out.error(`ERR wrong number of arguments for '${name}' command`);
  const key = latin1(args[1]!);
  let hash = hashAt(key, ctx);
  if (hash === null) return;
  if (hash === undefined) ctx.keys.set(key, (hash = new HashValue()));
  const config = ctx.server.config;
  // Redis converts before writing when any field or value is too long for a listpack.
  let longest = 0;
  for (let i = 2; i < args.length; i++) if (args[i]!.length > longest) longest = args[i]!.length;
  hash.grow(Infinity, config.hashMaxListpackValue, longest);
  let created = 0;
  for (let i = 2; i < args.length; i += 2) {
    if (hash.set(latin1(args[i]!), args[i + 1]!.slice())) created++;
    hash.grow(config.hashMaxListpackEntries, Infinity, 0);
  }
  ctx.log(args);
  ctx.notify('h', 'hset', key);
  if (name === 'hset') ctx.out.integer(created);
  else ctx.out.simple('OK');
}

function hsetnx(args: Uint8Array[], ctx: CommandContext): void {
  const key = latin1(args[1]!);
  let hash = hashAt(key, ctx);
  if (hash === null) return;
  const field = latin1(args[2]!);
  if (hash?.fields.has(field) === true) return ctx.out.integer(0);
  if (hash === undefined) ctx.keys.set(key, (hash = new HashValue()));
  const config = ctx.server.config;
  hash.grow(Infinity, config.hashMaxListpackValue, Math.max(args[2]!.length, args[3]!.length));
  hash.set(field, args[3]!.slice());
  hash.grow(config.hashMaxListpackEntries, Infinity, 0);
  ctx.log(['HSET', args[1]!, args[2]!, args[3]!]);
  ctx.notify('h', 'hset', key);
  ctx.out.integer(1);
}

function hget(args: Uint8Array[], ctx: CommandContext): void {
  const hash = hashAt(latin1(args[1]!), ctx);
  if (hash !== null) ctx.out.bulk(hash?.fields.get(latin1(args[2]!)) ?? null);
}

function hmget(args: Uint8Array[], ctx: CommandContext): void {
  const hash = hashAt(latin1(args[1]!), ctx);
  if (hash === null) return;
  ctx.out.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) ctx.out.bulk(hash?.fields.get(latin1(args[i]!)) ?? null);
}

function hdel(args: Uint8Array[], ctx: CommandContext): void {
  const key = latin1(args[1]!);
  const hash = hashAt(key, ctx);
  if (hash === null) return;
  let deleted = 0;
  if (hash !== undefined)
    for (let i = 2; i < args.length && hash.size > 0; i++) if (hash.delete(latin1(args[i]!))) deleted++;
  if (deleted > 0) {
    ctx.log(args);
    ctx.notify('h', 'hdel', key);
    if (hash!.size === 0) {
      ctx.keys.delete(key);
      ctx.notify('g', 'del', key);
    }
  }
  ctx.out.integer(deleted);
}

function hlen(args: Uint8Array[], ctx: CommandContext): void {
  const hash = hashAt(latin1(args[1]!), ctx);
  if (hash !== null) ctx.out.integer(hash?.size ?? 0);
}

function hstrlen(args: Uint8Array[], ctx: CommandContext): void {
  const hash = hashAt(latin1(args[1]!), ctx);
  if (hash !== null) ctx.out.integer(hash?.fields.get(latin1(args[2]!))?.length ?? 0);
}

function hexists(args: Uint8Array[], ctx: CommandContext): void {
  const hash = hashAt(latin1(args[1]!), ctx);
  if (hash !== null) ctx.out.integer(hash?.fields.has(latin1(args[2]!)) === true ? 1 : 0);
}

// HKEYS, HVALS and HGETALL (a map of both).
function hgetall(args: Uint8Array[], ctx: CommandContext, keys: boolean, values: boolean): void {
  const hash = hashAt(latin1(args[1]!), ctx);
  if (hash === null) return;
  const n = hash?.size ?? 0;
  if (keys && values) ctx.out.mapHeader(n);
  else ctx.out.arrayHeader(n);
  if (hash === undefined) return;
  for (const [field, value] of hash.fields) {
    if (keys) ctx.out.bulkText(field);
    if (values) ctx.out.bulk(value);
  }
}

/** The hashes commands, as entries of the command table. */
export const HASH_COMMANDS: readonly CommandSpec[] = [
  { name: 'hset', arity: -4, keys: [1, 1, 1], values: (i) => i >= 3 && i % 2 === 1, run: hset },
  { name: 'hmset', arity: -4, keys: [1, 1, 1], values: (i) => i >= 3 && i % 2 === 1, run: hset },
  { name: 'hsetnx', arity: 4, keys: [1, 1, 1], values: (i) => i === 3, run: hsetnx },
  { name: 'hget', arity: 3, keys: [1, 1, 1], run: hget },
  { name: 'hmget', arity: -3, keys: [1, 1, 1], run: hmget },
  { name: 'hdel', arity: -3, keys: [1, 1, 1], run: hdel },
  { name: 'hlen', arity: 2, keys: [1, 1, 1], run: hlen },
  { name: 'hstrlen', arity: 3, keys: [1, 1, 1], run: hstrlen },
  { name: 'hexists', arity: 3, keys: [1, 1, 1], run: hexists },
  { name: 'hkeys', arity: 2, keys: [1, 1, 1], run: (a, c) => hgetall(a, c, true, false) },
  { name: 'hvals', arity: 2, keys: [1, 1, 1], run: (a, c) => hgetall(a, c, false, true) },
  { name: 'hgetall', arity: 2, keys: [1, 1, 1], run: (a, c) => hgetall(a, c, true, true) },
  { name: 'hscan', arity: -3, keys: [1, 1, 1], run: (a, c) => scanCollection(a, c, true) },
  ...HASH_INCR_COMMANDS,
  ...HASH_RANDOM_COMMANDS,
];
