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
export function resolutionScopes(task: TaskObject): Map<GroupObject, number> {
  const scopes = new Map<GroupObject, number>();
  for (const m of task.setup.groups) addScope(scopes, m.group, m.rights);
  for (const [g, refs] of task.heldGroups) for (const r of refs) addScope(scopes, g, r.rights);
  return scopes;
}

// A plain function rather than a closure: lookup is hot, and a closure per call costs an allocation.
function addScope(scopes: Map<GroupObject, number>, g: GroupObject, rights: number): void {
  if (!g.destroyed && rights & Rights.READ) scopes.set(g, (scopes.get(g) ?? 0) | rights);
}

/** The local objects `key` names that `task` may see, with the rights their groups confer within each object's lookup mask. */
export function resolveLocal(
  task: TaskObject,
  key: string,
  scopes = resolutionScopes(task),
): Map<KernelObject, number> {
  const found = new Map<KernelObject, number>();
  for (const [g, rights] of scopes) {
    const set = g.resolve(key);
    if (set !== undefined)
      for (const obj of set) {
        // Private memory is visible to its creator alone.
        if (obj.destroyed || (obj.type === ObjectType.PRIVATE_MEMORY_BLOB && obj.creator !== task.name.key)) continue;
        found.set(obj, (found.get(obj) ?? 0) | (rights & obj.lookupRights));
      }
    // Objects shared into the group on purpose, within the share's mask (a read-only share confers no WRITE).
    const shared = g.shared(key);
    if (shared !== undefined)
      for (const [obj, mask] of shared) {
        if (obj.destroyed || obj.type === ObjectType.PRIVATE_MEMORY_BLOB) continue;
        found.set(obj, (found.get(obj) ?? 0) | (rights & obj.lookupRights & mask));
      }
  }
  return found;
}

/** Implements lookup for `task`. */
export async function lookup(kernel: KernelState, task: TaskObject, name: unknown, flags: unknown): Promise<number[]> {
  const s = 'lookup';
  // The name read once and checked, as a worker task's call is (see arguments.ts).
  const key = lookupArguments(name, flags);
  const scopes = resolutionScopes(task);
  let found = resolveLocal(task, key, scopes);
  const distribution = kernel.distribution;
  if (!((flags as number) & LookupFlags.LOCAL_ONLY) && distribution !== undefined) {
    const groups = [...scopes].map(([g, rights]) => ({ key: g.name.key, rights }));
    const remote = await distribution.lookup(key, groups, found.size > 0);
    if (task.state === 'exited') {
      // Give back the proxies no task holds yet; a group answer maps to a local group, which stays.
      for (const r of remote)
        if (r.object.home !== undefined && r.object.refCount === 0) kernel.destroyObject(r.object);
      throw errors.ECANCELED(s, undefined, 'the task exited during the call');
    }
    // The wait let other calls run: resolve the local copies again.
    found = resolveLocal(task, key);
    for (const r of remote) found.set(r.object, (found.get(r.object) ?? 0) | r.rights);
  }
  if (found.size === 0) {
    throw errors.ENOENT(s, 'name', `no object named ${key} in the ${scopes.size} group(s) the task can resolve in`);
  }
  const handles: number[] = [];
  for (const [obj, rights] of found) handles.push(kernel.openRef(task, obj, rights, undefined).id);
  return handles;
}
