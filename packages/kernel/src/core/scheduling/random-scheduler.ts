/**
 * The random baseline: each waiting task, in arrival order, goes to a
 * machine with a free slot chosen uniformly at random (seeded, so a
 * simulation repeats). What data locality is measured against.
 * @module
 */
import { BookedScheduler } from './booked-scheduler.js';
import type { Assignment } from './cluster-scheduler.js';

/** Uniformly random placement among machines with a free slot; tasks that find none wait. */
export class RandomScheduler extends BookedScheduler {
  #state: number;

  /** `seed`: any 32-bit integer; the same seed and calls give the same placements. */
  constructor(seed = 1) {
    super('randomScheduler');
    this.#state = seed >>> 0;
  }
  /** See {@link ClusterScheduler.schedule}. */
  schedule(): Assignment[] {
    const book = this.book;
    const open = [...book.machines.values()].filter((m) => m.free > 0).map((m) => m.spec.id);
    const out: Assignment[] = [];
    for (const t of [...book.waiting.values()]) {
      if (open.length === 0) break;
      const i = Math.floor(this.#next() * open.length);
      const id = open[i]!;
      book.assign(t.id, id);
      out.push({ task: t.id, machine: id });
      if (book.machines.get(id)!.free <= 0) {
        open[i] = open[open.length - 1]!;
        open.pop();
      }
    }
    return out;
  }

  // mulberry32: small, fast, good enough to spread tasks.
  #next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
