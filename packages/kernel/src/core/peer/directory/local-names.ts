/**
 * The names a kernel holds in its groups, as the name directory needs them:
 * how many local objects carry each (copies may share one), and the sequence
 * number of the change that last made it appear or vanish here.
 * @module
 */
import type { Arc } from './hash-ring.js';
import { namePosition, onArcs } from './hash-ring.js';
import type { NameEntry } from './directory-shard.js';

/** The kernel's own named objects, counted by name. */
export class LocalNames {
  readonly #counts = new Map<string, { count: number; seq: number }>();
  #seq = 0;

  /** Counts one more object named `key`; returns its entry when the name is new here (to register), else undefined. */
  add(key: string): NameEntry | undefined {
    const known = this.#counts.get(key);
    if (known !== undefined) {
      known.count++;
      return undefined;
    }
    const seq = ++this.#seq;
    this.#counts.set(key, { count: 1, seq });
    return { name: key, seq };
  }

  /** Counts one object named `key` fewer; returns the entry to unregister when it was the last. */
  remove(key: string): NameEntry | undefined {
    const known = this.#counts.get(key);
    if (known === undefined) return undefined;
    if (--known.count > 0) return undefined;
    this.#counts.delete(key);
    return { name: key, seq: ++this.#seq };
  }

  /** Whether an object named `key` is here. */
  has(key: string): boolean {
    return this.#counts.has(key);
  }

  /** The names here whose positions fall on `arcs`. */
  onArcs(arcs: readonly Arc[]): NameEntry[] {
    const out: NameEntry[] = [];
    for (const [name, { seq }] of this.#counts) if (onArcs(arcs, namePosition(name))) out.push({ name, seq });
    return out;
  }

  /** Every name here. */
  all(): NameEntry[] {
    return [...this.#counts].map(([name, { seq }]) => ({ name, seq }));
  }
}
