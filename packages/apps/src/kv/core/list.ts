/**
 * A list value: its elements in order, and the encoding Redis 7.0 would
 * report for it (OBJECT ENCODING). Redis 7.0 keeps every list as a
 * quicklist.
 * @module
 */

/** A list: `items` in order (each owned by the list). */
export class ListValue {
  /** The elements, head first. */
  items: Uint8Array[];
  /** What OBJECT ENCODING reports. */
  encoding = 'quicklist';

  /** A list of `items` (kept as given). */
  constructor(items: Uint8Array[] = []) {
    this.items = items;
  }

  /** Number of elements. */
  get length(): number {
    return this.items.length;
  }
}
