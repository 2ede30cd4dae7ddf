/**
 * The values a key can hold, and their Redis type names (TYPE).
 * @module
 */
import { HashValue } from './hash.js';
import { ListValue } from './list.js';
import { SetValue } from './set.js';
import type { SortedSetValue } from './sorted-set.js';
import { StreamValue } from './stream.js';

/** A value: a string (bytes), a list, a hash, a set, a sorted set or a stream. */
export type Value = Uint8Array | ListValue | HashValue | SetValue | SortedSetValue | StreamValue;

/** The Redis type name of `value` (TYPE's reply), 'none' for no value. */
export function typeName(value: Value | undefined): string {
  if (value === undefined) return 'none';
  if (value instanceof Uint8Array) return 'string';
  if (value instanceof ListValue) return 'list';
  if (value instanceof HashValue) return 'hash';
  if (value instanceof SetValue) return 'set';
  if (value instanceof StreamValue) return 'stream';
  return 'zset';
}
