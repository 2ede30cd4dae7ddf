/**
 * What connects clients to each other: pub/sub subscriptions, watched keys,
 * blocked clients and keyspace events, and where a message for a client
 * other than the one being served goes. One per server (a detached context
 * has its own).
 * @module
 */
import { BlockedClients } from './blocked-clients.js';
import { Channels, type WriterFor } from './channels.js';
import type { ClientState } from './context.js';
import type { Keyspace } from '../core/keyspace.js';
import type { KvConfig } from '../core/config.js';
import { KeyspaceEvents } from './keyspace-events.js';
import { WatchedKeys } from './watched-keys.js';

/** The registries shared by the clients of one server (see the module comment). */
export class ClientHub {
  /** Pub/sub subscriptions. */
  readonly channels = new Channels();
  /** WATCHed keys. */
  readonly watched = new WatchedKeys();
  /** Clients parked by blocking commands. */
  readonly blocked = new BlockedClients();
  readonly #events = new KeyspaceEvents();
  /** Where a reply or message for a client goes (the server's: its pending pushes unless it is being served). */
  readonly writerFor: WriterFor;
  /** CLIENT UNBLOCK: ends the block of the client with this id (with an error or its timeout reply); false if none. */
  unblock: (id: number, withError: boolean) => boolean = () => false;
  /** REPLICAOF's master (`host:port`), undefined while the server is a master: a replica refuses writes. */
  replicaOf: string | undefined;
  /** REPLICAOF: `master` or undefined (NO ONE); becoming a replica disconnects the replicas. */
  demote: (master: string | undefined) => void = (master) => {
    this.replicaOf = master;
  };
  /** Sends a command to the replicas only (PUBLISH: not a write, not in the AOF). */
  replicate: (args: readonly Uint8Array[]) => void = () => {};
  /** SYNC: makes `client` a replica (it gets every write from now on); false where there is no server. */
  attachReplica: (client: ClientState) => boolean = () => false;

  /** A hub whose messages go where `writerFor` says. */
  constructor(writerFor: WriterFor) {
    this.writerFor = writerFor;
  }

  /** Whether a write to a key must be looked at (someone watches keys or is blocked). */
  get watching(): boolean {
    return this.watched.size > 0 || this.blocked.count > 0;
  }

  /** `key` was modified (a logged write, an expiry): its watchers' EXEC fails, its blocked clients are retried. */
  touched(key: string, keys: Keyspace): void {
    if (this.watched.size > 0) this.watched.touch(key, keys.peek(key) !== undefined);
    this.blocked.signal(key);
  }

  /** A keyspace event (see `CommandContext.notify`), published as `config` asks. */
  notify(config: KvConfig, type: string, event: string, key: string): void {
    const raw = config.notifyKeyspaceEvents;
    if (raw !== '') this.#events.notify(raw, type, event, key, this.channels, this.writerFor);
  }
}
