/**
 * KeyTable and its hash, now in app-api/key-table.ts: re-exported here only for the package entry (src/index.ts), which imports this path.
 * @module
 */
export { KeyTable, HASH_SEED, hashStep, IDENTITY_BYTES } from './app-api/key-table.js';
