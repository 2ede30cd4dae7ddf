/**
 * The summary figures of a list of samples the simulator reports
 * (nearest-rank percentiles, so every figure is one of the samples).
 * @module
 */

/** Median, 99th percentile, mean, max and sum of some samples (all 0 for none). */
export interface Summary {
  /** 50th percentile. */
  readonly median: number;
  /** 99th percentile. */
  readonly p99: number;
  /** Mean. */
  readonly mean: number;
  /** Largest. */
  readonly max: number;
  /** Sum. */
  readonly total: number;
}

/** The {@link Summary} of `samples` (not changed). */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) return { median: 0, p99: 0, mean: 0, max: 0, total: 0 };
  const sorted = Float64Array.from(samples).sort();
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  let total = 0;
  for (const s of samples) total += s;
  return { median: rank(0.5), p99: rank(0.99), mean: total / samples.length, max: sorted[sorted.length - 1]!, total };
}
