/**
 * lookup(name, flags): resolves a name in the task's groups to references,
 * one per copy of the object (local copies first, then copies on peers).
 * A reference gets the rights of the group references the name resolved
 * through, so a group handed on with fewer rights confers fewer rights, and
 * never more than the object's lookup mask allows (a task found by name can
 * be watched, not paused or written to; a group found by name can be
 * resolved in, not created in).
 * @module
 */
import { errors } from '../abi/errors.js';
import { LookupFlags, ObjectType, Rights } from '../abi/flags.js';
import type { KernelState } from '../kernel/kernel-state.js';
import type { GroupObject } from '../objects/group.js';
import type { KernelObject } from '../objects/kernel-object.js';
import type { TaskObject } from '../objects/task.js';
import { lookupArguments } from './arguments.js';

/**
 * The groups a task resolves names in (memberships, and groups it holds
 * references to, each with READ), with the union of the rights it has on each.
 */
function resolutionScopes(task: TaskObject): Map<GroupObject, number> {
  const scopes = new Map<GroupObject, number>();
  for (const m of task.setup.groups) addScope(scopes, m.group, m.rights);
  for (const [g, refs] of task.heldGroups) for (const r of refs) addScope(scopes, g, r.rights);
  return scopes;
}

// A plain function rather than a closure: lookup is hot, and a closure per call costs an allocation.
function addScope(scopes: Map<GroupObject, number>, g: GroupObject, rights: number): void {
  if (!g.destroyed && rights & Rights.READ) scopes.set(g, (scopes.get(g) ?? 0) | rights);
}

/**
 * The local objects a name resolved to, in the order first found, each with
 * the rights its groups confer. A name has few copies: two parallel arrays
 * searched linearly cost less than a Map per call.
 */
class Found {
  readonly objects: KernelObject[] = [];
  readonly rights: number[] = [];

  add(obj: KernelObject, rights: number): void {
    const at = this.objects.indexOf(obj);
    if (at < 0) {
      this.objects.push(obj);
      this.rights.push(rights);
    } else this.rights[at]! |= rights;
  }
}

/**
 * The local objects `key` names that `task` may see, with the rights their
 * groups confer within each object's lookup mask. Each group is visited with
 * the rights of each way the task reaches it, without first building the
 * union per group: (a & m) | (b & m) is (a | b) & m, and a group's first
 * visit comes in the same order as in that union, so the result is the same.
 */
function resolveLocal(task: TaskObject, key: string): Found {
  const found = new Found();
  for (const m of task.setup.groups) resolveIn(task, m.group, m.rights, key, found);
  for (const [g, refs] of task.heldGroups) for (const r of refs) resolveIn(task, g, r.rights, key, found);
  return found;
}

// One group reached with `rights`: its members named `key`, and the objects shared into it under `key`.
function resolveIn(task: TaskObject, g: GroupObject, rights: number, key: string, found: Found): void {
  if (g.destroyed || (rights & Rights.READ) === 0) return;
  const set = g.resolve(key);
  if (set !== undefined)
    for (const obj of set) {
      // Private memory is visible to its creator alone.
      if (obj.destroyed || (obj.type === ObjectType.PRIVATE_MEMORY_BLOB && obj.creator !== task.name.key)) continue;
      found.add(obj, rights & obj.lookupRights);
    }
  // Objects shared into the group on purpose, within the share's mask (a read-only share confers no WRITE).
  const shared = g.shared(key);
  if (shared !== undefined)
    for (const [obj, mask] of shared) {
      if (obj.destroyed || obj.type === ObjectType.PRIVATE_MEMORY_BLOB) continue;
      found.add(obj, rights & obj.lookupRights & mask);
    }
}

/**
 * Implements lookup for `task`. A kernel outside a cluster (or a LOCAL_ONLY
 * lookup) answers synchronously, with the handles themselves: the task
 * context awaits no extra promise for it.
 */
export function lookup(
  kernel: KernelState,
  task: TaskObject,
  name: unknown,
  flags: unknown,
): number[] | Promise<number[]> {
  // The name read once and checked, as a worker task's call is (see arguments.ts).
  const key = lookupArguments(name, flags);
  const distribution = kernel.distribution;
  if (!((flags as number) & LookupFlags.LOCAL_ONLY) && distribution !== undefined)
    return lookupEverywhere(kernel, task, key, distribution);
  return open(kernel, task, key, resolveLocal(task, key));
}

// The local copies, then those the cluster's name directory knows of.
async function lookupEverywhere(
  kernel: KernelState,
  task: TaskObject,
  key: string,
  distribution: NonNullable<KernelState['distribution']>,
): Promise<number[]> {
  const scopes = resolutionScopes(task);
  const local = resolveLocal(task, key);
  const groups = [...scopes].map(([g, rights]) => ({ key: g.name.key, rights }));
  const remote = await distribution.lookup(key, groups, local.objects.length > 0);
  if (task.state === 'exited') {
    // Give back the proxies no task holds yet; a group answer maps to a local group, which stays.
    for (const r of remote) if (r.object.home !== undefined && r.object.refCount === 0) kernel.destroyObject(r.object);
    throw errors.ECANCELED('lookup', undefined, 'the task exited during the call');
  }
  // The wait let other calls run: resolve the local copies again.
  const found = resolveLocal(task, key);
  for (const r of remote) found.add(r.object, r.rights);
  return open(kernel, task, key, found);
}

// A reference to each object found, or ENOENT.
function open(kernel: KernelState, task: TaskObject, key: string, found: Found): number[] {
  const { objects, rights } = found;
  if (objects.length === 0) {
    const groups = resolutionScopes(task).size;
    throw errors.ENOENT('lookup', 'name', `no object named ${key} in the ${groups} group(s) the task can resolve in`);
  }
  const handles: number[] = [];
  for (let i = 0; i < objects.length; i++) handles.push(kernel.openRef(task, objects[i]!, rights[i]!, undefined).id);
  return handles;
}
