/**
 * DEBUG DIGEST and DIGEST-VALUE: a 160-bit fingerprint of the data set
 * or of single values, shaped as Redis' (debug.c: unordered collections
 * combine their elements by XOR, ordered ones in sequence; 40 zeros for
 * nothing). Only equality matters to its users, so the mixing function is
 * this server's own (a seeded multiply-xorshift over five 32-bit lanes,
 * not SHA-1).
 * @module
 */
import { StreamValue } from '../core/stream.js';
import { latin1Bytes } from '../core/bytes.js';
import type { Keyspace } from '../core/keyspace.js';
import { HashValue } from '../core/hash.js';
import { ListValue } from '../core/list.js';
import { SetValue } from '../core/set.js';
import type { Value } from '../core/values.js';

/** Five 32-bit lanes. */
type Digest = Uint32Array;

const SEEDS = [0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f, 0x165667b1];

// The digest of `bytes` mixed into `into`'s current state (order matters).
function mix(into: Digest, bytes: Uint8Array): void {
  for (let lane = 0; lane < 5; lane++) {
    let h = (into[lane]! ^ SEEDS[lane]! ^ bytes.length) >>> 0;
    for (let i = 0; i < bytes.length; i++) {
      h = Math.imul(h ^ bytes[i]!, 0x01000193 + lane * 2);
      h ^= h >>> 15;
    }
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    into[lane] = (h ^ (h >>> 16)) >>> 0;
  }
}

function xorInto(into: Digest, d: Digest): void {
  for (let i = 0; i < 5; i++) into[i] = (into[i]! ^ d[i]!) >>> 0;
}

function ofBytes(...parts: Uint8Array[]): Digest {
  const d = new Uint32Array(5);
  for (const p of parts) mix(d, p);
  return d;
}

const TYPE_TAGS = { string: 1, list: 2, hash: 3, set: 4, zset: 5, stream: 6 };

/** The digest of one value (DEBUG DIGEST-VALUE), independent of its key. */
export function valueDigest(value: Value): Digest {
  const d = new Uint32Array(5);
  if (value instanceof Uint8Array) {
    mix(d, Uint8Array.of(TYPE_TAGS.string));
    mix(d, value);
  } else if (value instanceof ListValue) {
    mix(d, Uint8Array.of(TYPE_TAGS.list));
    for (const item of value.items) mix(d, item);
  } else if (value instanceof HashValue) {
    mix(d, Uint8Array.of(TYPE_TAGS.hash));
    for (const [f, v] of value.fields) xorInto(d, ofBytes(latin1Bytes(f), v));
  } else if (value instanceof SetValue) {
    mix(d, Uint8Array.of(TYPE_TAGS.set));
    for (const m of value.members) xorInto(d, ofBytes(latin1Bytes(m)));
  } else if (value instanceof StreamValue) {
    mix(d, Uint8Array.of(TYPE_TAGS.stream));
    xorInto(d, ofBytes(value.serialize()));
  } else {
    mix(d, Uint8Array.of(TYPE_TAGS.zset));
    for (const [m, score] of value.entries()) xorInto(d, ofBytes(latin1Bytes(m), latin1Bytes(String(score))));
  }
  return d;
}

/** A digest as 40 hex digits. */
export function digestHex(d: Digest): string {
  let s = '';
  for (const lane of d) s += lane.toString(16).padStart(8, '0');
  return s;
}

/** The digest of the whole data set (DEBUG DIGEST): 40 zeros when empty, else keys, values and expiries XORed. */
export function datasetDigest(keys: Keyspace): Digest {
  const total = new Uint32Array(5);
  const now = keys.now();
  for (const [key, entry] of keys.entries()) {
    if (entry.expiresAt !== 0 && entry.expiresAt <= now) continue;
    const d = ofBytes(latin1Bytes(key));
    const v = valueDigest(entry.value);
    for (const lane of v) mix(d, Uint8Array.of(lane & 255, (lane >>> 8) & 255, (lane >>> 16) & 255, lane >>> 24));
    if (entry.expiresAt !== 0) mix(d, latin1Bytes(`!!expire!!${entry.expiresAt}`));
    xorInto(total, d);
  }
  return total;
}
