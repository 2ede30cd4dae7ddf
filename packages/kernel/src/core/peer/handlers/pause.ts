/**
 * pause: a peer pauses or resumes a task that runs here.
 * @module
 */
import { labelFromWire } from '../../objects/label.js';
import { describeHandle, type PeerHandler } from './peer-call.js';

/** pause of the peer's handle on the task; replies with the task's description. */
export const servePause: PeerHandler<'pause'> = async (call, req) => {
  const label = labelFromWire(req.label, 'pause', 'label');
  await call.proxy.as(label, () => call.sys.pause(req.handle, req.flags));
  return { ok: true, object: describeHandle(call, req.handle) };
};
