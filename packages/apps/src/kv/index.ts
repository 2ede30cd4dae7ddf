/**
 * The Redis-compatible key-value store: server task, native client, host start-up.
 * Folders below this one: commands/ (the command table), and core/ (keys, the
 * keyspace, limits, the reply writer), which both this folder and the
 * commands import, so the commands never import this folder.
 * @module
 */
export { runKvServer, type KvServerSetup } from './server.js';
export { kvServerProgram, kvServerProgramWith, KV_SERVER_PROGRAM_ID, type KvServerExtras } from './program.js';
export { DEFAULT_KV_LIMITS, type KvLimits, type OutputBufferLimit } from './core/limits.js';
export { startKvServer, type KvServerHandle, type StartKvServerOptions } from './host.js';
export { kvConnect, type KvClient, type KvConnectOptions, type KvSetOptions } from './client.js';
export { KvErrorReply, type KvReply } from './resp-reply.js';
export { RespWriter } from './core/resp-writer.js';
export type {
  CommandSpec,
  CommandHandler,
  CommandContext,
  ClientState,
  ServerState,
  Disconnections,
} from './commands/context.js';
export { Keyspace, type Entry, type ScanStep, type Value } from './core/keyspace.js';
export type { PersistenceOptions } from './persistence.js';
