/**
 * The WordCount tokenizer, now in app/tokenize.ts: re-exported here only for the package entry (src/index.ts), which imports this path.
 * @module
 */
export { countWords } from './app/tokenize.js';
