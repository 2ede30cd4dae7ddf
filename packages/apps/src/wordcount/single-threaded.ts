/**
 * WordCount in one thread, without DIOS: the benchmark's baseline, with the
 * same tokenizer as the map tasks.
 * @module
 */
import { KeyTable } from '../mapreduce/app-api/key-table.js';
import type { KeyCount } from '../mapreduce/records.js';
import { sortedEntries } from '../mapreduce/sort.js';
import { countWords } from './app/tokenize.js';
import { WORD_BYTES } from './app/word-bytes.js';

/** Counts the words of `bytes` and returns every word with its count, most frequent first, ties in byte order. */
export function wordCountSync(bytes: Uint8Array): KeyCount[] {
  const table = new KeyTable(WORD_BYTES);
  // A plain Uint8Array view (not a Buffer): the tokenizer's loop then sees one array type, as it does in the map tasks.
  const plain = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  countWords(plain, 0, plain.length, table);
  return Array.from(sortedEntries(table), (i) => ({ key: table.key(i), count: table.count(i) }));
}
