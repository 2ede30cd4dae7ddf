/**
 * Which reduce task a key goes to. It uses the high bits of a remixed key
 * hash: the tables index slots by the low bits of the same hash, and keys
 * that share a partition must not crowd into the same slots.
 * @module
 */

/** The partition, in [0, reduces), of a key whose hash (see KeyTable) is `hash`. */
export function partitionOf(hash: number, reduces: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return Math.floor(((h >>> 0) / 2 ** 32) * reduces);
}
