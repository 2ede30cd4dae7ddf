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
  // Fields for random picks: every live field once, plus `#stale` removed ones (skipped when drawn).
  #pool: string[] | undefined;
  #stale = 0;

  /** Number of fields. */
  get size(): number {
    return this.fields.size;
  }

  /** Sets `field` to `value` (kept as given); whether the field is new. */
  set(field: string, value: Uint8Array): boolean {
    const fresh = !this.fields.has(field);
    this.fields.set(field, value);
    if (fresh && this.#pool !== undefined) {
      // A removed copy of it may still be in the pool: then it would be drawn twice as often.
      if (this.#stale > 0) this.#pool = undefined;
      else this.#pool.push(field);
    }
    return fresh;
  }

  /** Removes `field`; whether it was there. */
  delete(field: string): boolean {
    if (!this.fields.delete(field)) return false;
    if (this.#pool !== undefined) this.#stale++;
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
    if (pool === undefined || pool.length - this.#stale !== this.fields.size || this.#stale > this.fields.size) {
      pool = this.#pool = [...this.fields.keys()];
      this.#stale = 0;
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
