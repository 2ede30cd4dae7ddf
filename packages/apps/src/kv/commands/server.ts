/**
 * Connection and server commands: PING, ECHO, QUIT, SELECT, RESET, TIME, SYNC, REPLICAOF, CLIENT
 * (SETNAME, GETNAME, ID, SETINFO, REPLY, UNBLOCK), COMMAND (enough for
 * redis-cli: an empty DOCS reply).
 * @module
 */
import { excerpt, isWord, latin1, parseInteger } from '../core/bytes.js';
import { IN_MULTI, PUBSUB, REPLY_OFF, REPLY_SKIP_NEXT } from './client-flags.js';
import type { CommandContext, CommandSpec } from './context.js';
import { discardTransaction } from './transactions.js';

/** The Redis version this server reports (clients pick features by it). */
export const REPORTED_VERSION = '7.0.0';

function ping(args: Uint8Array[], ctx: CommandContext): void {
  if (args.length > 2) return ctx.out.error("ERR wrong number of arguments for 'ping' command");
  // A RESP2 subscriber's PING is answered as a message would be.
  if ((ctx.client.flags & PUBSUB) !== 0 && ctx.client.protocol === 2) {
    ctx.out.arrayHeader(2);
    ctx.out.bulkText('pong');
    ctx.out.bulk(args.length === 2 ? args[1]! : new Uint8Array(0));
    return;
  }
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
  if (sub === 'reply' && args.length === 3) return clientReply(args[2]!, ctx);
  if (sub === 'unblock' && (args.length === 3 || args.length === 4)) return clientUnblock(args, ctx);
  ctx.out.error(`ERR unknown subcommand or wrong number of arguments for '${excerpt(args[1]!)}'. Try CLIENT HELP.`);
}

// CLIENT REPLY ON|OFF|SKIP: OFF and SKIP have no reply (the dispatcher drops the replies while they last).
function clientReply(mode: Uint8Array, ctx: CommandContext): void {
  const c = ctx.client;
  if (isWord(mode, 'ON')) {
    c.flags &= ~(REPLY_OFF | REPLY_SKIP_NEXT);
    ctx.out.simple('OK');
  } else if (isWord(mode, 'OFF')) c.flags |= REPLY_OFF;
  else if (isWord(mode, 'SKIP')) {
    if ((c.flags & REPLY_OFF) === 0) c.flags |= REPLY_SKIP_NEXT;
  } else ctx.out.error('ERR syntax error');
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 if that client was blocked (and is no longer).
function clientUnblock(args: Uint8Array[], ctx: CommandContext): void {
  let withError = false;
  if (args.length === 4) {
    if (isWord(args[3]!, 'ERROR')) withError = true;
    else if (!isWord(args[3]!, 'TIMEOUT')) return ctx.out.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  }
  const id = parseInteger(args[2]!);
  if (id === undefined) return ctx.out.error('ERR value is not an integer or out of range');
  ctx.out.integer(ctx.hub.unblock(Number(id), withError) ? 1 : 0);
}

// TIME: seconds and microseconds since the epoch.
function time(_args: Uint8Array[], ctx: CommandContext): void {
  const us = Math.round((performance.timeOrigin + performance.now()) * 1000);
  ctx.out.arrayHeader(2);
  ctx.out.bulkText(String(Math.floor(us / 1e6)));
  ctx.out.bulkText(String(us % 1e6));
}

// SYNC/PSYNC: the connection becomes a replica: an empty snapshot, then every write as a command.
function sync(_args: Uint8Array[], ctx: CommandContext): void {
  if ((ctx.client.flags & IN_MULTI) !== 0) return ctx.out.error('ERR Command not allowed inside a transaction');
  if (!ctx.hub.attachReplica(ctx.client)) ctx.out.error('ERR SYNC is not possible here');
}

// REPLICAOF host port | NO ONE: the server becomes a read-only replica (it connects to no master: it only refuses
// writes, as a replica would) or a master again.
function replicaof(args: Uint8Array[], ctx: CommandContext): void {
  if (isWord(args[1]!, 'NO') && isWord(args[2]!, 'ONE')) {
    ctx.hub.demote(undefined);
    return ctx.out.simple('OK');
  }
  const port = parseInteger(args[2]!);
  if (port === undefined || port < 0n || port > 65535n) return ctx.out.error('ERR Invalid master port');
  ctx.hub.demote(`${latin1(args[1]!)}:${port}`);
  ctx.out.simple('OK');
}

// RESET: the connection's state as new (Redis' clearClientConnectionState).
function reset(_args: Uint8Array[], ctx: CommandContext): void {
  const c = ctx.client;
  discardTransaction(ctx);
  ctx.hub.channels.forget(c);
  c.flags = 0;
  c.protocol = 2;
  ctx.out.protocol = 2;
  c.name = '';
  ctx.out.simple('RESET');
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
  { name: 'reset', arity: 1, run: reset },
  { name: 'sync', arity: 1, run: sync },
  { name: 'time', arity: 1, run: time },
  { name: 'replicaof', arity: 3, run: replicaof },
  { name: 'slaveof', arity: 3, run: replicaof },
  { name: 'psync', arity: -3, run: sync },
  { name: 'client', arity: -2, run: client },
  { name: 'command', arity: -1, run: command },
];
