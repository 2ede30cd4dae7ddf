/**
 * The greedy baseline over a cluster: each waiting task, in arrival order,
 * goes to the machine with a free slot that holds most of its input bytes,
 * else to the machine with the most free slots (the kernel's default policy,
 * {@link localityPolicy}, applied task by task).
 * @module
 */
import { BookedScheduler } from './booked-scheduler.js';
import type { Assignment } from './cluster-scheduler.js';

/** Most local input bytes first, then most free slots; tasks that find no free slot wait. */
export class GreedyScheduler extends BookedScheduler {
  /** A greedy scheduler with no machines. */
  constructor() {
    super('greedyScheduler');
  }

  /** See {@link ClusterScheduler.schedule}. */
  schedule(): Assignment[] {
    const book = this.book;
    const out: Assignment[] = [];
    // Machines by free slots, most first: a lazy heap of [free, order] entries, stale ones skipped.
    const ids = [...book.machines.keys()];
    const order = new Map(ids.map((id, i) => [id, i]));
    const heap = new MaxHeap();
    ids.forEach((id, i) => heap.push(book.machines.get(id)!.free, i));
    for (const t of [...book.waiting.values()]) {
      let best: string | undefined;
      let bestBytes = 0;
      for (const [id, bytes] of Object.entries(t.inputBytes)) {
        const m = book.machines.get(id);
        if (m === undefined || m.free <= 0) continue;
        if (
          bytes > bestBytes ||
          (bytes === bestBytes && best !== undefined && m.free > book.machines.get(best)!.free)
        ) {
          best = id;
          bestBytes = bytes;
        }
      }
      if (best === undefined) {
        for (;;) {
          const top = heap.peek();
          if (top === undefined) break;
          const m = book.machines.get(ids[top.index]!)!;
          if (m.free !== top.key) heap.pop();
          else {
            if (m.free > 0) best = ids[top.index];
            break;
          }
        }
      }
      if (best === undefined) continue;
      book.assign(t.id, best);
      out.push({ task: t.id, machine: best });
      heap.push(book.machines.get(best)!.free, order.get(best)!);
    }
    return out;
  }
}

// A binary max-heap of (key, index) pairs; ties go to the lower index (the machine added first).
class MaxHeap {
  readonly #keys: number[] = [];
  readonly #indices: number[] = [];
  push(key: number, index: number): void {
    const k = this.#keys;
    const x = this.#indices;
    let i = k.length;
    k.push(key);
    x.push(index);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#above(key, index, k[p]!, x[p]!)) break;
      k[i] = k[p]!;
      x[i] = x[p]!;
      i = p;
    }
    k[i] = key;
    x[i] = index;
  }
  peek(): { key: number; index: number } | undefined {
    return this.#keys.length === 0 ? undefined : { key: this.#keys[0]!, index: this.#indices[0]! };
  }
  pop(): void {
    const k = this.#keys;
    const x = this.#indices;
    const lastKey = k.pop()!;
    const lastIndex = x.pop()!;
    if (k.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= k.length) break;
      const r = l + 1;
      const c = r < k.length && this.#above(k[r]!, x[r]!, k[l]!, x[l]!) ? r : l;
      if (!this.#above(k[c]!, x[c]!, lastKey, lastIndex)) break;
      k[i] = k[c]!;
      x[i] = x[c]!;
      i = c;
    }
    k[i] = lastKey;
    x[i] = lastIndex;
  }
  #above(ka: number, ia: number, kb: number, ib: number): boolean {
    return ka > kb || (ka === kb && ia < ib);
  }
}
