/**
 * A list value: its elements in a ring buffer (a deque, so pushes and pops
 * at either end are O(1), as Redis' quicklist is), and the encoding Redis
 * 7.0 would report for it (OBJECT ENCODING): always quicklist.
 * @module
 */

const MIN_CAPACITY = 8;

/** A list of byte strings, each owned by the list. */
export class ListValue {
  /** What OBJECT ENCODING reports. */
  encoding = 'quicklist';
  // Ring buffer: element i is at (#head + i) & (capacity - 1); capacity a power of two.
  #buf: (Uint8Array | undefined)[];
  #head = 0;
  #len = 0;

  /** A list of `items`, head first (the elements are kept, the array is not). */
  constructor(items: readonly Uint8Array[] = []) {
    let cap = MIN_CAPACITY;
    while (cap < items.length) cap *= 2;
    this.#buf = new Array<Uint8Array | undefined>(cap);
    for (let i = 0; i < items.length; i++) this.#buf[i] = items[i];
    this.#len = items.length;
  }

  /** Number of elements. */
  get length(): number {
    return this.#len;
  }

  /** The elements, head first, as a new array (persistence reads it; changing it does not change the list). */
  get items(): Uint8Array[] {
    return this.range(0, this.#len);
  }

  /** Element `i` (0 is the head; no negative indexes), undefined when out of range. */
  at(i: number): Uint8Array | undefined {
    if (i < 0 || i >= this.#len) return undefined;
    return this.#buf[(this.#head + i) & (this.#buf.length - 1)];
  }

  /** Replaces element `i` (which must exist). */
  setAt(i: number, value: Uint8Array): void {
    this.#buf[(this.#head + i) & (this.#buf.length - 1)] = value;
  }

  /** Adds `value` before the head. */
  pushHead(value: Uint8Array): void {
    if (this.#len === this.#buf.length) this.#grow();
    this.#head = (this.#head - 1) & (this.#buf.length - 1);
    this.#buf[this.#head] = value;
    this.#len++;
  }

  /** Adds `value` after the tail. */
  pushTail(value: Uint8Array): void {
    if (this.#len === this.#buf.length) this.#grow();
    this.#buf[(this.#head + this.#len) & (this.#buf.length - 1)] = value;
    this.#len++;
  }

  /** Removes and returns the head (undefined when empty). */
  popHead(): Uint8Array | undefined {
    if (this.#len === 0) return undefined;
    const v = this.#buf[this.#head];
    this.#buf[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#buf.length - 1);
    this.#len--;
    this.#maybeShrink();
    return v;
  }

  /** Removes and returns the tail (undefined when empty). */
  popTail(): Uint8Array | undefined {
    if (this.#len === 0) return undefined;
    const at = (this.#head + this.#len - 1) & (this.#buf.length - 1);
    const v = this.#buf[at];
    this.#buf[at] = undefined;
    this.#len--;
    this.#maybeShrink();
    return v;
  }

  /** Elements `start` (inclusive) to `end` (exclusive), head first, as a new array; the bounds must be in range. */
  range(start: number, end: number): Uint8Array[] {
    const out = new Array<Uint8Array>(Math.max(0, end - start));
    const mask = this.#buf.length - 1;
    for (let i = start; i < end; i++) out[i - start] = this.#buf[(this.#head + i) & mask]!;
    return out;
  }

  /** Replaces all the elements with `items` (kept as given). */
  replace(items: readonly Uint8Array[]): void {
    let cap = MIN_CAPACITY;
    while (cap < items.length) cap *= 2;
    this.#buf = new Array<Uint8Array | undefined>(cap);
    for (let i = 0; i < items.length; i++) this.#buf[i] = items[i];
    this.#head = 0;
    this.#len = items.length;
  }

  /** Inserts `value` so that it becomes element `i` (0 <= i <= length), moving the shorter side. */
  insertAt(i: number, value: Uint8Array): void {
    if (i === 0) return this.pushHead(value);
    if (this.#len === this.#buf.length) this.#grow();
    const mask = this.#buf.length - 1;
    if (i < this.#len - i) {
      // Shift elements 0..i-1 one step towards the head.
      this.#head = (this.#head - 1) & mask;
      for (let j = 0; j < i; j++) this.#buf[(this.#head + j) & mask] = this.#buf[(this.#head + j + 1) & mask];
    } else {
      for (let j = this.#len; j > i; j--) this.#buf[(this.#head + j) & mask] = this.#buf[(this.#head + j - 1) & mask];
    }
    this.#buf[(this.#head + i) & mask] = value;
    this.#len++;
  }

  #grow(): void {
    const next = new Array<Uint8Array | undefined>(this.#buf.length * 2);
    const mask = this.#buf.length - 1;
    for (let i = 0; i < this.#len; i++) next[i] = this.#buf[(this.#head + i) & mask];
    this.#buf = next;
    this.#head = 0;
  }

  // Gives memory back when a large list has mostly emptied (amortized O(1): only below a quarter).
  #maybeShrink(): void {
    const cap = this.#buf.length;
    if (cap <= 64 || this.#len > cap / 4) return;
    const next = new Array<Uint8Array | undefined>(cap / 2);
    const mask = cap - 1;
    for (let i = 0; i < this.#len; i++) next[i] = this.#buf[(this.#head + i) & mask];
    this.#buf = next;
    this.#head = 0;
  }
}
