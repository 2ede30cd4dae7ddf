/**
 * How often each call succeeded or failed with each errno, and counts of
 * notable cases, to see what the generated sequences exercise.
 * @module
 */

/** Outcome counts per call (`create: EINVAL`, `select: ok`) and notable cases (`~ stream write wraps the ring`). */
export class ModelStatistics {
  /** The counts, by key. */
  readonly counts = new Map<string, number>();
  /** Whether an errno's key also names the failing argument (`create: EINVAL options`). */
  readonly withArguments: boolean;

  constructor(options: { withArguments?: boolean } = {}) {
    this.withArguments = options.withArguments ?? false;
  }

  /** Counts a notable case. */
  tag(name: string): void {
    this.#add(`~ ${name}`);
  }

  /** Counts the outcome of the call a step label names (`t1.create(...)`). */
  outcome(label: string, outcome: string): void {
    this.#add(`${/\.(\w+)\(/.exec(label)?.[1] ?? label}: ${outcome}`);
  }

  /** The counts, one a line, sorted by key. */
  format(): string {
    return [...this.counts.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k.padEnd(40)} ${v}`)
      .join('\n');
  }

  #add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
}
