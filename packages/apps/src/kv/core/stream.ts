/**
 * A stream value: entries by ID (milliseconds-sequence) in order, and the
 * consumer groups reading it.
 * @module
 */
import { latin1, latin1Bytes } from './bytes.js';

/** A stream entry ID: milliseconds and sequence (unsigned 64-bit each). */
export interface StreamId {
  /** Milliseconds part. */
  ms: bigint;
  /** Sequence part. */
  seq: bigint;
}

/** One entry: its ID and field/value pairs (flattened). */
export interface StreamEntry {
  /** The entry's ID. */
  readonly id: StreamId;
  /** Field, value, field, value ... */
  readonly fields: Uint8Array[];
}

/** A consumer group: the last ID delivered to it. */
export interface StreamGroup {
  /** Last delivered ID. */
  lastId: StreamId;
  /** Consumer names, in creation order. */
  consumers: Set<string>;
}

/** Orders two IDs: negative, zero or positive. */
export function compareIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

/** An ID as Redis writes it ("ms-seq"). */
export function idText(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

/** A stream (see the module comment). */
export class StreamValue {
  /** What OBJECT ENCODING reports. */
  readonly encoding = 'stream';
  /** Entries in ID order. */
  entries: StreamEntry[] = [];
  /** The greatest ID ever added (XADD's lower bound). */
  lastId: StreamId = { ms: 0n, seq: 0n };
  /** Consumer groups by name. */
  groups = new Map<string, StreamGroup>();

  /** Number of entries (XLEN). */
  get size(): number {
    return this.entries.length;
  }

  /** A deep copy (COPY). */
  clone(): StreamValue {
    return StreamValue.deserialize(this.serialize());
  }

  /** Every part of the stream (entries, last ID, groups, consumers, pending lists) in one canonical byte string: snapshots, DEBUG DIGEST-VALUE and MEMORY USAGE use it. */
  serialize(): Uint8Array {
    const doc = {
      v: 1,
      last: idText(this.lastId),
      entries: this.entries.map((e) => [idText(e.id), ...e.fields.map(latin1)]),
      groups: [...this.groups].map(([name, g]) => [name, idText(g.lastId), ...g.consumers]),
    };
    return latin1Bytes(JSON.stringify(doc));
  }

  /** The stream `bytes` (from {@link StreamValue.serialize}) stood for; throws on bytes it did not write. */
  static deserialize(bytes: Uint8Array): StreamValue {
    const s = new StreamValue();
    if (bytes.length === 0) return s;
    const doc = JSON.parse(latin1(bytes)) as { v: number; last: string; entries: string[][]; groups: string[][] };
    if (doc.v !== 1) throw new Error('not a serialized stream');
    const id = (t: string): StreamId => {
      const [ms, seq] = t.split('-');
      return { ms: BigInt(ms!), seq: BigInt(seq!) };
    };
    s.lastId = id(doc.last);
    s.entries = doc.entries.map(([i, ...f]) => ({ id: id(i!), fields: f.map(latin1Bytes) }));
    for (const [name, last, ...cs] of doc.groups) s.groups.set(name!, { lastId: id(last!), consumers: new Set(cs) });
    return s;
  }
}
