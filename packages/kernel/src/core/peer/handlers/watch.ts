/**
 * watch: a peer waits for one of its handles here to be ready (select).
 * @module
 */
import { SelectFlags } from '../../abi/flags.js';
import { labelFromWire } from '../../objects/label.js';
import { describeHandle, type PeerHandler } from './peer-call.js';

// The longest a watch waits here before it answers ETIMEDOUT (the peer renews it).
const MAX_WATCH_MS = 60_000;

/** select on the peer's handle; replies with the object's description once ready, or fails with ETIMEDOUT. */
export const serveWatch: PeerHandler<'watch'> = async (call, req) => {
  const timeoutMs = Math.min(Math.max(0, Math.floor(req.timeoutMs)), MAX_WATCH_MS);
  const label = labelFromWire(req.label, 'select', 'label');
  await call.proxy.as(label, () =>
    call.sys.select([req.handle], { timeoutMs }, req.mode === 'write' ? SelectFlags.WRITE : 0),
  );
  return { ok: true, object: describeHandle(call, req.handle) };
};
