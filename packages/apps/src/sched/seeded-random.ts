/**
 * Seeded randomness for the simulator's job mixes: the same seed gives the
 * same workload on every run and platform, so schedulers are compared on
 * one workload and a figure can be reproduced.
 * @module
 */

/** A uniform generator in [0, 1) (mulberry32) and the draws the job mix needs. */
export class SeededRandom {
  #state: number;

  /** `seed`: any integer (taken modulo 2^32). */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An exponentially distributed number of mean `mean`. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** The indices 0..n-1 in a random order (Fisher-Yates). */
  permutation(n: number): number[] {
    const out = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.below(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

/**
 * Draws ranks 0..n-1 with probability proportional to 1/(rank+1)^s: a few
 * ranks get most draws (s = 0 is uniform). Cumulative table and a binary
 * search: O(n) to build, O(log n) a draw.
 */
export class ZipfSampler {
  readonly #cumulative: Float64Array;

  /** `n` ranks, exponent `s` ≥ 0. */
  constructor(n: number, s: number) {
    this.#cumulative = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      sum += 1 / Math.pow(i + 1, s);
      this.#cumulative[i] = sum;
    }
  }

  /** One rank, from the uniform draw `u` in [0, 1). */
  draw(u: number): number {
    const c = this.#cumulative;
    const target = u * c[c.length - 1]!;
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (c[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
