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

  /** Number of fields. */
  get size(): number {
    return this.fields.size;
  }
}
