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

// The points of kernel `id`, in the order of their index.
function pointsOf(id: string): number[] {
  const points: number[] = [];
  for (let v = 0; v < VIRTUAL_NODES; v++) points.push(hash32(`${id}\u0000${v}`));
  return points;
}

/**
 * The circle of the kernels a node knows, kept sorted as kernels come and
 * go. Points live in typed arrays (a position above 2^30 would be a boxed
 * number in a plain array) and a change moves memory instead of rebuilding:
 * at 1,000 kernels that is 32 KiB per node, and a join costs microseconds.
 */
export class HashRing {
  // Points in order of position, ties broken by kernel id so that every node orders them alike.
  #positions = new Uint32Array(4 * VIRTUAL_NODES);
  // The kernel of each point, as its slot in #ids.
  #owners = new Int32Array(4 * VIRTUAL_NODES);
  #count = 0;
  readonly #ids: (string | undefined)[] = [];
  readonly #slots = new Map<string, number>();
  readonly #freeSlots: number[] = [];

  /** Number of kernels on the circle. */
  get size(): number {
    return this.#slots.size;
  }

  /** Whether `id` is on the circle. */
  has(id: string): boolean {
    return this.#slots.has(id);
  }

  /** The kernels on the circle. */
  members(): string[] {
    return [...this.#slots.keys()];
  }

  /** Puts kernel `id` on the circle (no effect if it is there). */
  add(id: string): void {
    if (this.#slots.has(id)) return;
    const slot = this.#freeSlots.pop() ?? this.#ids.length;
    this.#ids[slot] = id;
    this.#slots.set(id, slot);
    if (this.#count + VIRTUAL_NODES > this.#positions.length) this.#grow();
    for (const p of pointsOf(id)) {
      const i = this.#indexOf(p, id);
      this.#positions.copyWithin(i + 1, i, this.#count);
      this.#owners.copyWithin(i + 1, i, this.#count);
      this.#positions[i] = p;
      this.#owners[i] = slot;
      this.#count++;
    }
  }

  /** Takes kernel `id` off the circle (no effect if it is not there). */
  remove(id: string): void {
    const slot = this.#slots.get(id);
    if (slot === undefined) return;
    for (const p of pointsOf(id)) {
      const i = this.#indexOf(p, id);
      this.#positions.copyWithin(i, i + 1, this.#count);
      this.#owners.copyWithin(i, i + 1, this.#count);
      this.#count--;
    }
    this.#slots.delete(id);
    this.#ids[slot] = undefined;
    this.#freeSlots.push(slot);
  }

  /** The kernel whose shard holds position `p`; undefined on an empty circle. */
  owner(p: number): string | undefined {
    const n = this.#count;
    if (n === 0) return undefined;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#positions[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    return this.#ids[this.#owners[lo === n ? 0 : lo]!];
  }

  /** The arcs kernel `id` holds, in the order of their ends on the circle (empty if it is not on the circle). */
  arcsOf(id: string): Arc[] {
    const n = this.#count;
    if (!this.#slots.has(id)) return [];
    const arcs: Arc[] = [];
    for (const i of pointsOf(id)
      .map((p) => this.#indexOf(p, id))
      .sort((a, b) => a - b)) {
      const prev = this.#positions[(i + n - 1) % n]!;
      const at = this.#positions[i]!;
      // A point sharing its position with the one before owns nothing (that one comes first); a lone point owns all.
      if (prev !== at || n === 1) arcs.push([prev, at]);
    }
    return arcs;
  }

  // Where point (p, id) is, or goes: after smaller positions, and after equal ones of smaller ids.
  #indexOf(p: number, id: string): number {
    let lo = 0;
    let hi = this.#count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const q = this.#positions[mid]!;
      if (q < p || (q === p && this.#ids[this.#owners[mid]!]! < id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #grow(): void {
    const positions = new Uint32Array(this.#positions.length * 2);
    const owners = new Int32Array(this.#owners.length * 2);
    positions.set(this.#positions);
    owners.set(this.#owners);
    this.#positions = positions;
    this.#owners = owners;
  }
}
