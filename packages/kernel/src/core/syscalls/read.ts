/**
 * begin_read(ref, options, flags) and end_read(ref, buffer, flags): the two
 * phases of a read. begin_read lends a view of the object's bytes without
 * copying; end_read returns it and says whether the read is still valid.
 * @module
 */
import { BeginReadFlags, EndReadFlags, Rights } from '../abi/flags.js';
import type { KernelState } from '../kernel/kernel-state.js';
import { MAX_BLOB_BYTES } from '../objects/blob.js';
import type { TaskObject } from '../objects/task.js';
import { TaskIoRequest } from './io-request.js';
import { lentLease, recordLease } from './leases.js';
import { checkCallFlags, checkInt, checkOptions, requireRights } from './validate.js';
import { beginReadArguments, endReadArguments } from './arguments.js';
import type { ReadOptions } from '../abi/syscall-options.js';
import { checkFlow, recordFlow, type FlowDirection } from './flow.js';
import type { Reference } from '../objects/reference.js';

/**
 * Implements begin_read for `task`. Returns the buffer directly when the
 * object lends without waiting, so the task context awaits nothing extra.
 */
export function beginRead(
  kernel: KernelState,
  task: TaskObject,
  handle: unknown,
  options: unknown,
  flags: unknown,
): Uint8Array | Promise<Uint8Array> {
  const s = 'beginRead';
  // Each argument read once, as a worker task's call is (see arguments.ts); the checks below then run on the snapshot.
  ({ handle, options, flags } = beginReadArguments(handle, options, flags));
  const f = checkCallFlags(s, flags, BeginReadFlags);
  const ref = kernel.ref(task, handle, s, 'ref');
  const o = checkOptions<ReadOptions>(s, 'options', options, ['offset', 'length']);
  const offset = o.offset === undefined ? 0 : checkInt(s, 'options.offset', o.offset, 0, MAX_BLOB_BYTES);
  const length = o.length === undefined ? MAX_BLOB_BYTES : checkInt(s, 'options.length', o.length, 0, MAX_BLOB_BYTES);
  requireRights(s, 'ref', ref, Rights.READ);
  if (ref.object.label !== task.label) checkFlow(kernel, task, s, 'ref', ref.object, readDirection(ref), 'read');
  const req = new TaskIoRequest(task, ref, s, offset, length, (f & BeginReadFlags.NONBLOCK) !== 0, false);
  return recordLease(req, ref.object.beginRead(req));
}

/** Implements end_read for `task`. */
export function endRead(
  kernel: KernelState,
  task: TaskObject,
  handle: unknown,
  buffer: unknown,
  flags: unknown,
): boolean | Promise<boolean> {
  const s = 'endRead';
  // As in beginRead.
  ({ handle, flags } = endReadArguments(handle, flags));
  const f = checkCallFlags(s, flags, EndReadFlags);
  const ref = kernel.ref(task, handle, s, 'ref');
  const lease = lentLease(s, ref, buffer, 'read');
  const release = (f & EndReadFlags.RELEASE) !== 0;
  // The answer (still valid?) tells the task about the object: a flow in, checked again (the task's label may have
  // changed). A release answers nothing and consumes nothing, so a buffer can always be given back.
  if (!release && ref.object.label !== task.label)
    checkFlow(kernel, task, s, 'ref', ref.object, readDirection(ref), 'read');
  ref.leases.delete(lease.buffer);
  if (!release) recordFlow(kernel, task, ref.object, 'read', s, lease.buffer.length, true);
  return ref.object.endRead(lease, release);
}

/**
 * A read is a flow in, unless others can see it happen: a read that consumes
 * (streams, the console, network objects) or holds an exclusive lock (a
 * blob read through an `exclusive` reference) is a flow both ways.
 */
function readDirection(ref: Reference): FlowDirection {
  return ref.object.readsConsume || ref.consistency === 'exclusive' ? 'both' : 'in';
}
