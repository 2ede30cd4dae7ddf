/**
 * The kernel's table of objects by name key, which also tells a listener
 * (the name directory) when a name held in a group appears or goes, so no
 * call that enters or drops an object can leave the directory behind.
 * @module
 */
import { ObjectType } from '../abi/flags.js';
import type { KernelObject } from '../objects/kernel-object.js';

/** Told of each named object that enters or leaves the table. */
export interface NamedObjectListener {
  /** An object named in a group entered the table under `key`. */
  named(key: string): void;
  /** That object left the table. */
  unnamed(key: string): void;
}

// Objects a peer's lookup can find: named in a group, and not private memory (its creator's alone).
function findable(obj: KernelObject): boolean {
  return obj.group !== undefined && obj.type !== ObjectType.PRIVATE_MEMORY_BLOB;
}

/** Objects by name key (a Map), telling its listener about findable ones. */
export class ObjectTable extends Map<string, KernelObject> {
  /** Who hears of named objects coming and going (the name directory, once the kernel joins a cluster). */
  #listener: NamedObjectListener | undefined = undefined;
  // Keys reported named, so each gets exactly one unnamed (an object may leave its group while in the table).
  readonly #reported = new Set<string>();

  /** Sets who hears of named objects from now on; returns the keys of those already here (which it is not told of). */
  listen(listener: NamedObjectListener): string[] {
    this.#listener = listener;
    const keys: string[] = [];
    for (const [key, obj] of this) {
      if (!findable(obj)) continue;
      this.#reported.add(key);
      keys.push(key);
    }
    return keys;
  }

  override set(key: string, obj: KernelObject): this {
    const before = this.get(key);
    if (before === obj) return this;
    super.set(key, obj);
    if (this.#listener !== undefined) {
      if (this.#reported.has(key)) this.#unnamed(key);
      if (findable(obj)) this.#named(key);
    }
    return this;
  }

  override delete(key: string): boolean {
    if (!super.delete(key)) return false;
    if (this.#reported.has(key)) this.#unnamed(key);
    return true;
  }

  #named(key: string): void {
    this.#reported.add(key);
    this.#listener!.named(key);
  }

  #unnamed(key: string): void {
    this.#reported.delete(key);
    this.#listener!.unnamed(key);
  }

  override clear(): void {
    for (const key of [...this.keys()]) this.delete(key);
  }
}
