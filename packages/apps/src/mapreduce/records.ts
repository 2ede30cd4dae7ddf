/**
 * The record format of intermediate and output objects: one `key<TAB>count`
 * line per key, count in decimal. Keys never contain a tab or a newline
 * (WordCount keys are ASCII letters and digits), so this is binary-safe for
 * them and readable with any text tool.
 * @module
 */
import { errors } from '@dios/kernel';
import { HASH_SEED, hashStep, type KeyTable } from './app-api/key-table.js';

const TAB = 0x09;
const NL = 0x0a;
const ZERO = 0x30;

/** A key and its count, as the job's results are read out. */
export interface KeyCount {
  /** The key (for WordCount, the word). */
  readonly key: string;
  /** How many times it occurred. */
  readonly count: number;
}

function digits(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/** Bytes that {@link encodeRecords} needs for entries `entries` of `table`. */
export function recordsSize(table: KeyTable, entries: ArrayLike<number>): number {
  let size = 0;
  for (let j = 0; j < entries.length; j++) {
    const i = entries[j]!;
    size += table.keyLength(i) + digits(table.count(i)) + 2;
  }
  return size;
}

/** Writes the records of entries `entries` of `table`, in that order, into `out` from 0; returns the bytes written. */
export function encodeRecords(table: KeyTable, entries: ArrayLike<number>, out: Uint8Array): number {
  let at = 0;
  for (let j = 0; j < entries.length; j++) {
    const i = entries[j]!;
    at = table.copyKey(i, out, at);
    out[at++] = TAB;
    let n = table.count(i);
    const d = digits(n);
    for (let k = at + d - 1; k >= at; k--) {
      out[k] = ZERO + (n % 10);
      n = Math.floor(n / 10);
    }
    at += d;
    out[at++] = NL;
  }
  return at;
}

function corrupt(call: string, offset: number): never {
  throw errors.EIO(call, 'records', `malformed record at byte ${offset}: expected key<TAB>count<NEWLINE>`);
}

/** Adds every record of `bytes` to `table` (keys hashed as KeyTable expects). EIO for malformed records. */
export function decodeRecords(bytes: Uint8Array, table: KeyTable, call = 'decodeRecords'): void {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const start = i;
    let h = HASH_SEED;
    let b = 0;
    while (i < n && (b = bytes[i]!) !== TAB && b !== NL) {
      h = hashStep(h, b);
      i++;
    }
    if (i === n || b !== TAB || i === start) corrupt(call, start);
    const keyEnd = i++;
    let count = 0;
    const countStart = i;
    while (i < n && (b = bytes[i]!) >= ZERO && b <= ZERO + 9) {
      count = count * 10 + (b - ZERO);
      i++;
    }
    if (i === n || bytes[i] !== NL || i === countStart) corrupt(call, start);
    i++;
    table.add(bytes, start, keyEnd - start, h, count);
  }
}

const decoder = new TextDecoder();

/** Parses at most `limit` records of `bytes` into key-count pairs (in their order). EIO for malformed records. */
export function parseRecords(bytes: Uint8Array, limit = Infinity, call = 'parseRecords'): KeyCount[] {
  const out: KeyCount[] = [];
  let i = 0;
  while (i < bytes.length && out.length < limit) {
    const tab = bytes.indexOf(TAB, i);
    const nl = tab < 0 ? -1 : bytes.indexOf(NL, tab);
    if (tab <= i || nl < 0) corrupt(call, i);
    const count = Number(decoder.decode(bytes.subarray(tab + 1, nl)));
    if (!Number.isSafeInteger(count) || nl === tab + 1) corrupt(call, i);
    out.push({ key: decoder.decode(bytes.subarray(i, tab)), count });
    i = nl + 1;
  }
  return out;
}

/** Orders key counts as WordCount prints them: larger count first, ties in byte order of the key. */
export function compareKeyCounts(a: KeyCount, b: KeyCount): number {
  return b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}
