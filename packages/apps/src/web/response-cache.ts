/**
 * A connection's cache of whole 200 responses to small files: head and
 * body as one byte array, valid for one version of the blob, one keep-alive
 * choice and one second (the Date header). A hit costs no string work and
 * no blob read; a miss, or any commit to the blob (its version changes),
 * builds the response again from a fresh read. Only small files are
 * cached, and only a few per connection, so memory stays bounded.
 * @module
 */

/** Largest body cached, in bytes. */
export const CACHE_MAX_BODY = 64 * 1024;
/** Most responses a connection keeps. */
export const CACHE_ENTRIES = 8;

interface Entry {
  readonly version: number;
  readonly keepAlive: boolean;
  readonly second: number;
  readonly bytes: Uint8Array;
}

/** See the module comment. Keys are the connection's open files (objects, so a reused handle number cannot hit). */
export class ResponseCache {
  readonly #entries = new Map<object, Entry>();

  /** The cached response for `file` at `version`, if one was made this second with the same keep-alive choice. */
  get(file: object, version: number, keepAlive: boolean, second: number): Uint8Array | undefined {
    const e = this.#entries.get(file);
    return e !== undefined && e.version === version && e.keepAlive === keepAlive && e.second === second
      ? e.bytes
      : undefined;
  }

  /** Remembers a response (dropping the oldest entry when full). */
  set(file: object, version: number, keepAlive: boolean, second: number, bytes: Uint8Array): void {
    if (!this.#entries.has(file) && this.#entries.size >= CACHE_ENTRIES)
      this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(file, { version, keepAlive, second, bytes });
  }
}
