/**
 * A stream value: entries by ID (milliseconds-sequence) in order, and the
 * consumer groups reading it.
 * @module
 */

/** A stream (see the module comment). */
export class StreamValue {
  /** What OBJECT ENCODING reports. */
  readonly encoding = 'stream';

  /** Number of entries (XLEN). */
  get size(): number {
    return 0;
  }

  /** A deep copy (COPY). */
  clone(): StreamValue {
    return StreamValue.deserialize(this.serialize());
  }

  /** Every part of the stream (entries, last ID, groups, consumers, pending lists) in one canonical byte string: snapshots, DEBUG DIGEST-VALUE and MEMORY USAGE use it. */
  serialize(): Uint8Array {
    return new Uint8Array(0);
  }

  /** The stream `bytes` (from {@link StreamValue.serialize}) stood for; throws on bytes it did not write. */
  static deserialize(bytes: Uint8Array): StreamValue {
    if (bytes.length !== 0) throw new Error('not a serialized stream');
    return new StreamValue();
  }
}
