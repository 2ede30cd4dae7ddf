/**
 * Groups: name-resolution scopes. An object is created in one group; a task
 * resolves a name only in the groups it is a member of or holds a reference to.
 * @module
 */
import { ObjectType, type Lifecycle } from '../abi/flags.js';
import type { Name } from '../abi/names.js';
import { KernelObject } from './kernel-object.js';
import type { Container } from './container.js';

/** A name-resolution scope and the local objects named in it. */
export class GroupObject extends KernelObject {
  /** Always a group. */
  readonly type = ObjectType.GROUP;
  // Several objects may carry one name (copies); the set keeps all of them.
  readonly #members = new Map<string, Set<KernelObject>>();
  // Objects shared into the group on purpose (a container's --share), by the key they resolve under, each with the
  // most rights a lookup through this group confers. Not members: they stay named in their own group.
  readonly #shared = new Map<string, Map<KernelObject, number>>();
  /** The container whose group this is (its tasks' only scope), if any. */
  container: Container | undefined = undefined;

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

  /**
   * Makes `obj` resolvable in this group under `key` (its own name's key, or
   * another: a path inside a container), conferring at most `mask` rights.
   */
  share(key: string, obj: KernelObject, mask: number): void {
    let map = this.#shared.get(key);
    if (map === undefined) this.#shared.set(key, (map = new Map<KernelObject, number>()));
    map.set(obj, mask);
  }

  /** Stops resolving `obj` under `key`; returns whether it was shared. */
  unshare(key: string, obj: KernelObject): boolean {
    const map = this.#shared.get(key);
    if (map === undefined || !map.delete(obj)) return false;
    if (map.size === 0) this.#shared.delete(key);
    return true;
  }

  /** The objects shared under `key`, each with its rights mask. */
  shared(key: string): ReadonlyMap<KernelObject, number> | undefined {
    return this.#shared.size === 0 ? undefined : this.#shared.get(key);
  }

  /** Every share: key, object and mask. */
  *shares(): IterableIterator<[string, KernelObject, number]> {
    for (const [key, map] of this.#shared) for (const [obj, mask] of map) yield [key, obj, mask];
  }

  /** A destroyed group takes its index with it: nothing resolves through it any more, not even for its member tasks. */
  override destroy(): void {
    this.#members.clear();
    this.#shared.clear();
    super.destroy();
  }

  /** Every member (for the invariant check). */
  *members(): IterableIterator<KernelObject> {
    for (const set of this.#members.values()) yield* set;
  }
}
