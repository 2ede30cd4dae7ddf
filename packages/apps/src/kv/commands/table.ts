/**
 * The command table and dispatch: finding a command by name, checking its
 * arity, and Redis' replies for unknown commands and wrong argument counts.
 * @module
 */
import { excerpt } from '../core/bytes.js';
import type { CommandContext, CommandSpec } from './context.js';
import { ADMIN_COMMANDS } from './admin.js';
import { HASH_COMMANDS } from './hashes.js';
import { KEY_COMMANDS } from './keys.js';
import { CommandLookup } from './lookup.js';
import { LIST_COMMANDS } from './lists.js';
import { COMMAND_COUNT, SERVER_COMMANDS } from './server.js';
import { PUBSUB_COMMANDS } from './pubsub.js';
import { SET_COMMANDS } from './sets.js';
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
  ...KEY_COMMANDS,
  ...TRANSACTION_COMMANDS,
  ...PUBSUB_COMMANDS,
  ...SERVER_COMMANDS,
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

/** Runs one request (`args[0]` is the command name): exactly one reply is written to `ctx.out`. */
export function dispatch(args: Uint8Array[], ctx: CommandContext): void {
  // Checked before anything is read as a string, since no string can hold an argument this long.
  const max = ctx.server.limits.maxKeyBytes;
  if (args[0]!.length > max) return tooLong(ctx, args[0]!, max);
  const spec = find(args[0]!, ctx.commands);
  if (spec === undefined) {
    let rest = '';
    for (let i = 1; i < args.length; i++) rest += `${quoted(args[i]!)} `;
    ctx.out.error(`ERR unknown command ${quoted(args[0]!)}, with args beginning with: ${rest}`);
    return;
  }
  const n = args.length;
  if (spec.arity > 0 ? n !== spec.arity : n < -spec.arity) {
    ctx.out.error(`ERR wrong number of arguments for '${spec.name}' command`);
    return;
  }
  for (let i = 1; i < n; i++)
    if (args[i]!.length > max && spec.values?.(i) !== true) return tooLong(ctx, args[i]!, max);
  spec.run(args, ctx);
}

function tooLong(ctx: CommandContext, arg: Uint8Array, max: number): void {
  ctx.out.error(`ERR key or argument too long: ${arg.length} bytes (at most ${max}; values may be longer)`);
}
