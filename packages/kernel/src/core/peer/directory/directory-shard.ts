/**
 * One kernel's shard of the name directory: for each name whose position
 * falls on its arcs, the kernels that hold an object of that name. An entry
 * says where to ask, never what the asker may get: the home still resolves
 * the name in the asker's groups.
 * @module
 */

import type { DirectoryEntry } from '../../wire/transport.js';

/** A name a kernel holds, with the kernel's sequence number for the change that made or dropped it. */
export type NameEntry = DirectoryEntry;

/** The directory entries a kernel keeps. */
export class DirectoryShard {
  // name -> holder -> sequence number of the holder's latest registration.
  readonly #entries = new Map<string, Map<string, number>>();
  // holder -> its names here, so that a gone kernel's entries go in one sweep.
  readonly #byHome = new Map<string, Set<string>>();

  /** Number of (name, holder) entries. */
  get size(): number {
    let n = 0;
    for (const names of this.#byHome.values()) n += names.size;
    return n;
  }

  /** Records that `home` holds `name` (unless a newer change of `home`'s is recorded). */
  add(home: string, { name, seq }: NameEntry): void {
    let homes = this.#entries.get(name);
    if (homes === undefined) this.#entries.set(name, (homes = new Map<string, number>()));
    const known = homes.get(home);
    if (known !== undefined && known >= seq) return;
    homes.set(home, seq);
    let names = this.#byHome.get(home);
    if (names === undefined) this.#byHome.set(home, (names = new Set()));
    names.add(name);
  }

  /** Records that `home` no longer holds `name`, unless it registered it again since (a later `seq`). */
  remove(home: string, { name, seq }: NameEntry): void {
    const homes = this.#entries.get(name);
    const known = homes?.get(home);
    if (homes === undefined || known === undefined || known > seq) return;
    homes.delete(home);
    if (homes.size === 0) this.#entries.delete(name);
    this.#byHome.get(home)?.delete(name);
  }

  /** Forgets every entry of `home` (it is gone: its objects went with it). */
  dropHome(home: string): void {
    const names = this.#byHome.get(home);
    if (names === undefined) return;
    this.#byHome.delete(home);
    for (const name of names) {
      const homes = this.#entries.get(name);
      homes?.delete(home);
      if (homes?.size === 0) this.#entries.delete(name);
    }
  }

  /** The kernels recorded as holding `name`. */
  homes(name: string): string[] {
    const homes = this.#entries.get(name);
    return homes === undefined ? [] : [...homes.keys()];
  }
}
