/**
 * Clients parked by blocking commands (BLPOP, BZPOPMIN ...): by key, first
 * come first served, the keys written since they were last looked at, and
 * the deadlines (Redis' blocked.c).
 * @module
 */
import { BLOCKED } from './client-flags.js';
import type { BlockRequest } from './blocking.js';
import type { ClientState } from './context.js';

/** The server's blocked clients (see the module comment). */
export class BlockedClients {
  readonly #byKey = new Map<string, ClientState[]>();
  readonly #clients = new Set<ClientState>();
  /** Keys with blocked clients written since they were last served (served after the writing command). */
  readonly ready = new Set<string>();

  /** Clients blocked now (INFO's blocked_clients). */
  get count(): number {
    return this.#clients.size;
  }

  /** Parks `client` until one of `request.keys` is written or the deadline passes. */
  block(client: ClientState, request: BlockRequest): void {
    client.blockedBy = request;
    client.flags |= BLOCKED;
    this.#clients.add(client);
    for (const key of new Set(request.keys)) {
      let queue = this.#byKey.get(key);
      if (queue === undefined) this.#byKey.set(key, (queue = []));
      queue.push(client);
    }
  }

  /** Takes `client` off every key it waits on (served, timed out, unblocked or gone). */
  unblock(client: ClientState): void {
    const request = client.blockedBy;
    if (request === undefined) return;
    client.blockedBy = undefined;
    client.flags &= ~BLOCKED;
    this.#clients.delete(client);
    for (const key of new Set(request.keys)) {
      const queue = this.#byKey.get(key);
      if (queue === undefined) continue;
      const i = queue.indexOf(client);
      if (i >= 0) queue.splice(i, 1);
      if (queue.length === 0) this.#byKey.delete(key);
    }
  }

  /** `key` was written: its clients are retried once the writing command is done. */
  signal(key: string): void {
    if (this.#byKey.has(key)) this.ready.add(key);
  }

  /** The client blocked on `key` that came first, if any, and the others after it. */
  waiting(key: string): readonly ClientState[] {
    return this.#byKey.get(key) ?? [];
  }

  /** The client with this id, when blocked (CLIENT UNBLOCK). */
  byId(id: number): ClientState | undefined {
    for (const c of this.#clients) if (c.id === id) return c;
    return undefined;
  }

  /** The soonest deadline (ms since the epoch), Infinity when none. */
  soonest(): number {
    let t = Infinity;
    for (const c of this.#clients) {
      const d = c.blockedBy!.deadline;
      if (d !== 0 && d < t) t = d;
    }
    return t;
  }

  /** Clients whose deadline is at or before `now`, in the order they blocked. */
  expired(now: number): ClientState[] {
    const out: ClientState[] = [];
    for (const c of this.#clients) {
      const d = c.blockedBy!.deadline;
      if (d !== 0 && d <= now) out.push(c);
    }
    return out;
  }
}
