/**
 * Administration commands: CONFIG, INFO, DEBUG, OBJECT, MEMORY, FUNCTION
 * (this server has no functions: FLUSH and LIST only), SAVE, BGSAVE and
 * BGREWRITEAOF (each a snapshot written after the round, not in the
 * background), LASTSAVE.
 * @module
 */
import { excerpt, isWord } from '../core/bytes.js';
import { config } from './admin-config.js';
import { debug } from './admin-debug.js';
import { info } from './admin-info.js';
import { memory } from './admin-memory.js';
import { object } from './admin-object.js';
import type { CommandContext, CommandSpec } from './context.js';

function fn(args: Uint8Array[], ctx: CommandContext): void {
  const sub = excerpt(args[1]!).toLowerCase();
  if (sub === 'flush') {
    if (args.length > 3) return ctx.out.error("ERR wrong number of arguments for 'function|flush' command");
    if (args.length === 3 && !isWord(args[2]!, 'ASYNC') && !isWord(args[2]!, 'SYNC'))
      return ctx.out.error('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
    return ctx.out.simple('OK');
  }
  if (sub === 'list') return ctx.out.arrayHeader(0);
  ctx.out.error(`ERR unknown subcommand '${excerpt(args[1]!)}'. Try FUNCTION HELP.`);
}

function rewrite(_args: Uint8Array[], ctx: CommandContext): void {
  if (ctx.server.requestRewrite()) ctx.out.simple('Background append only file rewriting started');
  else ctx.out.error('ERR this server keeps no append only file (its kernel has no durable store)');
}

/** The administration commands, as entries of the command table. */
export const ADMIN_COMMANDS: readonly CommandSpec[] = [
  { name: 'config', arity: -2, values: (i) => i >= 3, run: config },
  { name: 'info', arity: -1, run: info },
  { name: 'debug', arity: -2, values: (i) => i >= 2, run: debug },
  { name: 'object', arity: -2, keys: [2, 2, 1], run: object },
  { name: 'memory', arity: -2, keys: [2, 2, 1], run: memory },
  { name: 'function', arity: -2, run: fn },
  {
    name: 'save',
    arity: 1,
    run: (_a, c) => {
      c.server.requestRewrite();
      c.out.simple('OK');
    },
  },
  {
    name: 'bgsave',
    arity: -1,
    run: (a, c) => {
      if (a.length > 2 || (a.length === 2 && !isWord(a[1]!, 'SCHEDULE'))) return c.out.error('ERR syntax error');
      c.server.requestRewrite();
      c.out.simple('Background saving started');
    },
  },
  { name: 'lastsave', arity: 1, run: (_a, c) => c.out.integer(Math.floor(c.server.startedAt / 1000)) },
  { name: 'bgrewriteaof', arity: 1, run: rewrite },
];
