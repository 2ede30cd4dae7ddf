/**
 * Ending blocks (Redis' blocked.c): retrying the clients blocked on keys
 * written since, first come first served; timing out those past their
 * deadline; CLIENT UNBLOCK. What a woken client is sent goes through the
 * context its host gives for it (its pending output, as it is not the
 * client being served).
 * @module
 */
import type { BlockedClients } from './commands/blocked-clients.js';
import type { CommandContext } from './commands/context.js';
import type { Connection } from './connection.js';

/** What the wakeups need from the server. */
export interface WakeupHost {
  /** A context whose client is `conn` and whose output is `conn`'s. */
  contextFor(conn: Connection): CommandContext;
  /** `conn` is no longer blocked: the requests it sent meanwhile are to run. */
  unblocked(conn: Connection): void;
  /** Running part of `conn`'s command threw: the client is to be closed (the others go on). */
  failed(conn: Connection, error: unknown): void;
  /** Called after each client served (its writes are a command of their own on the replication stream). */
  served(): void;
}

/** Ends the blocks of the server's clients (see the module comment). */
export class Wakeups {
  readonly #blocked: BlockedClients;
  readonly #host: WakeupHost;

  /** Wakeups of the clients in `blocked`, served through `host`. */
  constructor(blocked: BlockedClients, host: WakeupHost) {
    this.#blocked = blocked;
    this.#host = host;
  }

  /** Retries the clients blocked on keys written since, in the order they came, until no key is left to look at. */
  serveReady(): void {
    const blocked = this.#blocked;
    for (const key of blocked.ready) {
      blocked.ready.delete(key);
      for (const client of [...blocked.waiting(key)]) {
        const conn = client as Connection;
        const request = conn.blockedBy;
        if (request === undefined) continue;
        if (this.#guarded(conn, () => request.retry(this.#host.contextFor(conn), key))) this.#end(conn);
        this.#host.served();
      }
    }
  }

  /** Blocked clients whose deadline is at or before `now` get their timeout reply. */
  timeouts(now: number): void {
    for (const conn of this.#blocked.expired(now) as Connection[]) {
      const request = conn.blockedBy!;
      this.#end(conn);
      this.#guarded(conn, () => request.timedOut(this.#host.contextFor(conn)));
    }
  }

  /** CLIENT UNBLOCK: ends the block of client `id` with its timeout reply or an error; false if it is not blocked. */
  unblock(id: number, withError: boolean): boolean {
    const conn = this.#blocked.byId(id) as Connection | undefined;
    if (conn === undefined) return false;
    const request = conn.blockedBy!;
    this.#end(conn);
    const ctx = this.#host.contextFor(conn);
    if (withError) ctx.out.error('UNBLOCKED client unblocked via CLIENT UNBLOCK');
    else this.#guarded(conn, () => request.timedOut(ctx));
    return true;
  }

  #end(conn: Connection): void {
    this.#blocked.unblock(conn);
    this.#host.unblocked(conn);
  }

  // Runs part of a blocked client's command: an error ends that client only. True when `f` returned true or threw
  // (the block is over either way).
  #guarded(conn: Connection, f: () => boolean | void): boolean {
    try {
      return f() !== false;
    } catch (e) {
      this.#host.failed(conn, e);
      return true;
    }
  }
}
