/**
 * begin-read and end-read: a peer's read, as begin_read and end_read of
 * its proxy task. The lent bytes travel in the reply; the buffer stays
 * lent here until the peer's end-read.
 * @module
 */
import { BeginReadFlags, EndReadFlags } from '../../abi/flags.js';
import { labelFromWire } from '../../objects/label.js';
import { describeHandle, type PeerHandler } from './peer-call.js';

/** begin_read on the peer's handle; replies with the lease, a copy of the bytes and the object's description. */
export const serveBeginRead: PeerHandler<'begin-read'> = async (call, req) => {
  const { proxy, sys } = call;
  const flags = req.nonblock ? BeginReadFlags.NONBLOCK : 0;
  const label = labelFromWire(req.label, 'beginRead', 'label');
  const buffer = await proxy.begin(
    req.rid,
    () => proxy.as(label, () => sys.beginRead(req.handle, { offset: req.offset, length: req.length }, flags)),
    (b) => proxy.as(label, () => sys.endRead(req.handle, b, EndReadFlags.RELEASE)),
  );
  const lease = proxy.lend(req.handle, buffer, req.rid, label);
  // The lent buffer itself, not a copy: every transport copies a reply's bytes before they leave this kernel (the
  // loopback one with copyMessage, NATS into its frame), a little later than now. A commit in between may tear what
  // is sent, as it tears a local reader's live view, and so also makes this lease's end_read answer false.
  return { ok: true, lease, bytes: buffer, object: describeHandle(call, req.handle) };
};

/** end_read of a lease; a release of a lease still being granted gives it back once granted. */
export const serveEndRead: PeerHandler<'end-read'> = async (call, req) => {
  if (req.release && call.proxy.abandon(req.lease)) return { ok: true, valid: true };
  const label = call.proxy.labelOf(req.lease);
  const buffer = call.proxy.lent(req.lease, req.handle, 'endRead', true);
  const valid = await call.proxy.as(label, () =>
    call.sys.endRead(req.handle, buffer, req.release ? EndReadFlags.RELEASE : 0),
  );
  return { ok: true, valid, object: describeHandle(call, req.handle) };
};
