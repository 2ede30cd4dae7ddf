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
  // The instance nonce each live node's heartbeats carry, and the nonces of instances that were replaced (a stale
  // heartbeat of a replaced instance, delayed on the way, must not count as yet another restart).
  readonly #instances = new Map<string, string>();
  readonly #replaced = new Set<string>();
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
   * new and maxPeers nodes are alive already (it is not recorded),
   * `restarted` when it was alive as another instance (the heartbeat's
   * `instance` nonce differs: the node restarted before it was found gone;
   * the old instance is gone, the new one alive), `stale` for a late
   * heartbeat of an instance already replaced (ignored).
   */
  heard(id: string, now: number, instance?: string): 'new' | 'known' | 'refused' | 'restarted' | 'stale' {
    if (instance !== undefined && this.#replaced.has(`${id}\u0000${instance}`)) return 'stale';
    if (this.#lastHeard.has(id)) {
      const known = this.#instances.get(id);
      this.#lastHeard.set(id, now);
      if (instance === undefined || known === instance) return 'known';
      this.#instances.set(id, instance);
      if (known === undefined) return 'known';
      this.#replace(id, known);
      return 'restarted';
    }
    if (this.#lastHeard.size >= this.#maxPeers) return 'refused';
    this.#lastHeard.set(id, now);
    if (instance !== undefined) this.#instances.set(id, instance);
    this.#gone.delete(id);
    return 'new';
  }

  // Remembers a replaced instance, a bounded number of them (the oldest forgotten first).
  #replace(id: string, instance: string): void {
    this.#replaced.add(`${id}\u0000${instance}`);
    if (this.#replaced.size > 4 * this.#maxPeers) this.#replaced.delete(this.#replaced.values().next().value!);
  }

  /** Records a goodbye: the node is gone now. */
  left(id: string): void {
    if (!this.#lastHeard.delete(id)) return;
    // Not retired: the same instance heard again is the node back (a healed partition), not a stale heartbeat.
    this.#instances.delete(id);
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

  /** The instance nonce of live node `id`'s heartbeats, if they carry one. */
  instanceOf(id: string): string | undefined {
    return this.#instances.get(id);
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
