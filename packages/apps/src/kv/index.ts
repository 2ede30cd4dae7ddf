/**
 * The Redis-compatible key-value store: server task, native client, host start-up.
 * Folders below this one: commands/ (the command table), and core/ (keys, the
 * keyspace, limits, the reply writer), which both this folder and the
 * commands import, so the commands never import this folder.
 * @module
 */
export { runKvServer, type KvServerSetup } from './server.js';
export { kvServerProgram, kvServerProgramWith, KV_SERVER_PROGRAM_ID, parseServerArgs, type KvServerExtras } from './program.js';
export {
  DEFAULT_KV_LIMITS,
  MAX_KEY_BYTES,
  MAX_BUFFER_BYTES,
  MAX_CONFIGURED_BYTES,
  parseBytes,
  parseOutputBufferLimit,
  formatOutputBufferLimit,
  type KvLimits,
  type OutputBufferLimit,
} from './core/limits.js';
export { startKvServer, type KvServerHandle, type StartKvServerOptions } from './host.js';
export { kvConnect, type KvClient, type KvConnectOptions, type KvSetOptions } from './client.js';
export { KV_INBOX_PATH } from './inbox.js';
export { KvErrorReply, parseReply, type KvReply, type ParsedReply } from './resp-reply.js';
export { RespParser, RespProtocolError, RespQueryLimitError, type RespParserLimits, MAX_BULK_BYTES, MAX_INLINE_BYTES, MAX_MULTIBULK } from './resp-parser.js';
export { RespWriter } from './core/resp-writer.js';
export { dispatch, commandTable, commandNames } from './commands/table.js';
export { noDisconnections, type CommandSpec, type CommandHandler, type CommandContext, type ClientState, type ServerState, type Disconnections } from './commands/context.js';
export { Keyspace, MAX_SCAN_CURSORS, type Entry, type ScanStep, type Value } from './core/keyspace.js';
export { globMatch } from './core/glob.js';
export { Persistence, encodeSnapshot, type PersistenceOptions } from './persistence.js';
