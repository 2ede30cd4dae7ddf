/**
 * The name directory's messages as they come off the wire, checked field by
 * field: a malformed one is refused whole (EINVAL naming the field) before
 * the directory changes anything.
 * @module
 */
import { errors } from '../../abi/errors.js';
import type { NameEntry } from './directory-shard.js';
import type { Arc } from './hash-ring.js';
import { VIRTUAL_NODES } from './hash-ring.js';

const HEX = /^[0-9a-f]{64}$/;
// Most arcs a sync may name (a kernel has VIRTUAL_NODES), and most names one message may carry.
const MAX_ARCS = 4 * VIRTUAL_NODES;
const MAX_ENTRIES = 1 << 20;

// A peer's message is checked field by field: a malformed one is refused whole, before anything changes.
/** The `names` (or `entries`) of a directory message of kind `kind`. */
export function checkEntries(value: unknown, kind: string): NameEntry[] {
  if (!Array.isArray(value) || value.length > MAX_ENTRIES)
    throw errors.EINVAL(`peer:${kind}`, 'names', `expected an array of at most ${MAX_ENTRIES} entries`);
  for (const e of value as unknown[]) {
    const { name, seq } = (e ?? {}) as { name?: unknown; seq?: unknown };
    if (typeof name !== 'string' || !HEX.test(name) || typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0)
      throw errors.EINVAL(
        `peer:${kind}`,
        'names',
        'each entry is { name: 64 hex digits, seq: a non-negative integer }',
      );
  }
  return value as NameEntry[];
}

/** A sync's `arcs` or `yours` (named by `argument`): flat [start, end, ...] positions. */
export function checkArcs(value: unknown, argument: string): Arc[] {
  if (!Array.isArray(value) || value.length % 2 !== 0 || value.length > 2 * MAX_ARCS)
    throw errors.EINVAL(
      'peer:directory-sync',
      argument,
      `expected an even-length array of at most ${2 * MAX_ARCS} positions`,
    );
  const arcs: Arc[] = [];
  for (let i = 0; i < value.length; i += 2) {
    const [s, e] = [value[i] as unknown, value[i + 1] as unknown];
    if (!isPosition(s) || !isPosition(e))
      throw errors.EINVAL('peer:directory-sync', argument, 'positions are integers from 0 to 2^32 - 1');
    arcs.push([s, e]);
  }
  return arcs;
}

function isPosition(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}
