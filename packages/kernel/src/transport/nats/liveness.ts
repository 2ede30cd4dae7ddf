/**
 * Who is alive on a NATS cluster, as learnt from heartbeats: a node is alive
 * while its last heartbeat is at most `deadMs` old. Nodes once heard and now
 * silent (or that said goodbye) are remembered as gone, so a request to them
 * fails with EHOSTDOWN rather than EHOSTUNREACH (never heard of).
 * @module
 */

/** Heartbeat bookkeeping of one node. */
export class Liveness {
  readonly #deadMs: number;
  readonly #lastHeard = new Map<string, number>();
  readonly #gone = new Set<string>();

  /** `deadMs`: how long after its last heartbeat a node counts as gone. */
  constructor(deadMs: number) {
    this.#deadMs = deadMs;
  }

  /** Records a heartbeat; true when the node was not alive before (so the caller may answer at once). */
  heard(id: string, now: number): boolean {
    const fresh = !this.#lastHeard.has(id);
    this.#lastHeard.set(id, now);
    this.#gone.delete(id);
    return fresh;
  }

  /** Records a goodbye: the node is gone now. */
  left(id: string): void {
    if (this.#lastHeard.delete(id)) this.#gone.add(id);
  }

  /** Moves nodes silent for longer than deadMs to the gone set; returns them. */
  sweep(now: number): string[] {
    const expired: string[] = [];
    for (const [id, at] of this.#lastHeard) {
      if (now - at > this.#deadMs) expired.push(id);
    }
    for (const id of expired) this.left(id);
    return expired;
  }

  /** Whether `id` is alive. */
  isAlive(id: string): boolean {
    return this.#lastHeard.has(id);
  }

  /** Whether `id` was heard once and is gone now. */
  isGone(id: string): boolean {
    return this.#gone.has(id);
  }

  /** Ids of the nodes alive. */
  alive(): string[] {
    return [...this.#lastHeard.keys()];
  }

  /** Forgets everyone alive (this node left): they count as gone. */
  clear(): void {
    for (const id of this.#lastHeard.keys()) this.#gone.add(id);
    this.#lastHeard.clear();
  }
}
