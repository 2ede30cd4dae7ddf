/**
 * Transaction commands (MULTI, EXEC, DISCARD, WATCH, UNWATCH), as Redis'
 * multi.c. Queueing is dispatch's (table.ts): it replies +QUEUED, or
 * refuses a command and marks the transaction to abort.
 * @module
 */
import { DIRTY_CAS, DIRTY_EXEC, IN_EXEC, IN_MULTI, WATCHING } from './client-flags.js';
import { latin1 } from '../core/bytes.js';
import type { CommandContext, CommandSpec } from './context.js';
import { execute } from './execute.js';

function multi(_args: Uint8Array[], ctx: CommandContext): void {
  const c = ctx.client;
  if ((c.flags & IN_MULTI) !== 0) return ctx.out.error('ERR MULTI calls can not be nested');
  c.flags |= IN_MULTI;
  c.queue = [];
  ctx.out.simple('OK');
}

/** Ends the client's transaction (if any) and unwatches its keys (Redis' discardTransaction). */
export function discardTransaction(ctx: CommandContext): void {
  const c = ctx.client;
  c.queue = undefined;
  c.flags &= ~(IN_MULTI | DIRTY_CAS | DIRTY_EXEC | IN_EXEC);
  if ((c.flags & WATCHING) !== 0) ctx.hub.watched.unwatchAll(c);
}

function discard(_args: Uint8Array[], ctx: CommandContext): void {
  if ((ctx.client.flags & IN_MULTI) === 0) return ctx.out.error('ERR DISCARD without MULTI');
  discardTransaction(ctx);
  ctx.out.simple('OK');
}

function exec(_args: Uint8Array[], ctx: CommandContext): void {
  const c = ctx.client;
  if ((c.flags & IN_MULTI) === 0) return ctx.out.error('ERR EXEC without MULTI');
  // A key alive when watched that has expired since counts as changed (Redis 7.0's isWatchedKeyExpired).
  if ((c.flags & WATCHING) !== 0 && ctx.hub.watched.expiredSinceWatch(c, ctx.keys)) c.flags |= DIRTY_CAS;
  if ((c.flags & (DIRTY_CAS | DIRTY_EXEC)) !== 0) {
    if ((c.flags & DIRTY_EXEC) !== 0) ctx.out.error('EXECABORT Transaction discarded because of previous errors.');
    else ctx.out.nullArray();
    return discardTransaction(ctx);
  }
  if ((c.flags & WATCHING) !== 0) ctx.hub.watched.unwatchAll(c);
  const queue = c.queue ?? [];
  c.flags |= IN_EXEC;
  ctx.out.arrayHeader(queue.length);
  try {
    for (const q of queue) execute(q.spec, q.args, ctx);
  } finally {
    discardTransaction(ctx);
  }
}

function watch(args: Uint8Array[], ctx: CommandContext): void {
  const c = ctx.client;
  if ((c.flags & IN_MULTI) !== 0) return ctx.out.error('ERR WATCH inside MULTI is not allowed');
  // No point in watching once a watched key has changed.
  if ((c.flags & DIRTY_CAS) === 0) {
    const now = ctx.keys.now();
    for (let i = 1; i < args.length; i++) {
      const key = latin1(args[i]!);
      const e = ctx.keys.peek(key);
      ctx.hub.watched.watch(c, key, e !== undefined && e.expiresAt !== 0 && e.expiresAt <= now);
    }
  }
  ctx.out.simple('OK');
}

function unwatch(_args: Uint8Array[], ctx: CommandContext): void {
  const c = ctx.client;
  if ((c.flags & WATCHING) !== 0) ctx.hub.watched.unwatchAll(c);
  c.flags &= ~DIRTY_CAS;
  ctx.out.simple('OK');
}

/** The transactions commands, as entries of the command table. */
export const TRANSACTION_COMMANDS: readonly CommandSpec[] = [
  { name: 'multi', arity: 1, run: multi },
  { name: 'exec', arity: 1, run: exec },
  { name: 'discard', arity: 1, run: discard },
  { name: 'watch', arity: -2, keys: [1, -1, 1], run: watch },
  { name: 'unwatch', arity: 1, run: unwatch },
];
