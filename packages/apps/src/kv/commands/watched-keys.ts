/**
 * WATCH's registry: which clients watch which keys, and marking them dirty
 * when a key changes (Redis' multi.c watchForKey / touchWatchedKey /
 * touchAllWatchedKeysInDb).
 * @module
 */
import { DIRTY_CAS, WATCHING } from './client-flags.js';
import type { ClientState } from './context.js';
import type { Keyspace } from '../core/keyspace.js';

/** The server's watched keys (see the module comment). */
export class WatchedKeys {
  readonly #keys = new Map<string, Set<ClientState>>();

  /** Keys watched by anyone. */
  get size(): number {
    return this.#keys.size;
  }

  /** `client` watches `key`; `expired`: the key exists but has expired (a later removal is then no change). */
  watch(client: ClientState, key: string, expired: boolean): void {
    const mine = (client.watched ??= new Map());
    if (mine.has(key)) return;
    mine.set(key, expired);
    client.flags |= WATCHING;
    let set = this.#keys.get(key);
    if (set === undefined) this.#keys.set(key, (set = new Set()));
    set.add(client);
  }

  /** Forgets every key `client` watches (the dirty flag stays: clearing it is the caller's). */
  unwatchAll(client: ClientState): void {
    const mine = client.watched;
    client.flags &= ~WATCHING;
    if (mine === undefined || mine.size === 0) return;
    for (const key of mine.keys()) {
      const set = this.#keys.get(key);
      if (set === undefined) continue;
      set.delete(client);
      if (set.size === 0) this.#keys.delete(key);
    }
    mine.clear();
  }

  /** `key` was modified: its watchers' next EXEC fails. `exists`: whether the key is stored now (expired or not). */
  touch(key: string, exists: boolean): void {
    const set = this.#keys.get(key);
    if (set === undefined) return;
    for (const client of [...set]) {
      const mine = client.watched!;
      if (mine.get(key) === true) {
        // Watched when already expired: its removal is no logical change (and, as Redis, anything else stops here).
        if (!exists) {
          mine.set(key, false);
          continue;
        }
        break;
      }
      client.flags |= DIRTY_CAS;
      this.unwatchAll(client);
    }
  }

  /** Before FLUSHALL/FLUSHDB empties `keys`: the watchers of keys stored now (expired or not) get dirty. */
  touchAll(keys: Keyspace): void {
    for (const [key, set] of [...this.#keys]) {
      if (keys.peek(key) === undefined) continue;
      for (const client of [...set]) {
        const mine = client.watched!;
        // An expired key's removal is no logical change.
        if (mine.get(key) === true) {
          mine.set(key, false);
          continue;
        }
        client.flags |= DIRTY_CAS;
        this.unwatchAll(client);
      }
    }
  }

  /** Whether a key `client` watches has expired since it was watched (EXEC then fails, as Redis 7.0's). */
  expiredSinceWatch(client: ClientState, keys: Keyspace): boolean {
    const mine = client.watched;
    if (mine === undefined) return false;
    const now = keys.now();
    for (const [key, expiredAtWatch] of mine) {
      if (expiredAtWatch) continue;
      const e = keys.peek(key);
      if (e !== undefined && e.expiresAt !== 0 && e.expiresAt <= now) return true;
    }
    return false;
  }
}
