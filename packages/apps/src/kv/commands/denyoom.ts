/**
 * Refusing commands past maxmemory, as Redis 7.0's processCommand: the
 * commands flagged DENYOOM (those that may grow the data set), every
 * command queued inside MULTI, and EXEC of a queue holding one of them.
 * @module
 */
import { IN_MULTI } from './client-flags.js';
import { overMaxmemory } from './admin-memory.js';
import type { CommandContext, CommandSpec } from './context.js';

// Redis 7.0's commands flagged DENYOOM (src/commands/*.json).
const DENYOOM = new Set(
  (
    'append bitfield bitop blmove brpoplpush copy decr decrby geoadd georadius georadiusbymember geosearchstore ' +
    'getset hincrby hincrbyfloat hmset hset hsetnx incr incrby incrbyfloat linsert lmove lpush lpushx lset mset ' +
    'msetnx pfadd pfdebug pfmerge psetex restore restore-asking rpoplpush rpush rpushx sadd sdiffstore set ' +
    'setbit setex setnx setrange sinterstore sort sunionstore xadd xsetid zadd zdiffstore zincrby zinterstore ' +
    'zrangestore zunionstore'
  ).split(' '),
);
// What a client in MULTI may still send when out of memory.
const ALWAYS = new Set(['exec', 'discard', 'quit', 'reset']);

/** Whether `spec` must be refused now (maxmemory set and passed); call only when maxmemory is set. */
export function refusedForMemory(spec: CommandSpec, ctx: CommandContext): boolean {
  const name = spec.name;
  let refuse = DENYOOM.has(name);
  if (!refuse && name === 'exec') refuse = ctx.client.queue?.some((q) => DENYOOM.has(q.spec.name)) ?? false;
  if (!refuse && (ctx.client.flags & IN_MULTI) !== 0 && !ALWAYS.has(name)) refuse = true;
  return refuse && overMaxmemory(ctx);
}
