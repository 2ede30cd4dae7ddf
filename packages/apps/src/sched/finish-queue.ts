/**
 * The simulator's pending finishes: a binary min-heap of (time, task index),
 * ties in task order so that a simulation repeats exactly.
 * @module
 */

/** Finish events, earliest first. */
export class FinishQueue {
  readonly #times: number[] = [];
  readonly #tasks: number[] = [];

  /** Events held. */
  get size(): number {
    return this.#times.length;
  }

  /** The earliest event's time (Infinity when empty). */
  peekTime(): number {
    return this.#times.length === 0 ? Infinity : this.#times[0]!;
  }

  /** Adds task `task` finishing at `time`. */
  push(time: number, task: number): void {
    const t = this.#times;
    const x = this.#tasks;
    let i = t.length;
    t.push(time);
    x.push(task);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(time, task, t[p]!, x[p]!)) break;
      t[i] = t[p]!;
      x[i] = x[p]!;
      i = p;
    }
    t[i] = time;
    x[i] = task;
  }

  /** Removes the earliest event; returns its task index. */
  pop(): number {
    const t = this.#times;
    const x = this.#tasks;
    const top = x[0]!;
    const lastTime = t.pop()!;
    const lastTask = x.pop()!;
    if (t.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= t.length) break;
      const r = l + 1;
      const c = r < t.length && before(t[r]!, x[r]!, t[l]!, x[l]!) ? r : l;
      if (!before(t[c]!, x[c]!, lastTime, lastTask)) break;
      t[i] = t[c]!;
      x[i] = x[c]!;
      i = c;
    }
    t[i] = lastTime;
    x[i] = lastTask;
    return top;
  }
}

function before(ta: number, ia: number, tb: number, ib: number): boolean {
  return ta < tb || (ta === tb && ia < ib);
}
