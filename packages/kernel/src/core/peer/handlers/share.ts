/**
 * share: a peer has this kernel open a handle for a third kernel on an
 * object the peer holds here (how references travel between peers).
 * @module
 */
import { errors } from '../../abi/errors.js';
import { formatRights } from '../../abi/flags.js';
import type { PeerHandler } from './peer-call.js';

/** Opens the handle for `req.peer`, with at most the sender's rights; replies with it. */
export const serveShare: PeerHandler<'share'> = async (call, req) => {
  const ref = call.kernel.ref(call.proxy.task, req.handle, 'share', 'handle');
  if ((req.rights & ~ref.rights) !== 0) {
    throw errors.EPERM(
      'copy',
      'rights',
      `cannot raise rights from ${formatRights(ref.rights)} to ${formatRights(req.rights)}`,
    );
  }
  const exported = call.export(req.peer, ref.object, req.rights, { task: call.proxy.task.name.key, id: ref.id });
  return { ok: true, handle: exported.handle };
};
