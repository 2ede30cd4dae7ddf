/**
 * The command table and dispatch: finding a command by name, checking its
 * arity, and Redis' replies for unknown commands and wrong argument counts.
 * @module
 */
import { DIRTY_EXEC, IN_MULTI, PUBSUB, REPLY_OFF, REPLY_SKIP, REPLY_SKIP_NEXT } from './client-flags.js';
import { excerpt } from '../core/bytes.js';
import type { CommandContext, CommandSpec } from './context.js';
import { OOM_ERROR } from './admin-memory.js';
import { refusedForMemory } from './denyoom.js';
import { execute } from './execute.js';
import { READONLY_ERROR, refusedAsReplica } from './readonly.js';
import { discardTransaction } from './transactions.js';
import { HELLO_COMMANDS } from './hello.js';
import { ADMIN_COMMANDS } from './admin.js';
import { HASH_COMMANDS } from './hashes.js';
import { KEY_COMMANDS } from './keys.js';
import { CommandLookup } from './lookup.js';
import { LIST_COMMANDS } from './lists.js';
import { COMMAND_COUNT, SERVER_COMMANDS } from './server.js';
import { PUBSUB_COMMANDS } from './pubsub.js';
import { SET_COMMANDS } from './sets.js';
import { STREAM_COMMANDS } from './streams.js';
import { STRING_COMMANDS } from './strings.js';
import { TRANSACTION_COMMANDS } from './transactions.js';
import { ZSET_COMMANDS } from './zsets.js';

const TABLE = new Map<string, CommandSpec>();
for (const spec of [
  ...STRING_COMMANDS,
  ...LIST_COMMANDS,
  ...HASH_COMMANDS,
  ...SET_COMMANDS,
  ...ZSET_COMMANDS,
  ...STREAM_COMMANDS,
  ...KEY_COMMANDS,
  ...TRANSACTION_COMMANDS,
  ...PUBSUB_COMMANDS,
  ...SERVER_COMMANDS,
  ...HELLO_COMMANDS,
  ...ADMIN_COMMANDS,
])
  TABLE.set(spec.name, spec);
COMMAND_COUNT.value = TABLE.size;

/** The built-in commands plus `extra` (an extra one of the same name replaces the built-in), by lower-case name. */
export function commandTable(extra: readonly CommandSpec[]): ReadonlyMap<string, CommandSpec> {
  const table = new Map(TABLE);
  for (const spec of extra) table.set(spec.name.toLowerCase(), spec);
  return table;
}

/** Names of the commands the server knows, lower case. */
export function commandNames(): string[] {
  return [...TABLE.keys()];
}

const LOOKUP = new CommandLookup(TABLE);
// Lookups of the tables made by commandTable, made once per table.
const lookups = new WeakMap<ReadonlyMap<string, CommandSpec>, CommandLookup>();

// The command named by `name`, in the host's table when it has one.
function find(name: Uint8Array, table: ReadonlyMap<string, CommandSpec> | undefined): CommandSpec | undefined {
  if (table === undefined) return LOOKUP.find(name);
  let lookup = lookups.get(table);
  if (lookup === undefined) lookups.set(table, (lookup = new CommandLookup(table)));
  return lookup.find(name);
}

function quoted(bytes: Uint8Array): string {
  return `'${excerpt(bytes)}'`;
}

/** The table entry of a command named `name` (any case), in the host's table when it has one. */
export function commandSpec(name: Uint8Array, table?: ReadonlyMap<string, CommandSpec>): CommandSpec | undefined {
  return find(name, table);
}

/** Runs one request (`args[0]` is the command name): exactly one reply is written to `ctx.out` (none while CLIENT REPLY says so). */
export function dispatch(args: Uint8Array[], ctx: CommandContext): void {
  const flags = ctx.client.flags;
  if ((flags & (REPLY_OFF | REPLY_SKIP_NEXT)) !== 0) return quietly(args, ctx);
  checked(args, ctx, flags);
}

// Checks a request, then runs it (or queues it inside MULTI).
function checked(args: Uint8Array[], ctx: CommandContext, flags: number): void {
  // Checked before anything is read as a string, since no string can hold an argument this long.
  const max = ctx.server.limits.maxKeyBytes;
  if (args[0]!.length > max) return tooLong(ctx, args[0]!, max);
  const spec = find(args[0]!, ctx.commands);
  if (spec === undefined) {
    let rest = '';
    for (let i = 1; i < args.length; i++) rest += `${quoted(args[i]!)} `;
    return reject(ctx, `ERR unknown command ${quoted(args[0]!)}, with args beginning with: ${rest}`);
  }
  const n = args.length;
  if (spec.arity > 0 ? n !== spec.arity : n < -spec.arity)
    return reject(ctx, `ERR wrong number of arguments for '${spec.name}' command`);
  for (let i = 1; i < n; i++)
    if (args[i]!.length > max && spec.values?.(i) !== true) return tooLong(ctx, args[i]!, max);
  if (ctx.server.config.maxmemory !== 0 && refusedForMemory(spec, ctx)) return refuse(ctx, spec, OOM_ERROR);
  if (ctx.hub.replicaOf !== undefined && refusedAsReplica(spec, ctx)) return refuse(ctx, spec, READONLY_ERROR);
  if (flags !== 0 && special(spec, args, ctx, flags)) return;
  execute(spec, args, ctx);
}

// A refused request: its error, and inside MULTI the transaction is to abort (Redis' flagTransaction).
function reject(ctx: CommandContext, message: string): void {
  ctx.out.error(message);
  if ((ctx.client.flags & IN_MULTI) !== 0) ctx.client.flags |= DIRTY_EXEC;
}

// A refused command that passed the checks: a refused EXEC discards the transaction (Redis' execCommandAbort).
function refuse(ctx: CommandContext, spec: CommandSpec, message: string): void {
  if (spec.name !== 'exec' || (ctx.client.flags & IN_MULTI) === 0) return reject(ctx, message);
  discardTransaction(ctx);
  ctx.out.error(`EXECABORT Transaction discarded because of: ${message}`);
}

// Commands that still reply while CLIENT REPLY is OFF: their replies are pushes.
const PUSHING = new Set(['subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe']);
// Commands a RESP2 subscriber may send.
const SUBSCRIBER = new Set([...PUSHING, 'ping', 'quit', 'reset', 'ssubscribe', 'sunsubscribe']);
// Commands run at once inside MULTI, and those refused there.
const NOT_QUEUED = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);
const NO_MULTI = new Set(['save', 'shutdown', 'sync', 'psync']);

// Handles a request of a client in MULTI or subscribed mode; false when it is to run as usual.
function special(spec: CommandSpec, args: Uint8Array[], ctx: CommandContext, flags: number): boolean {
  const name = spec.name;
  if ((flags & IN_MULTI) !== 0 && NO_MULTI.has(name)) {
    reject(ctx, 'ERR Command not allowed inside a transaction');
    return true;
  }
  if ((flags & PUBSUB) !== 0 && ctx.client.protocol === 2 && !SUBSCRIBER.has(name)) {
    refuse(
      ctx,
      spec,
      `ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
    );
    return true;
  }
  if ((flags & IN_MULTI) !== 0 && !NOT_QUEUED.has(name)) {
    // Arguments are views of the read buffer: the queue keeps copies.
    const copy = new Array<Uint8Array>(args.length);
    for (let i = 0; i < args.length; i++) copy[i] = args[i]!.slice();
    (ctx.client.queue ??= []).push({ spec, args: copy });
    ctx.out.simple('QUEUED');
    return true;
  }
  return false;
}

// A request whose reply CLIENT REPLY OFF or SKIP drops (pushes excepted).
function quietly(args: Uint8Array[], ctx: CommandContext): void {
  const c = ctx.client;
  if ((c.flags & REPLY_SKIP_NEXT) !== 0) c.flags = (c.flags & ~REPLY_SKIP_NEXT) | REPLY_SKIP;
  const start = ctx.out.length;
  try {
    checked(args, ctx, c.flags);
  } finally {
    const pushing = args[0]!.length <= 12 && PUSHING.has(excerpt(args[0]!).toLowerCase());
    if ((c.flags & (REPLY_OFF | REPLY_SKIP)) !== 0 && !pushing) ctx.out.truncate(start);
    c.flags &= ~REPLY_SKIP;
  }
}

function tooLong(ctx: CommandContext, arg: Uint8Array, max: number): void {
  reject(ctx, `ERR key or argument too long: ${arg.length} bytes (at most ${max}; values may be longer)`);
}
