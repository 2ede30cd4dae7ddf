/**
 * References a peer passes along in a request (delegate, run): the rights
 * it may confer, and what to give back when the request fails.
 * @module
 */
import { errors } from '../../abi/errors.js';
import { checkRights, formatRights, ObjectType } from '../../abi/flags.js';
import type { RemoteHandle } from '../../wire/transport.js';
import type { PeerCall } from './peer-call.js';

/**
 * Rights a peer asks for on a handle it passes on: checked against its own
 * handle here when this kernel is the object's home (as share does), so a
 * peer cannot confer more than it holds here. Other homes check on share.
 */
export function rightsWithin(
  call: PeerCall,
  ref: RemoteHandle,
  rights: unknown,
  syscall: string,
  argument: string,
): number {
  const wanted = checkRights(syscall, argument, rights);
  if (ref.home !== call.kernel.id) return wanted;
  const held = call.kernel.ref(call.proxy.task, ref.handle, syscall, argument);
  if ((wanted & ~held.rights) !== 0) {
    throw errors.EPERM(
      syscall,
      argument,
      `cannot raise rights from ${formatRights(held.rights)} to ${formatRights(wanted)}`,
    );
  }
  return wanted;
}

/**
 * After a failed delegate or run: the handles a third kernel made for this
 * one (shared on the sender's behalf) are this kernel's to give back; the
 * sender takes back its own, and groups hold nothing.
 */
export function dropForeign(call: PeerCall, refs: readonly { ref: RemoteHandle }[]): void {
  for (const { ref } of refs) {
    if (ref.home === call.kernel.id || ref.home === call.from || ref.object.type === ObjectType.GROUP) continue;
    try {
      const obj = call.importer.importHandle(call.from, ref);
      if (obj.refCount === 0) call.kernel.destroyObject(obj);
    } catch {
      // A malformed handle names nothing to give back.
    }
  }
}
