/**
 * A server made a replica by REPLICAOF refuses writes from its clients
 * (READONLY), as Redis 7.0's processCommand does for the commands flagged
 * WRITE (and EXEC of a queue holding one).
 * @module
 */
import type { CommandContext, CommandSpec } from './context.js';

/** Redis' reply to a write sent to a read-only replica. */
export const READONLY_ERROR = "READONLY You can't write against a read only replica.";

// Redis 7.0's commands flagged WRITE (src/commands/*.json).
const WRITE = new Set(
  (
    'append bitfield bitop blmove blmpop blpop brpop brpoplpush bzmpop bzpopmax bzpopmin copy decr decrby del ' +
    'expire expireat flushall flushdb geoadd georadius georadiusbymember geosearchstore getdel getex getset hdel ' +
    'hincrby hincrbyfloat hmset hset hsetnx incr incrby incrbyfloat linsert lmove lmpop lpop lpush lpushx lrem lset ' +
    'ltrim migrate move mset msetnx persist pexpire pexpireat pfadd pfdebug pfmerge psetex rename renamenx restore ' +
    'rpop rpoplpush rpush rpushx sadd sdiffstore set setbit setex setnx setrange sinterstore smove sort spop srem ' +
    'sunionstore swapdb unlink xack xadd xautoclaim xclaim xdel xreadgroup xsetid xtrim zadd zdiffstore zincrby ' +
    'zinterstore zmpop zpopmax zpopmin zrangestore zrem zremrangebylex zremrangebyrank zremrangebyscore zunionstore'
  ).split(' '),
);

/** Whether `spec` writes and so must be refused by a replica (call only while the server is one). */
export function refusedAsReplica(spec: CommandSpec, ctx: CommandContext): boolean {
  if (WRITE.has(spec.name)) return true;
  return spec.name === 'exec' && (ctx.client.queue?.some((q) => WRITE.has(q.spec.name)) ?? false);
}
