/**
 * lookup(name, flags): resolves a name in the task's groups to references,
 * one per copy of the object (local copies first, then copies on peers).
 * @module
 */
import { errors } from '../errors.js';
import { LookupFlags, ObjectType, Rights } from '../flags.js';
import type { Kernel } from '../kernel.js';
import { Name, describe } from '../names.js';
import type { GroupObject } from '../objects/group.js';
import type { KernelObject } from '../objects/kernel-object.js';
import type { TaskObject } from '../objects/task.js';
import { checkCallFlags } from './validate.js';

/** The groups a task may resolve names in: its memberships and the groups it holds references to. */
export function resolvableGroups(task: TaskObject): GroupObject[] {
  const groups = [...task.setup.groups];
  for (const g of task.heldGroups.keys()) if (!groups.includes(g)) groups.push(g);
  return groups.filter((g) => !g.destroyed);
}

/** The local objects `key` names that `task` may see. */
export function resolveLocal(task: TaskObject, key: string): KernelObject[] {
  const found: KernelObject[] = [];
  for (const g of task.setup.groups) consider(task, g, key, found);
  for (const g of task.heldGroups.keys()) consider(task, g, key, found);
  return found;
}

// Adds to `found` the objects named `key` in group `g` that `task` may see (a plain function: no closure per lookup).
function consider(task: TaskObject, g: GroupObject, key: string, found: KernelObject[]): void {
  const set = g.resolve(key);
  if (set === undefined) return;
  for (const obj of set) {
    // Private memory is visible to its creator alone.
    if (obj.type === ObjectType.PRIVATE_MEMORY_BLOB && obj.creator !== task.name.key) continue;
    if (!obj.destroyed && !found.includes(obj)) found.push(obj);
  }
}

/** Implements lookup for `task`. */
export async function lookup(kernel: Kernel, task: TaskObject, name: unknown, flags: unknown): Promise<number[]> {
  const s = 'lookup';
  checkCallFlags(s, flags, LookupFlags);
  const key = name instanceof Name ? name.key : typeof name === 'string' ? Name.parse(name, s, 'name').key : undefined;
  if (key === undefined) throw errors.EINVAL(s, 'name', `expected a Name or its text form, got ${describe(name)}`);
  const local = resolveLocal(task, key);
  const distribution = kernel.distribution;
  const askPeers = !((flags as number) & LookupFlags.LOCAL_ONLY) && distribution !== undefined;
  const remote = askPeers ? await distribution.lookup(key, resolvableGroups(task).map((g) => g.name.key)) : [];
  if (task.state === 'exited') {
    for (const obj of remote) kernel.destroyObject(obj);
    throw errors.ECANCELED(s, undefined, 'the task exited during the call');
  }
  // Without peers nothing was awaited, so `local` (checked just now) is still current.
  const objects = askPeers ? [...local.filter((o) => !o.destroyed), ...remote] : local;
  if (objects.length === 0) {
    const n = resolvableGroups(task).length;
    throw errors.ENOENT(s, 'name', `no object named ${key} in the ${n} group(s) the task can resolve in`);
  }
  return objects.map((obj) => kernel.openRef(task, obj, Rights.ALL, undefined).id);
}
