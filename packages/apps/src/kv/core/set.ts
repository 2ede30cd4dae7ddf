/**
 * A set value: members (latin1 strings, see bytes.ts) and the encoding
 * Redis 7.0 would report for it. An intset-encoded set lists its members
 * in ascending numeric order, as Redis' intset does.
 * @module
 */

/** Whether `s` is a canonical signed 64-bit integer (Redis' string2ll: no '+', no leading zeros, no spaces). */
export function isIntMember(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return false;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1;
  if (first < 49 || first > 57) return false;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return false;
  }
  if (n - i < 19) return true;
  const v = BigInt(s);
  return v >= -(2n ** 63n) && v < 2n ** 63n;
}

// Numeric order of two canonical integers (exact past 2^53).
function compareInts(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (Number.isSafeInteger(x) && Number.isSafeInteger(y)) return x - y;
  // Not both integers (an encoding set wrongly by a loader): some fixed order rather than a throw.
  if (!isIntMember(a) || !isIntMember(b)) return a < b ? -1 : a > b ? 1 : 0;
  const d = BigInt(a) - BigInt(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

// set-max-intset-entries is capped there by Redis (intset internals).
const INTSET_CAP = 1 << 30;

/** A set of members. */
export class SetValue {
  /** The members. */
  readonly members = new Set<string>();
  /** What OBJECT ENCODING reports: intset while every member is a small integer and the set is small, then hashtable. */
  encoding: 'intset' | 'hashtable' = 'intset';
  // The members in ascending order while intset-encoded (built on demand, dropped on writes).
  #sorted: string[] | undefined;
  // Members for random picks: each member ever added since the pool was built, once; those removed
  // since are in #removed (drawn, they are skipped; added again, their entry is live again).
  #pool: string[] | undefined;
  #removed: Set<string> | undefined;

  /** Number of members. */
  get size(): number {
    return this.members.size;
  }

  /** Whether `member` is in the set. */
  has(member: string): boolean {
    return this.members.has(member);
  }

  /**
   * Adds `member` (whether it was new), turning the encoding into hashtable
   * for a member that is no integer or past `maxIntset` members (set-max-intset-entries).
   */
  add(member: string, maxIntset: number): boolean {
    if (this.members.has(member)) return false;
    this.members.add(member);
    if (this.encoding === 'intset') {
      this.#sorted = undefined;
      if (!isIntMember(member) || this.members.size > Math.min(maxIntset, INTSET_CAP)) this.encoding = 'hashtable';
    }
    if (this.#pool !== undefined) {
      // Pushed only when it has no entry yet: two would draw it twice as often.
      if (!this.#removed!.delete(member)) this.#pool.push(member);
    }
    return true;
  }

  /** Removes `member`; whether it was there. */
  delete(member: string): boolean {
    if (!this.members.delete(member)) return false;
    this.#sorted = undefined;
    this.#removed?.add(member);
    return true;
  }

  /** The members in the order Redis replies with them (intset: ascending); do not change the array. */
  list(): readonly string[] {
    if (this.encoding === 'hashtable') return [...this.members];
    if (this.#sorted === undefined || this.#sorted.length !== this.members.size)
      this.#sorted = [...this.members].sort(compareInts);
    return this.#sorted;
  }

  /** A member drawn uniformly (the set must not be empty). */
  random(): string {
    let pool = this.#pool;
    // Rebuilt when mostly stale, or when the members were changed other than by these methods.
    const removed = this.#removed;
    if (
      pool === undefined ||
      removed === undefined ||
      pool.length - removed.size !== this.members.size ||
      removed.size > this.members.size
    ) {
      pool = this.#pool = [...this.members];
      this.#removed = new Set();
    }
    for (;;) {
      const m = pool[Math.floor(Math.random() * pool.length)]!;
      if (this.members.has(m)) return m;
    }
  }

  /** `count` distinct members drawn uniformly (count < size), in random order. */
  sample(count: number): string[] {
    // Few of many: distinct uniform draws (Redis' CASE 4) instead of copying every element.
    if (count * 3 <= this.size) {
      const picked = new Set<string>();
      while (picked.size < count) picked.add(this.random());
      return [...picked];
    }
    const all = [...this.members];
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
