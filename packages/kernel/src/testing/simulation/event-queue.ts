/**
 * The simulation's event queue: a binary heap ordered by virtual time, then
 * by scheduling order, so that the order of events is a function of the
 * delays chosen and nothing else.
 * @module
 */
import type { SimEvent } from './sim-event.js';

const before = (a: SimEvent, b: SimEvent): boolean => a.time < b.time || (a.time === b.time && a.seq < b.seq);

/** A min-heap of events. */
export class EventQueue {
  readonly #heap: SimEvent[] = [];

  /** Events waiting (cancelled ones included until they surface). */
  get size(): number {
    return this.#heap.length;
  }

  /** The earliest event, left in the queue. */
  peek(): SimEvent | undefined {
    return this.#heap[0];
  }

  /** Every queued event, in no particular order (to cancel some). */
  all(): readonly SimEvent[] {
    return this.#heap;
  }

  /** Adds an event. */
  push(event: SimEvent): void {
    const heap = this.#heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  /** Removes and returns the earliest event, or undefined. */
  pop(): SimEvent | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}
