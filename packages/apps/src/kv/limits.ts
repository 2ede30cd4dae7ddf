/**
 * The server's size limits, now in core/limits.ts: re-exported here only for
 * the `dios kv` command (src/cli/kv-command.ts), which imports this path.
 * @module
 */
export { DEFAULT_KV_LIMITS, MAX_CONFIGURED_BYTES, parseBytes, parseOutputBufferLimit, type OutputBufferLimit } from './core/limits.js';
