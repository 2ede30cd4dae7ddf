/**
 * What a command handler is given: its arguments, the keyspace, where its
 * reply goes, where its effect is logged for the AOF, and the client and
 * server it serves.
 * @module
 */
import { KvConfig } from '../core/config.js';
import type { Keyspace } from '../core/keyspace.js';
import type { KvLimits } from '../core/limits.js';
import type { RespWriter } from '../core/resp-writer.js';
import { ClientHub } from './hub.js';
import type { BlockRequest } from './blocking.js';

/** A client as commands see it (CLIENT SETNAME, QUIT). */
export interface ClientState {
  /** Id, unique in this server. */
  readonly id: number;
  /** CLIENT SETNAME's name ('' when none). */
  name: string;
  /** Set by QUIT: close after the replies are written. */
  closeAfterReply: boolean;
  /** The protocol its replies use (HELLO sets it). */
  protocol: 2 | 3;
  /** Its states besides the plain one (bits of client-flags.ts; 0: none), tested once per request. */
  flags: number;
  /** MULTI's queued commands (their arguments copied). */
  queue?: QueuedCommand[];
  /** The keys it WATCHes, each with whether it had expired (while still stored) when watched. */
  watched?: Map<string, boolean>;
  /** Channels it is subscribed to. */
  channels?: Set<string>;
  /** Patterns it is subscribed to. */
  patterns?: Set<string>;
  /** What it is blocked by (see `CommandContext.block`). */
  blockedBy?: BlockRequest | undefined;
}

/** A command queued by MULTI. */
export interface QueuedCommand {
  /** Its table entry. */
  readonly spec: CommandSpec;
  /** Its arguments (copies). */
  readonly args: Uint8Array[];
}

/** What INFO reports about the server. */
export interface ServerState {
  /** When the server started (ms since the epoch). */
  readonly startedAt: number;
  /** The TCP port, when listening. */
  readonly port: number | undefined;
  /** Clients connected now. */
  connectedClients(): number;
  /** Clients parked by blocking commands now (INFO's blocked_clients). */
  blockedClients(): number;
  /** Channels with subscribers (INFO's pubsub_channels). */
  pubsubChannels(): number;
  /** Patterns with subscribers (INFO's pubsub_patterns). */
  pubsubPatterns(): number;
  /** Commands run since the server started, as INFO's total_commands_processed. */
  commandsProcessed: number;
  /** Asks for an AOF rewrite once the current round is done (BGREWRITEAOF); false without persistence. */
  requestRewrite(): boolean;
  /** Persistence figures for INFO (key: value lines). */
  persistenceInfo(): Record<string, string | number>;
  /** The limits it enforces (CONFIG GET shows them). */
  readonly limits: KvLimits;
  /** The encoding thresholds (CONFIG GET and SET). */
  readonly config: KvConfig;
  /** Clients disconnected, by reason (INFO's stats section shows them). */
  readonly disconnections: Disconnections;
}

/** Counts of clients the server disconnected, named as Redis' INFO names them (the last is this server's). */
export interface Disconnections {
  /** Past client-output-buffer-limit. */
  client_output_buffer_limit_disconnections: number;
  /** Past client-query-buffer-limit. */
  client_query_buffer_limit_disconnections: number;
  /** After an unexpected error while serving them. */
  client_internal_error_disconnections: number;
}

/** No disconnections yet. */
export function noDisconnections(): Disconnections {
  return {
    client_output_buffer_limit_disconnections: 0,
    client_query_buffer_limit_disconnections: 0,
    client_internal_error_disconnections: 0,
  };
}

/**
 * A context for commands run outside a server (the AOF replay, tests):
 * replies go to `out`, nothing is logged, no client waits (a blocking
 * command gets its timeout reply at once).
 */
export function detachedContext(keys: Keyspace, out: RespWriter, limits: KvLimits): CommandContext {
  const ctx: CommandContext = {
    keys,
    out,
    log: () => {},
    client: { id: 0, name: '', closeAfterReply: false, protocol: 2, flags: 0 },
    server: {
      startedAt: Date.now(),
      port: undefined,
      connectedClients: () => 0,
      blockedClients: () => 0,
      pubsubChannels: () => ctx.hub.channels.channelCount,
      pubsubPatterns: () => ctx.hub.channels.patternCount,
      commandsProcessed: 0,
      requestRewrite: () => false,
      persistenceInfo: () => ({}),
      limits,
      config: new KvConfig(),
      disconnections: noDisconnections(),
    },
    block: (request) => request.timedOut(ctx),
    notify: (type, event, key) => ctx.hub.notify(ctx.server.config, type, event, key),
    hub: new ClientHub(() => ctx.out),
  };
  return ctx;
}

/** Everything one command runs with. */
export interface CommandContext {
  /** The keyspace. */
  readonly keys: Keyspace;
  /** Where the reply goes. */
  readonly out: RespWriter;
  /** Write commands log their effect here, as commands whose replay gives the same state (absolute expiry times, INCRBYFLOAT as SET, pops as they happened), as Redis propagates them to replicas. */
  log(args: readonly (Uint8Array | string)[]): void;
  /** The connection the command came on: its name, flags and what QUIT asked for. */
  client: ClientState;
  /** Server-wide state, for INFO, CONFIG and BGREWRITEAOF. */
  readonly server: ServerState;
  /** The command table, when the host added commands to the built-in ones (see `commandTable`). */
  readonly commands?: ReadonlyMap<string, CommandSpec>;
  /**
   * For a blocking command that cannot be served now: parks the client (its
   * later requests wait) until one of `request.keys` is written, then
   * `request.retry` runs, or until the deadline, then `request.timedOut`.
   * The command writes no reply itself. Inside MULTI/EXEC the timeout reply
   * is written at once, as Redis does.
   */
  block(request: BlockRequest): void;
  /**
   * A keyspace event, as Redis' notifyKeyspaceEvent: `type` is the class
   * letter of notify-keyspace-events ('g' generic, '$' string, 'l' list,
   * 's' set, 'h' hash, 'z' sorted set, 'x' expired, 'e' evicted, 'n' new
   * key), `event` the event name ('lpush', 'del', 'expire' ...), `key` the
   * key. Published on `__keyspace@0__:<key>` and `__keyevent@0__:<event>`
   * when the configuration asks for that class.
   */
  notify(type: string, event: string, key: string): void;
  /** Pub/sub, WATCH, blocked clients and keyspace events: what connects this client to the others. */
  readonly hub: ClientHub;
}

/** A command's implementation: reads `args` (args[0] is the name), writes one reply to `ctx.out`. */
export type CommandHandler = (args: Uint8Array[], ctx: CommandContext) => void;

/** A command table entry. */
export interface CommandSpec {
  /** Lower-case name, at most 64 bytes. */
  readonly name: string;
  /** Argument count including the name: n exactly, or -n for at least n (Redis' convention). */
  readonly arity: number;
  /**
   * Which argument positions hold values, kept as bytes of any length the
   * protocol allows; every other argument (keys, patterns, names) is read as
   * a string and so is at most `limits.maxKeyBytes` (see limits.ts). Default: none.
   */
  readonly values?: (index: number) => boolean;
  /**
   * The argument positions of the keys it names: `[first, last, step]`, a
   * negative `last` counting from the end (Redis' key-spec convention), or a
   * function of the arguments for commands whose keys move (ZUNIONSTORE).
   * When a command logs a write (`ctx.log`), these keys count as modified:
   * WATCH sees it and clients blocked on them are retried. None when absent.
   */
  readonly keys?: readonly [number, number, number] | ((args: Uint8Array[]) => number[]);
  /** The implementation. */
  readonly run: CommandHandler;
}

/** The argument positions of `spec`'s keys in `args` (see `CommandSpec.keys`). */
export function keyPositions(spec: CommandSpec, args: Uint8Array[]): number[] {
  const k = spec.keys;
  if (k === undefined) return [];
  if (typeof k === 'function') return k(args).filter((i) => i > 0 && i < args.length);
  const [first, last, step] = k;
  const end = last < 0 ? args.length + last : last;
  const out: number[] = [];
  for (let i = first; i <= end && i < args.length; i += step) out.push(i);
  return out;
}

/** Redis' reply for a bad integer argument. */
export const NOT_AN_INTEGER = 'ERR value is not an integer or out of range';
/** Redis' reply for a command on a key of another type. */
export const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
/** Redis' reply for a malformed option list. */
export const SYNTAX_ERROR = 'ERR syntax error';
