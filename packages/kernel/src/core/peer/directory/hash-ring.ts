/**
 * Consistent hashing for the name directory: kernels and names are points
 * on a 32-bit circle, and a name's directory shard is the kernel at the
 * first point at or after the name's. Each kernel has a few points (virtual
 * nodes) so that the circle is shared out evenly; a kernel joining or
 * leaving moves only the names next to its own points.
 * @module
 */

/** Points each kernel has on the circle. */
export const VIRTUAL_NODES = 4;

/** A stretch of the circle: the positions after `start` up to and including `end` (the whole circle when equal). */
export type Arc = readonly [start: number, end: number];

/** The position of a name on the circle: its first 32 bits (names are random or digests, so evenly spread). */
export function namePosition(key: string): number {
  return Number.parseInt(key.slice(0, 8), 16) >>> 0;
}

/** Whether position `p` lies on one of `arcs`. */
export function onArcs(arcs: readonly Arc[], p: number): boolean {
  for (const [start, end] of arcs) {
    if (start === end) return true;
    if (start < end ? p > start && p <= end : p > start || p <= end) return true;
  }
  return false;
}

// FNV-1a over the UTF-16 units, then murmur3's finaliser: kernel ids are short and alike ("node-1", "node-2").
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The circle of the kernels a node knows, kept sorted as kernels come and go (no rebuild per change). */
export class HashRing {
  // Points in order; ties (vanishingly rare) broken by kernel id so that every node orders them alike.
  readonly #positions: number[] = [];
  readonly #owners: string[] = [];
  readonly #members = new Set<string>();

  /** Number of kernels on the circle. */
  get size(): number {
    return this.#members.size;
  }

  /** Whether `id` is on the circle. */
  has(id: string): boolean {
    return this.#members.has(id);
  }

  /** The kernels on the circle. */
  members(): string[] {
    return [...this.#members];
  }

  /** Puts kernel `id` on the circle (no effect if it is there). */
  add(id: string): void {
    if (this.#members.has(id)) return;
    this.#members.add(id);
    for (let v = 0; v < VIRTUAL_NODES; v++) {
      const p = hash32(`${id}\u0000${v}`);
      const i = this.#insertionPoint(p, id);
      this.#positions.splice(i, 0, p);
      this.#owners.splice(i, 0, id);
    }
  }

  /** Takes kernel `id` off the circle (no effect if it is not there). */
  remove(id: string): void {
    if (!this.#members.delete(id)) return;
    for (let i = this.#owners.length - 1; i >= 0; i--) {
      if (this.#owners[i] === id) {
        this.#positions.splice(i, 1);
        this.#owners.splice(i, 1);
      }
    }
  }

  /** The kernel whose shard holds position `p`; undefined on an empty circle. */
  owner(p: number): string | undefined {
    const n = this.#positions.length;
    if (n === 0) return undefined;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#positions[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    return this.#owners[lo === n ? 0 : lo];
  }

  /** The arcs kernel `id` holds (empty if it is not on the circle). */
  arcsOf(id: string): Arc[] {
    const n = this.#positions.length;
    const arcs: Arc[] = [];
    for (let i = 0; i < n; i++) {
      if (this.#owners[i] !== id) continue;
      const prev = this.#positions[(i + n - 1) % n]!;
      const at = this.#positions[i]!;
      // A point sharing its position with the one before owns nothing (that one comes first); a lone point owns all.
      if (prev !== at || n === 1) arcs.push([prev, at]);
    }
    return arcs;
  }

  // Where a point goes: after smaller positions, and after equal ones of smaller ids.
  #insertionPoint(p: number, id: string): number {
    let lo = 0;
    let hi = this.#positions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const q = this.#positions[mid]!;
      if (q < p || (q === p && this.#owners[mid]! < id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
