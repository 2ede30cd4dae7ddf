/**
 * The replication stream (what SYNC attaches to, as Redis' test suite reads
 * it): after an empty snapshot, SELECT 0 once, then each command's writes
 * as it logged them (several as one MULTI/EXEC, as Redis 7.0 wraps them),
 * PUBLISH, and expiries as DEL. A server made a replica drops its replicas.
 * @module
 */
import type { Connection } from './connection.js';
import { latin1Bytes } from './core/bytes.js';
import type { RespWriter } from './core/resp-writer.js';
import { REPLICA } from './commands/client-flags.js';

/** The server's replicas and the writes of the command being run (see the module comment). */
export class Replication {
  readonly #replicas = new Set<Connection>();
  // The writes of the command being run, sent once it is done.
  readonly #pending: Uint8Array[][] = [];
  readonly #writerFor: (conn: Connection) => RespWriter;

  /** Replicas whose output goes where `writerFor` says. */
  constructor(writerFor: (conn: Connection) => RespWriter) {
    this.#writerFor = writerFor;
  }

  /** Whether any replica is attached (nothing is recorded otherwise). */
  get active(): boolean {
    return this.#replicas.size > 0;
  }

  /** Whether writes wait to be sent ({@link Replication.flush}). */
  get pending(): boolean {
    return this.#pending.length > 0;
  }

  /** SYNC: `conn` gets an empty snapshot now (written to `out`, its reply) and every write from now on. */
  attach(conn: Connection, out: RespWriter): void {
    out.text('$0\r\n');
    conn.flags |= REPLICA;
    this.#replicas.add(conn);
  }

  /** Forgets a replica that left. */
  detach(conn: Connection): void {
    this.#replicas.delete(conn);
  }

  /** Drops every replica (the server became one itself): they are marked broken, and closed by the server. */
  dropAll(): void {
    for (const r of this.#replicas) r.broken = true;
    this.#replicas.clear();
    this.#pending.length = 0;
  }

  /** Records a write of the command being run (copied: arguments may be views of a read buffer). */
  record(args: readonly (Uint8Array | string)[]): void {
    if (this.#replicas.size > 0)
      this.#pending.push(args.map((a) => (typeof a === 'string' ? latin1Bytes(a) : a.slice())));
  }

  /** An expired key: a DEL of its own, at once (Redis 7.0 does not wrap it with the command that found it). */
  expired(key: string): void {
    if (this.#replicas.size > 0) this.#send([[latin1Bytes('DEL'), latin1Bytes(key)]]);
  }

  /** Sends the writes recorded since the last call: the command that made them is done. */
  flush(): void {
    const cmds = this.#pending.splice(0);
    if (cmds.length > 1) {
      cmds.unshift([latin1Bytes('MULTI')]);
      cmds.push([latin1Bytes('EXEC')]);
    }
    this.#send(cmds);
  }

  #send(cmds: readonly Uint8Array[][]): void {
    for (const replica of this.#replicas) {
      const w = this.#writerFor(replica);
      if (!replica.replicaSelected) {
        w.command(['SELECT', '0']);
        replica.replicaSelected = true;
      }
      for (const c of cmds) w.command(c);
    }
  }
}
