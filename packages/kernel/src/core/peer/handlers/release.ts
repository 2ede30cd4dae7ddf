/**
 * release: a peer drops a handle it holds here (close, or delete).
 * @module
 */
import { errors } from '../../abi/errors.js';
import type { PeerHandler } from './peer-call.js';

/**
 * Closes or deletes the handle. On another peer's behalf a peer only gives
 * back what it had shared for it: it closes, never destroys.
 */
export const serveRelease: PeerHandler<'release'> = async (call, req) => {
  if (req.for !== undefined && req.destroy)
    throw errors.EPERM('delete', 'ref', 'a handle held for another peer can be given back, not deleted');
  const proxy = call.proxy;
  const holder = req.for === undefined ? proxy : call.proxyOf(req.for);
  const ref = holder?.task.table.get(req.handle);
  // A proxy's self reference is not the peer's to give back (deleting it would end the proxy task), nor is
  // another peer's handle that this peer did not share for it (share records the sharer's proxy as parent).
  if (holder === undefined || ref === undefined || req.handle === holder.task.selfHandle) return { ok: true };
  if (holder !== proxy && ref.parent?.task !== proxy.task.name.key) return { ok: true };
  holder.releasing.add(req.handle);
  try {
    if (req.destroy) await call.kernel.contextOf(holder.task).delete(req.handle);
    else call.kernel.closeRef(ref);
  } finally {
    holder.releasing.delete(req.handle);
  }
  return { ok: true };
};
