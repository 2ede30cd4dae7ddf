/**
 * Output for clients other than the one being served (pub/sub messages,
 * keyspace events, the reply of a blocked client woken by another's write,
 * the replication stream): kept per client, and sent after the round that
 * made it, or put before the client's own replies when it is served first.
 * @module
 */
import type { Connection } from './connection.js';
import { RespWriter } from './core/resp-writer.js';

/** What a client gets from {@link PendingPushes.take}. */
export type Taken =
  /** Nothing waits. */
  | undefined
  /** It waits but the client is still writing earlier replies. */
  | 'busy'
  /** Past the hard output limit: the client is to be disconnected. */
  | 'overflowed'
  /** The bytes to send (a copy). */
  | Uint8Array;

/** The clients with output waiting (see the module comment). */
export class PendingPushes {
  readonly #clients = new Set<Connection>();
  readonly #limit: number;

  /** Each client's waiting output may reach `limit` bytes (its hard output limit). */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Whether output waits for anyone. */
  get size(): number {
    return this.#clients.size;
  }

  /** Where output for `conn` goes, in its protocol. */
  writer(conn: Connection): RespWriter {
    let w = conn.pushes;
    if (w === undefined) {
      conn.pushes = w = new RespWriter();
      // A subscriber that does not read is cut off past the limit (when the output is taken).
      w.limit = this.#limit;
    }
    w.protocol = conn.protocol;
    this.#clients.add(conn);
    return w;
  }

  /** Moves what waits for `conn` to `out`, where its replies follow (it is being served). */
  moveInto(conn: Connection, out: RespWriter): void {
    const w = conn.pushes;
    if (w === undefined || w.length === 0 || w.overflowed) return;
    out.raw(w.bytes());
    w.reset();
    this.#clients.delete(conn);
  }

  /** Forgets what waits for a client that left. */
  forget(conn: Connection): void {
    this.#clients.delete(conn);
    conn.pushes?.reset();
  }

  /** The clients with output waiting, each with what to do (see {@link Taken}); the output is taken but for 'busy'. */
  *take(): Generator<[Connection, Taken]> {
    for (const conn of [...this.#clients]) {
      const w = conn.pushes!;
      if (w.overflowed) {
        this.#clients.delete(conn);
        w.reset();
        yield [conn, 'overflowed'];
        continue;
      }
      if (conn.flushing) {
        yield [conn, 'busy'];
        continue;
      }
      this.#clients.delete(conn);
      const bytes = w.length === 0 || conn.closing ? undefined : w.bytes().slice();
      w.reset();
      yield [conn, bytes];
    }
  }
}
