/**
 * begin-write, write-part and end-write: a peer's write, as begin_write and
 * end_write of its proxy task. The bytes come with the end-write, or ahead
 * of it in write-parts when they are too many for one message.
 * @module
 */
import { errors } from '../../abi/errors.js';
import { BeginWriteFlags, EndWriteFlags } from '../../abi/flags.js';
import { labelFromWire } from '../../objects/label.js';
import { describeHandle, type PeerHandler } from './peer-call.js';

/** begin_write on the peer's handle; replies with the lease. */
export const serveBeginWrite: PeerHandler<'begin-write'> = async (call, req) => {
  const { proxy, sys } = call;
  const flags = (req.nonblock ? BeginWriteFlags.NONBLOCK : 0) | (req.append === true ? BeginWriteFlags.APPEND : 0);
  const options = req.append === true ? {} : { offset: req.offset, truncate: req.truncate };
  const label = labelFromWire(req.label, 'beginWrite', 'label');
  const buffer = await proxy.begin(
    req.rid,
    () => proxy.as(label, () => sys.beginWrite(req.handle, req.length, options, flags)),
    (b) => proxy.as(label, () => sys.endWrite(req.handle, b, { length: 0 }, EndWriteFlags.DISCARD)),
  );
  return { ok: true, lease: proxy.lend(req.handle, buffer, req.rid, label) };
};

/** Puts part of a large write into the lent buffer, ahead of its end-write. */
export const serveWritePart: PeerHandler<'write-part'> = async (call, req) => {
  placeBytes(call.proxy.lent(req.lease, req.handle, 'endWrite', false), req.at, req.bytes);
  return { ok: true };
};

/** end_write of a lease with its last bytes; replies with the version. A discard of a lease still being granted gives it back once granted. */
export const serveEndWrite: PeerHandler<'end-write'> = async (call, req) => {
  if (req.discard && call.proxy.abandon(req.lease)) return { ok: true };
  const label = call.proxy.labelOf(req.lease);
  const buffer = call.proxy.lent(req.lease, req.handle, 'endWrite', true);
  const at = placeBytes(buffer, req.at ?? 0, req.bytes);
  const flags = (req.discard ? EndWriteFlags.DISCARD : 0) | (req.endOfStream ? EndWriteFlags.END_OF_STREAM : 0);
  const version = await call.proxy.as(label, () =>
    call.sys.endWrite(req.handle, buffer, { length: req.discard ? 0 : at + req.bytes.length }, flags),
  );
  return { ok: true, version, object: describeHandle(call, req.handle) };
};

/** Copies `bytes` to `at` in a lent buffer; EINVAL (`options.length`, what end_write's caller set) when they do not fit. Returns `at`. */
function placeBytes(buffer: Uint8Array, at: number, bytes: Uint8Array): number {
  if (!Number.isSafeInteger(at) || at < 0 || at + bytes.length > buffer.length) {
    throw errors.EINVAL(
      'endWrite',
      'options.length',
      `${bytes.length} bytes at ${String(at)} for a buffer of ${buffer.length}`,
    );
  }
  buffer.set(bytes, at);
  return at;
}
