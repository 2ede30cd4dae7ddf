/**
 * The WordCount tokenizer, shared by the MapReduce map tasks and the
 * single-threaded baseline: one pass over the bytes, hashing each word as
 * it goes, counting into a KeyTable.
 * @module
 */
import { HASH_SEED, type KeyTable } from '../../mapreduce/app-api/key-table.js';
import { WORD_BYTES } from './word-bytes.js';

/** Counts the words of `bytes[start, end)` into `table` (made with WORD_BYTES as its byte map). */
export function countWords(bytes: Uint8Array, start: number, end: number, table: KeyTable): void {
  const lower = WORD_BYTES;
  let h = HASH_SEED;
  let word = -1;
  for (let i = start; i < end; i++) {
    const c = lower[bytes[i]!]!;
    if (c !== 0) {
      if (word < 0) word = i;
      h = Math.imul(h ^ c, 0x01000193); // hashStep, inlined: this loop is the job's hot path
    } else if (word >= 0) {
      table.add(bytes, word, i - word, h, 1);
      word = -1;
      h = HASH_SEED;
    }
  }
  if (word >= 0) table.add(bytes, word, end - word, h, 1);
}
