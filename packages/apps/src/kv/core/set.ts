/**
 * A set value: members (latin1 strings, see bytes.ts) and the encoding
 * Redis 7.0 would report for it.
 * @module
 */

/** A set of members. */
export class SetValue {
  /** The members. */
  readonly members = new Set<string>();
  /** What OBJECT ENCODING reports: intset while every member is a small integer and the set is small, then hashtable. */
  encoding: 'intset' | 'hashtable' = 'intset';

  /** Number of members. */
  get size(): number {
    return this.members.size;
  }
}
