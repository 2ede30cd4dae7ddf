/**
 * Sorting a table's entries into output order (count descending, then key
 * in byte order).
 * @module
 */
import type { KeyTable } from './key-table.js';

/** The entry indices of `table` in output order: larger count first, ties in byte order of the key. */
export function sortedEntries(table: KeyTable): Int32Array {
  const keys: string[] = new Array<string>(table.size);
  for (let i = 0; i < table.size; i++) keys[i] = table.key(i);
  const order = Int32Array.from({ length: table.size }, (_, i) => i);
  // Keys are ASCII, so comparing UTF-16 code units is comparing bytes.
  return order.sort((a, b) => table.count(b) - table.count(a) || (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
}
