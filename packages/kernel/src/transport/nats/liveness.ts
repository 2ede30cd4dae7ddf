/**
 * Who is alive on a NATS cluster, as learnt from heartbeats: a node is alive
 * while its last heartbeat is at most `deadMs` old. Nodes once heard and now
 * silent (or that said goodbye) are remembered as gone, so a request to them
 * fails with EHOSTDOWN rather than EHOSTUNREACH (never heard of).
 *
 * Both are bounded: at most `maxPeers` nodes are alive at once (a heartbeat
 * from a new node beyond that is refused, so forged heartbeats cannot make
 * a node track thousands of peers), and the gone set forgets its oldest
 * entries beyond a few times that.
 * @module
 */

/** Default most peers a node tracks as alive at once. */
export const MAX_PEERS = 1024;

/** Heartbeat bookkeeping of one node. */
export class Liveness {
  readonly #deadMs: number;
  readonly #maxPeers: number;
  readonly #lastHeard = new Map<string, number>();
  // In the order they went (a Set keeps insertion order), so the oldest are forgotten first.
  readonly #gone = new Set<string>();

  /** `deadMs`: how long after its last heartbeat a node counts as gone; `maxPeers`: most nodes alive at once. */
  constructor(deadMs: number, maxPeers = MAX_PEERS) {
    this.#deadMs = deadMs;
    this.#maxPeers = maxPeers;
  }

  /**
   * Records a heartbeat: `new` when the node was not alive before (so the
   * caller may answer at once), `known` when it was, `refused` when it is
   * new and maxPeers nodes are alive already (it is not recorded).
   */
  heard(id: string, now: number): 'new' | 'known' | 'refused' {
    if (this.#lastHeard.has(id)) {
      this.#lastHeard.set(id, now);
      return 'known';
    }
    if (this.#lastHeard.size >= this.#maxPeers) return 'refused';
    this.#lastHeard.set(id, now);
    this.#gone.delete(id);
    return 'new';
  }

  /** Records a goodbye: the node is gone now. */
  left(id: string): void {
    if (!this.#lastHeard.delete(id)) return;
    this.#gone.delete(id);
    this.#gone.add(id);
    // Forgotten, a gone node is "never heard" (EHOSTUNREACH rather than EHOSTDOWN): that is all it costs.
    if (this.#gone.size > 4 * this.#maxPeers) this.#gone.delete(this.#gone.values().next().value!);
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
    for (const id of [...this.#lastHeard.keys()]) this.left(id);
  }
}
