/**
 * Groups: name-resolution scopes. An object is created in one group; a task
 * resolves a name only in the groups it is a member of or holds a reference to.
 * @module
 */
import { ObjectType, type Lifecycle } from '../abi/flags.js';
import type { Name } from '../abi/names.js';
import { KernelObject } from './kernel-object.js';

/** A name-resolution scope and the local objects named in it. */
export class GroupObject extends KernelObject {
  /** Always a group. */
  readonly type = ObjectType.GROUP;
  // Several objects may carry one name (copies); the set keeps all of them.
  readonly #members = new Map<string, Set<KernelObject>>();

  /** Creates an empty group. */
  constructor(name: Name, lifecycle: Lifecycle, group: GroupObject | undefined) {
    super(name, lifecycle, group);
  }

  override get size(): number {
    return 0;
  }
  override isReady(): boolean {
    return true;
  }

  /** Adds an object under its name. */
  add(obj: KernelObject): void {
    let set = this.#members.get(obj.name.key);
    if (set === undefined) this.#members.set(obj.name.key, (set = new Set()));
    set.add(obj);
  }

  /** Removes an object. */
  remove(obj: KernelObject): void {
    const set = this.#members.get(obj.name.key);
    if (set === undefined) return;
    set.delete(obj);
    if (set.size === 0) this.#members.delete(obj.name.key);
  }

  /** The local objects named `key` in this group. */
  resolve(key: string): ReadonlySet<KernelObject> | undefined {
    return this.#members.get(key);
  }

  /** A destroyed group takes its index with it: nothing resolves through it any more, not even for its member tasks. */
  override destroy(): void {
    this.#members.clear();
    super.destroy();
  }

  /** Every member (for the invariant check). */
  *members(): IterableIterator<KernelObject> {
    for (const set of this.#members.values()) yield* set;
  }
}
