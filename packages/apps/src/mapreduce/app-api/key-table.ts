/**
 * KeyTable: counts per key, where a key is a short run of bytes. An
 * open-addressing hash table over a byte arena, so counting a key already
 * seen allocates nothing (no string per occurrence): strings are made only
 * for distinct keys, when results are read out.
 * @module
 */

/** FNV-1a start value; callers hash a key's bytes with {@link hashStep} from it. */
export const HASH_SEED = 0x811c9dc5 | 0;

/** One FNV-1a step: the hash of a key extended by byte `b`. */
export function hashStep(hash: number, b: number): number {
  return Math.imul(hash ^ b, 0x01000193);
}

/** The identity byte map: keys compared and stored as they are. */
export const IDENTITY_BYTES: Uint8Array = Uint8Array.from({ length: 256 }, (_, i) => i);

const decoder = new TextDecoder();

/** Counts per byte-string key (see the module comment). */
export class KeyTable {
  #slots = new Int32Array(1024);
  #hashes = new Int32Array(512);
  #starts = new Int32Array(512);
  #lengths = new Int32Array(512);
  #counts = new Float64Array(512);
  #arena = new Uint8Array(4096);
  #arenaUsed = 0;
  #size = 0;
  readonly #map: Uint8Array;

  /**
   * `map` translates each source byte before it is compared or stored (WordCount lower-cases with it); hashes
   * given to {@link add} must be over the translated bytes.
   */
  constructor(map: Uint8Array = IDENTITY_BYTES) {
    this.#map = map;
  }

  /** Number of distinct keys. */
  get size(): number {
    return this.#size;
  }

  /** Adds `count` to the key `src[start, start + length)` (translated), whose hash is `hash`. */
  add(src: Uint8Array, start: number, length: number, hash: number, count: number): void {
    const slots = this.#slots;
    const mask = slots.length - 1;
    const map = this.#map;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const e = slots[slot]!;
      if (e === 0) {
        slots[slot] = this.#insert(src, start, length, hash, count) + 1;
        if (this.#size * 2 > mask) this.#rehash();
        return;
      }
      const i = e - 1;
      if (this.#hashes[i] === hash && this.#lengths[i] === length) {
        const arena = this.#arena;
        const at = this.#starts[i]!;
        let k = 0;
        while (k < length && map[src[start + k]!] === arena[at + k]) k++;
        if (k === length) {
          this.#counts[i]! += count;
          return;
        }
      }
    }
  }

  /** The key of entry `i` (0 <= i < size) as bytes: a view of the arena, valid until the next add. */
  keyBytes(i: number): Uint8Array {
    const at = this.#starts[i]!;
    return this.#arena.subarray(at, at + this.#lengths[i]!);
  }

  /** The length in bytes of entry `i`'s key: no view made (encoding every key's record asks this of each). */
  keyLength(i: number): number {
    return this.#lengths[i]!;
  }

  /**
   * Copies entry `i`'s key into `out` from `at`; returns the index after it. Encoding a table's records copies
   * every key: a view per key ({@link keyBytes}) would be an allocation per key.
   */
  copyKey(i: number, out: Uint8Array, at: number): number {
    const arena = this.#arena;
    const start = this.#starts[i]!;
    const length = this.#lengths[i]!;
    if (length > 32) out.set(arena.subarray(start, start + length), at);
    else for (let k = 0; k < length; k++) out[at + k] = arena[start + k]!;
    return at + length;
  }

  /** The key of entry `i` as text (keys are expected to be ASCII or UTF-8). */
  key(i: number): string {
    return decoder.decode(this.keyBytes(i));
  }

  /** Compares the keys of entries `a` and `b` in byte order: negative, 0 or positive. */
  compareKeys(a: number, b: number): number {
    const arena = this.#arena;
    const sa = this.#starts[a]!;
    const sb = this.#starts[b]!;
    const la = this.#lengths[a]!;
    const lb = this.#lengths[b]!;
    const n = la < lb ? la : lb;
    for (let k = 0; k < n; k++) {
      const d = arena[sa + k]! - arena[sb + k]!;
      if (d !== 0) return d;
    }
    return la - lb;
  }

  /** The hash of entry `i`'s key. */
  hash(i: number): number {
    return this.#hashes[i]!;
  }

  /** The count of entry `i`. */
  count(i: number): number {
    return this.#counts[i]!;
  }

  #insert(src: Uint8Array, start: number, length: number, hash: number, count: number): number {
    const i = this.#size++;
    if (i === this.#hashes.length) this.#growEntries();
    if (this.#arenaUsed + length > this.#arena.length) {
      const bigger = new Uint8Array(Math.max(this.#arena.length * 2, this.#arenaUsed + length));
      bigger.set(this.#arena.subarray(0, this.#arenaUsed));
      this.#arena = bigger;
    }
    const arena = this.#arena;
    const at = this.#arenaUsed;
    const map = this.#map;
    for (let k = 0; k < length; k++) arena[at + k] = map[src[start + k]!]!;
    this.#arenaUsed += length;
    this.#hashes[i] = hash;
    this.#starts[i] = at;
    this.#lengths[i] = length;
    this.#counts[i] = count;
    return i;
  }

  #growEntries(): void {
    const n = this.#hashes.length * 2;
    const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.#hashes = grow(this.#hashes, (k) => new Int32Array(k));
    this.#starts = grow(this.#starts, (k) => new Int32Array(k));
    this.#lengths = grow(this.#lengths, (k) => new Int32Array(k));
    this.#counts = grow(this.#counts, (k) => new Float64Array(k));
  }

  #rehash(): void {
    const slots = new Int32Array(this.#slots.length * 2);
    const mask = slots.length - 1;
    for (let i = 0; i < this.#size; i++) {
      let slot = this.#hashes[i]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = i + 1;
    }
    this.#slots = slots;
  }
}
