/**
 * WordCount's word bytes, now in app/word-bytes.ts: re-exported here only for the package entry (src/index.ts), which imports this path.
 * @module
 */
export { WORD_BYTES } from './app/word-bytes.js';
