/**
 * A sorted set value: members (latin1 strings, see bytes.ts) with scores,
 * ordered by (score, member), and the encoding Redis 7.0 would report.
 * @module
 */

/** A sorted set. */
export class SortedSetValue {
  /** Member to score. */
  readonly scores = new Map<string, number>();
  /** What OBJECT ENCODING reports: listpack while small, then skiplist for good. */
  encoding: 'listpack' | 'skiplist' = 'listpack';

  /** Number of members. */
  get size(): number {
    return this.scores.size;
  }

  /** Adds `member` with `score`, or changes its score. */
  add(member: string, score: number): void {
    this.scores.set(member, score);
  }

  /** Every member with its score, in rank order (score, then member bytes). */
  entries(): [string, number][] {
    return [...this.scores].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}
