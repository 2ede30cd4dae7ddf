/**
 * The snapshot format: every live key with its value and expiry, for the
 * persistence's snapshot blob and for DEBUG RELOAD. Header: magic, format,
 * generation (u32 each, little-endian). Then per key: a type byte (0
 * string, 1 list, 2 hash, 3 set, 4 sorted set, 5 stream), the key, the value, the
 * expiry (f64 ms, 0 for none). Strings are u32 length + bytes; a list is a
 * count and its items; a hash, set or sorted set starts with its encoding
 * (0 small, 1 large) and a count, then fields and values, members, or
 * members and f64 scores; a stream is one length-prefixed blob of its own
 * serialization (StreamValue.serialize). Format 1 (strings and lists only) still loads.
 * Loading sets each container's encoding as Redis 7.0's RDB load does
 * (rdb.c): one saved small stays small unless it has more elements than the
 * threshold now allows; one saved large becomes small if it fits every
 * threshold.
 * @module
 */
import { StreamValue } from './stream.js';
import { errors } from '@dios/kernel';
import { latin1, latin1Bytes, parseInteger, plainBytes } from './bytes.js';
import type { KvConfig } from './config.js';
import { HashValue } from './hash.js';
import type { Keyspace } from './keyspace.js';
import { MAX_BUFFER_BYTES } from './limits.js';
import { ListValue } from './list.js';
import { SetValue } from './set.js';
import { SortedSetValue } from './sorted-set.js';
import type { Value } from './values.js';

/** Bytes before the first key. */
export const SNAPSHOT_HEADER = 12;
/** The format written. */
export const SNAPSHOT_FORMAT = 2;

// A growing output buffer.
class Out {
  bytes = new Uint8Array(4096);
  view = new DataView(this.bytes.buffer);
  at = 0;

  room(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    const need = this.at + n;
    if (need > MAX_BUFFER_BYTES)
      throw errors.ENOMEM(
        'kv.rewrite',
        'snapshot',
        `a snapshot of more than ${MAX_BUFFER_BYTES} bytes is more than one buffer holds`,
      );
    const grown = new Uint8Array(Math.min(MAX_BUFFER_BYTES, Math.max(need, this.bytes.length * 2)));
    grown.set(this.bytes.subarray(0, this.at));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  u8(n: number): void {
    this.room(1);
    this.bytes[this.at++] = n;
  }

  u32(n: number): void {
    this.room(4);
    this.view.setUint32(this.at, n, true);
    this.at += 4;
  }

  f64(x: number): void {
    this.room(8);
    this.view.setFloat64(this.at, x, true);
    this.at += 8;
  }

  blob(b: Uint8Array): void {
    this.u32(b.length);
    this.room(b.length);
    this.bytes.set(b, this.at);
    this.at += b.length;
  }

  text(s: string): void {
    this.blob(latin1Bytes(s));
  }
}

function typeCode(value: Value): number {
  if (value instanceof Uint8Array) return 0;
  if (value instanceof ListValue) return 1;
  if (value instanceof HashValue) return 2;
  if (value instanceof StreamValue) return 5;
  return value instanceof SetValue ? 3 : 4;
}

function writeValue(out: Out, value: Value): void {
  if (value instanceof Uint8Array) return out.blob(value);
  if (value instanceof ListValue) {
    const items = value.items;
    out.u32(items.length);
    for (const item of items) out.blob(item);
    return;
  }
  if (value instanceof HashValue) {
    out.u8(value.encoding === 'listpack' ? 0 : 1);
    out.u32(value.fields.size);
    for (const [f, v] of value.fields) {
      out.text(f);
      out.blob(v);
    }
    return;
  }
  if (value instanceof SetValue) {
    out.u8(value.encoding === 'intset' ? 0 : 1);
    out.u32(value.members.size);
    for (const m of value.members) out.text(m);
    return;
  }
  if (value instanceof StreamValue) return out.blob(value.serialize());
  out.u8(value.encoding === 'listpack' ? 0 : 1);
  const entries = value.entries();
  out.u32(entries.length);
  for (const [m, score] of entries) {
    out.text(m);
    out.f64(score);
  }
}

/** The snapshot bytes of `keys`' live entries, with header `magic`, the current format and `generation`. ENOMEM over 2 GiB. */
export function encodeKeys(keys: Keyspace, generation: number, magic: number): Uint8Array {
  const out = new Out();
  out.u32(magic);
  out.u32(SNAPSHOT_FORMAT);
  out.u32(generation);
  const now = keys.now();
  for (const [k, e] of keys.entries()) {
    if (e.expiresAt !== 0 && e.expiresAt <= now) continue;
    out.u8(typeCode(e.value));
    out.text(k);
    writeValue(out, e.value);
    out.f64(e.expiresAt);
  }
  return out.bytes.slice(0, out.at);
}

/** Whether a set member is one Redis keeps in an intset (a 64-bit integer in canonical form). */
export function isIntsetMember(member: string): boolean {
  return member.length <= 20 && parseInteger(latin1Bytes(member)) !== undefined;
}

/**
 * Loads snapshot bytes (`magic` header, format 1 or 2) into `keys`; returns
 * their generation. Values are copied (the bytes may be a lent view); keys
 * already expired are skipped. Errors: EIO for bytes not in the format.
 */
export function decodeKeys(view: Uint8Array, keys: Keyspace, magic: number, config: KvConfig): number {
  // slice() below must copy (see plainBytes).
  const bytes = plainBytes(view);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const bad = () => errors.EIO('kv.load', 'snapshot', 'not a DIOS KV snapshot, or cut short');
  if (bytes.length < SNAPSHOT_HEADER || v.getUint32(0, true) !== magic) throw bad();
  const format = v.getUint32(4, true);
  if (format !== 1 && format !== SNAPSHOT_FORMAT) throw bad();
  let at = SNAPSHOT_HEADER;
  const need = (n: number) => {
    if (at + n > bytes.length) throw bad();
  };
  const u8 = () => {
    need(1);
    return bytes[at++]!;
  };
  const u32 = () => {
    need(4);
    const n = v.getUint32(at, true);
    at += 4;
    return n;
  };
  const f64 = () => {
    need(8);
    const x = v.getFloat64(at, true);
    at += 8;
    return x;
  };
  const take = () => {
    const n = u32();
    need(n);
    const b = bytes.slice(at, at + n);
    at += n;
    return b;
  };
  const text = () => {
    const n = u32();
    need(n);
    const s = latin1(bytes.subarray(at, at + n));
    at += n;
    return s;
  };
  const now = keys.now();
  while (at < bytes.length) {
    const type = u8();
    if (type > (format === 1 ? 1 : 5)) throw bad();
    const key = text();
    let value: Value;
    if (type === 0) value = take();
    else if (type === 1) {
      const n = u32();
      const items: Uint8Array[] = [];
      for (let i = 0; i < n; i++) items.push(take());
      value = new ListValue(items);
    } else if (type === 5) {
      try {
        value = StreamValue.deserialize(take());
      } catch {
        throw bad();
      }
    } else {
      const small = u8() === 0;
      const n = u32();
      if (type === 2) value = readHash(n, small, text, take, config);
      else if (type === 3) value = readSet(n, small, text, config);
      else value = readSortedSet(n, small, text, f64, config);
    }
    const expiresAt = f64();
    if (expiresAt === 0 || expiresAt > now) keys.set(key, value, expiresAt);
  }
  return v.getUint32(8, true);
}

function readHash(n: number, small: boolean, text: () => string, take: () => Uint8Array, config: KvConfig): HashValue {
  const h = new HashValue();
  let longest = 0;
  for (let i = 0; i < n; i++) {
    const f = text();
    const value = take();
    longest = Math.max(longest, f.length, value.length);
    h.fields.set(f, value);
  }
  const fits = n <= config.hashMaxListpackEntries && (small || longest <= config.hashMaxListpackValue);
  h.encoding = fits ? 'listpack' : 'hashtable';
  return h;
}

function readSet(n: number, small: boolean, text: () => string, config: KvConfig): SetValue {
  const s = new SetValue();
  let integers = true;
  for (let i = 0; i < n; i++) {
    const m = text();
    if (!small && integers && !isIntsetMember(m)) integers = false;
    s.members.add(m);
  }
  const fits = n <= Math.min(config.setMaxIntsetEntries, 2 ** 30) && integers;
  s.encoding = fits ? 'intset' : 'hashtable';
  return s;
}

function readSortedSet(
  n: number,
  small: boolean,
  text: () => string,
  f64: () => number,
  config: KvConfig,
): SortedSetValue {
  const z = new SortedSetValue();
  // As saved while adding (a listpack would turn a -0 score into 0), then as the thresholds decide.
  z.encoding = small ? 'listpack' : 'skiplist';
  let longest = 0;
  for (let i = 0; i < n; i++) {
    const m = text();
    longest = Math.max(longest, m.length);
    z.add(m, f64());
  }
  const fits = n <= config.zsetMaxListpackEntries && (small || longest <= config.zsetMaxListpackValue);
  z.encoding = fits ? 'listpack' : 'skiplist';
  return z;
}
