/**
 * Sorting a table's entries into output order (count descending, then key
 * in byte order).
 * @module
 */
import type { KeyTable } from './app-api/key-table.js';

/** The entry indices of `table` in output order: larger count first, ties in byte order of the key. */
export function sortedEntries(table: KeyTable): Int32Array {
  const n = table.size;
  const counts = new Float64Array(n);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    counts[i] = table.count(i);
    order[i] = i;
  }
  // Keys compared as bytes in the table: no string per key (a third faster, and no garbage).
  return order.sort((a, b) => counts[b]! - counts[a]! || table.compareKeys(a, b));
}
