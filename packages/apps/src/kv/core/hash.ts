/**
 * A hash value: fields (latin1 strings, see bytes.ts) to values, in
 * insertion order, and the encoding Redis 7.0 would report for it.
 * @module
 */

/** A hash: field to value (each value owned by the hash). */
export class HashValue {
  /** Field to value. */
  readonly fields = new Map<string, Uint8Array>();
  /** What OBJECT ENCODING reports: listpack while small, then hashtable for good. */
  encoding: 'listpack' | 'hashtable' = 'listpack';
  // Fields for random picks: each field ever added since the pool was built, once; those removed
  // since are in #removed (drawn, they are skipped; added again, their entry is live again).
  #pool: string[] | undefined;
  #removed: Set<string> | undefined;

  /** Number of fields. */
  get size(): number {
    return this.fields.size;
  }

  /** Sets `field` to `value` (kept as given); whether the field is new. */
  set(field: string, value: Uint8Array): boolean {
    const fresh = !this.fields.has(field);
    this.fields.set(field, value);
    if (fresh && this.#pool !== undefined) {
      // Pushed only when it has no entry yet: two would draw it twice as often.
      if (!this.#removed!.delete(field)) this.#pool.push(field);
    }
    return fresh;
  }

  /** Removes `field`; whether it was there. */
  delete(field: string): boolean {
    if (!this.fields.delete(field)) return false;
    this.#removed?.add(field);
    return true;
  }

  /**
   * Makes the encoding hashtable when the hash passed Redis' thresholds
   * (more than `maxEntries` fields, or a field or value longer than
   * `maxValue` bytes, given as `longest`); never back.
   */
  grow(maxEntries: number, maxValue: number, longest: number): void {
    if (this.encoding === 'listpack' && (this.fields.size > maxEntries || longest > maxValue))
      this.encoding = 'hashtable';
  }

  /** A field drawn uniformly (the hash must not be empty). */
  random(): string {
    let pool = this.#pool;
    // Rebuilt when mostly stale, or when the fields were changed other than by these methods.
    const removed = this.#removed;
    if (
      pool === undefined ||
      removed === undefined ||
      pool.length - removed.size !== this.fields.size ||
      removed.size > this.fields.size
    ) {
      pool = this.#pool = [...this.fields.keys()];
      this.#removed = new Set();
    }
    for (;;) {
      const f = pool[Math.floor(Math.random() * pool.length)]!;
      if (this.fields.has(f)) return f;
    }
  }

  /** `count` distinct fields drawn uniformly (count < size), in random order. */
  sample(count: number): string[] {
    // Few of many: distinct uniform draws (Redis' CASE 4) instead of copying every element.
    if (count * 3 <= this.size) {
      const picked = new Set<string>();
      while (picked.size < count) picked.add(this.random());
      return [...picked];
    }
    const all = [...this.fields.keys()];
    // A partial Fisher-Yates shuffle: the first `count` slots end up a uniform sample.
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (all.length - i));
      const t = all[i]!;
      all[i] = all[j]!;
      all[j] = t;
    }
    all.length = count;
    return all;
  }
}
