/**
 * lookup: a peer resolves a name in groups of its task's.
 * @module
 */
import { ObjectType, Rights } from '../../abi/flags.js';
import { GroupObject } from '../../objects/group.js';
import type { KernelObject } from '../../objects/kernel-object.js';
import type { PeerHandler } from './peer-call.js';

/**
 * Finds the objects named `name` in the listed groups here. The asking
 * kernel vouches for its task's groups and their rights; this kernel, the
 * object's home, confers no more than those, and no more than the object's
 * lookup mask.
 */
export const serveLookup: PeerHandler<'lookup'> = async (call, req) => {
  const found = new Map<KernelObject, number>();
  for (const { key, rights } of req.groups) {
    const group = call.kernel.objects.get(key);
    if (!(group instanceof GroupObject) || !(rights & Rights.READ)) continue;
    for (const obj of group.resolve(req.name) ?? []) {
      if (!obj.destroyed && obj.type !== ObjectType.PRIVATE_MEMORY_BLOB)
        found.set(obj, (found.get(obj) ?? 0) | (rights & obj.lookupRights));
    }
  }
  const objects = [...found].map(([obj, rights]) => ({ ...call.export(call.from, obj, rights, undefined), rights }));
  return { ok: true, objects };
};
