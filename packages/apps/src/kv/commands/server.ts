/**
 * Connection and server commands: PING, ECHO, QUIT, SELECT, CLIENT
 * (SETNAME, GETNAME, ID, SETINFO), COMMAND (enough for redis-cli: an empty
 * DOCS reply).
 * @module
 */
import { excerpt, isWord, latin1 } from '../core/bytes.js';
import type { CommandContext, CommandSpec } from './context.js';

/** The Redis version this server reports (clients pick features by it). */
export const REPORTED_VERSION = '7.0.0';

function ping(args: Uint8Array[], ctx: CommandContext): void {
  if (args.length > 2) return ctx.out.error("ERR wrong number of arguments for 'ping' command");
  if (args.length === 2) ctx.out.bulk(args[1]!);
  else ctx.out.simple('PONG');
}

function select(args: Uint8Array[], ctx: CommandContext): void {
  if (latin1(args[1]!) !== '0') return ctx.out.error('ERR DB index is out of range');
  ctx.out.simple('OK');
}

function client(args: Uint8Array[], ctx: CommandContext): void {
  // Subcommand names are short: a longer argument (up to the key limit) is no name, and is not made a string.
  const sub = excerpt(args[1]!).toLowerCase();
  if (sub === 'setname' && args.length === 3) {
    const name = latin1(args[2]!);
    // As Redis: printable ASCII without spaces.
    if (!/^[\x21-\x7e]*$/.test(name))
      return ctx.out.error('ERR Client names cannot contain spaces, newlines or special characters.');
    ctx.client.name = name;
    return ctx.out.simple('OK');
  }
  if (sub === 'getname' && args.length === 2)
    return ctx.out.bulk(ctx.client.name === '' ? null : bytesOf(ctx.client.name));
  if (sub === 'id' && args.length === 2) return ctx.out.integer(ctx.client.id);
  if (sub === 'setinfo' && args.length === 4) return ctx.out.simple('OK');
  ctx.out.error(`ERR unknown subcommand or wrong number of arguments for '${excerpt(args[1]!)}'. Try CLIENT HELP.`);
}

function bytesOf(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function command(args: Uint8Array[], ctx: CommandContext): void {
  if (args.length >= 2 && isWord(args[1]!, 'COUNT')) return ctx.out.integer(COMMAND_COUNT.value);
  // COMMAND, COMMAND DOCS, COMMAND INFO: no metadata to offer; an empty array is a valid answer.
  ctx.out.arrayHeader(0);
}

/** Filled in by the command table (how many commands it has). */
export const COMMAND_COUNT = { value: 0 };

/** The connection and server commands. */
export const SERVER_COMMANDS: readonly CommandSpec[] = [
  { name: 'ping', arity: -1, values: (i) => i === 1, run: ping },
  { name: 'echo', arity: 2, values: (i) => i === 1, run: (a, c) => c.out.bulk(a[1]!) },
  {
    name: 'quit',
    arity: -1,
    run: (_a, c) => {
      c.client.closeAfterReply = true;
      c.out.simple('OK');
    },
  },
  { name: 'select', arity: 2, run: select },
  { name: 'client', arity: -2, run: client },
  { name: 'command', arity: -1, run: command },
];
