/**
 * Groups are scopes identified by their names: a group a peer names is this
 * kernel's group of that name, made as a replica when there is none.
 * @module
 */
import { errors } from '../../abi/errors.js';
import { Name } from '../../abi/names.js';
import type { KernelState } from '../../kernel/kernel-state.js';
import { GroupObject } from '../../objects/group.js';

/** The local group object named `key`: the original, or a replica made now. */
export function replicaGroup(kernel: KernelState, key: string): GroupObject {
  const existing = kernel.objects.get(key);
  if (existing instanceof GroupObject) return existing;
  if (existing !== undefined)
    throw errors.EINVAL('run', 'spec.groups', `object ${key} is a ${existing.type} here, not a group`);
  const group = new GroupObject(Name.parse(key, 'run', 'spec.groups'), 'immortal', undefined);
  kernel.objects.set(key, group);
  return group;
}
