/**
 * The keyspace: values (see values.ts) by key, each with an optional expiry time
 * (ms since the epoch, so it means the same after a restart). Expired keys
 * go lazily, when touched, and by a periodic sweep over the keys that have
 * an expiry, a bounded number per call so the server never stalls.
 * @module
 */
import { globMatch } from './glob.js';
import type { Value } from './values.js';

export type { Value } from './values.js';

/** One key's value and expiry (0: none). */
export interface Entry {
  /** The value (owned by the keyspace: never a view of a read buffer). */
  value: Value;
  /** When the key expires, in ms since the epoch; 0 for never. */
  expiresAt: number;
}

/** One step of {@link Keyspace.scan}. */
export interface ScanStep {
  /** The cursor to go on with (0: the scan is complete). */
  cursor: number;
  /** Live keys found in this step. */
  keys: string[];
}

/** Most SCAN cursors kept at once; the oldest is dropped beyond it (SCAN then starts that scan over). */
export const MAX_SCAN_CURSORS = 1024;

/** Keys (latin1 strings, see bytes.ts) to entries, with expiry. */
export class Keyspace {
  readonly #map = new Map<string, Entry>();
  // Keys that have an expiry, for the sweep.
  readonly #expiring = new Set<string>();
  #sweep: Iterator<string> | undefined;
  // SCAN cursors: live Map iterators, which visit every key present for the whole scan exactly once.
  readonly #cursors = new Map<number, Iterator<string>>();
  #nextCursor = 1;
  // Keys for RANDOMKEY, made on its first call: every live key once, plus `#stale` removed ones (skipped when drawn).
  #pool: string[] | undefined;
  #stale = 0;
  /** Whether {@link Keyspace.sweep} removes expired keys (DEBUG SET-ACTIVE-EXPIRE turns it off; lazy expiry stays). */
  activeExpire = true;
  /** The clock (ms since the epoch); replaceable for tests. */
  now: () => number = Date.now;
  /** Called with each key removed because it expired (lazily or by the sweep), after its removal. */
  onExpired: ((key: string) => void) | undefined;
  /** Called with each key added that was not there (Redis' dbAdd, whose keyspace event is 'new'). */
  onNew: ((key: string) => void) | undefined;
  /** Keys removed because they expired, as INFO's expired_keys. */
  expiredKeys = 0;

  /** Keys stored, counting expired ones not yet removed (as Redis' DBSIZE does). */
  get size(): number {
    return this.#map.size;
  }

  /** Keys with an expiry. */
  get expiring(): number {
    return this.#expiring.size;
  }

  /** The live entry of `key`, removing it first if it has expired. */
  get(key: string): Entry | undefined {
    const e = this.#map.get(key);
    if (e === undefined || e.expiresAt === 0 || e.expiresAt > this.now()) return e;
    this.#expired(key);
    return undefined;
  }

  /** The entry of `key` as stored, expired or not, without removing it (Redis' dictFind). */
  peek(key: string): Entry | undefined {
    return this.#map.get(key);
  }

  // Removes an expired key, counts it and tells the listener.
  #expired(key: string): void {
    this.#map.delete(key);
    this.#expiring.delete(key);
    if (this.#pool !== undefined) this.#stale++;
    this.expiredKeys++;
    this.onExpired?.(key);
  }

  /** Stores `value` (kept as given: pass bytes the keyspace may own) with expiry `expiresAt` (0: none). */
  set(key: string, value: Value, expiresAt = 0): void {
    let e = this.#map.get(key);
    // An expired entry goes first (as Redis' lookup before its dbAdd), so the key counts as new.
    if (e !== undefined && e.expiresAt !== 0 && e.expiresAt <= this.now()) {
      this.#expired(key);
      e = undefined;
    }
    if (e === undefined) {
      this.#map.set(key, { value, expiresAt });
      // A removed copy of the key may still be in the pool: it would then be drawn twice as often.
      if (this.#pool !== undefined) {
        if (this.#stale > 0) this.#pool = undefined;
        else this.#pool.push(key);
      }
      this.onNew?.(key);
    } else {
      e.value = value;
      e.expiresAt = expiresAt;
    }
    if (expiresAt !== 0) this.#expiring.add(key);
    else if (e !== undefined && this.#expiring.size > 0) this.#expiring.delete(key);
  }

  /** Sets the expiry of an existing live key; false if there is none. */
  expire(key: string, expiresAt: number): boolean {
    const e = this.get(key);
    if (e === undefined) return false;
    e.expiresAt = expiresAt;
    if (expiresAt !== 0) this.#expiring.add(key);
    else this.#expiring.delete(key);
    return true;
  }

  /** Removes `key`; whether it was there (and live: an expired one goes as expired, and false). */
  delete(key: string): boolean {
    const e = this.#map.get(key);
    if (e === undefined) return false;
    if (e.expiresAt !== 0 && e.expiresAt <= this.now()) {
      this.#expired(key);
      return false;
    }
    this.#map.delete(key);
    if (e.expiresAt !== 0) this.#expiring.delete(key);
    if (this.#pool !== undefined) this.#stale++;
    return true;
  }

  /**
   * A live key drawn at random (undefined when there is none); expired keys
   * met on the way are removed, as Redis' dbRandomKey does.
   */
  randomKey(): string | undefined {
    const now = this.now();
    while (this.#map.size > 0) {
      let pool = this.#pool;
      if (pool === undefined || this.#stale > this.#map.size) {
        pool = this.#pool = [...this.#map.keys()];
        this.#stale = 0;
      }
      const k = pool[Math.floor(Math.random() * pool.length)]!;
      const e = this.#map.get(k);
      if (e === undefined) continue;
      if (e.expiresAt === 0 || e.expiresAt > now) return k;
      this.#expired(k);
    }
    return undefined;
  }

  /** Removes every key. */
  flush(): void {
    this.#map.clear();
    this.#pool = undefined;
    this.#expiring.clear();
    this.#sweep = undefined;
    this.#cursors.clear();
  }

  /** Checks up to `budget` keys with an expiry and removes the expired ones; returns how many went. */
  sweep(budget: number): number {
    if (this.#expiring.size === 0 || !this.activeExpire) return 0;
    const now = this.now();
    let removed = 0;
    this.#sweep ??= this.#expiring.values();
    for (let i = 0; i < budget; i++) {
      const r = this.#sweep.next();
      if (r.done === true) {
        this.#sweep = undefined;
        break;
      }
      const e = this.#map.get(r.value);
      if (e === undefined || e.expiresAt === 0) this.#expiring.delete(r.value);
      else if (e.expiresAt <= now) {
        this.#expired(r.value);
        removed++;
      }
    }
    return removed;
  }

  /** Live keys matching the glob `pattern` (all of them for undefined or `*`). */
  keys(pattern?: string): string[] {
    const all = pattern === undefined || pattern === '*';
    const now = this.now();
    const out: string[] = [];
    for (const [k, e] of this.#map) {
      if (e.expiresAt !== 0 && e.expiresAt <= now) continue;
      if (all || globMatch(pattern, k)) out.push(k);
    }
    return out;
  }

  /**
   * One SCAN step from `cursor` (0 starts): about `count` keys visited, those
   * live and matching returned, and the next cursor (0 when done). Undefined
   * for a cursor this keyspace does not know.
   */
  scan(cursor: number, count: number, pattern?: string): ScanStep | undefined {
    let it: Iterator<string> | undefined;
    if (cursor === 0) it = this.#map.keys();
    else {
      it = this.#cursors.get(cursor);
      if (it === undefined) return undefined;
      this.#cursors.delete(cursor);
    }
    const now = this.now();
    const keys: string[] = [];
    for (let i = 0; i < count; i++) {
      const r = it.next();
      if (r.done === true) return { cursor: 0, keys };
      const e = this.#map.get(r.value)!;
      if (pattern !== undefined && !globMatch(pattern, r.value)) continue;
      // Matching keys found expired go now, as Redis' SCAN removes them (the others stay until touched).
      if (e.expiresAt !== 0 && e.expiresAt <= now) this.#expired(r.value);
      else keys.push(r.value);
    }
    const next = this.#nextCursor++;
    if (this.#nextCursor > Number.MAX_SAFE_INTEGER) this.#nextCursor = 1;
    this.#cursors.set(next, it);
    if (this.#cursors.size > MAX_SCAN_CURSORS) this.#cursors.delete(this.#cursors.keys().next().value!);
    return { cursor: next, keys };
  }

  /** Every entry, expired ones included (for snapshots, which skip those). */
  entries(): IterableIterator<[string, Entry]> {
    return this.#map.entries();
  }
}
