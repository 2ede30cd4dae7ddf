/**
 * begin_write(ref, length, options, flags) and end_write(ref, buffer,
 * options, flags): the two phases of a write. begin_write lends a buffer;
 * end_write commits it atomically (a blob gets a new version, a stream
 * appends) or, with DISCARD, gives it back with no effect.
 * @module
 */
import { DiosError, errors } from '../abi/errors.js';
import { BeginWriteFlags, EndWriteFlags, ObjectType, Rights } from '../abi/flags.js';
import type { KernelState } from '../kernel/kernel-state.js';
import { MAX_BLOB_BYTES } from '../objects/blob.js';
import type { TaskObject } from '../objects/task.js';
import { TaskIoRequest } from './io-request.js';
import { lentLease, recordLease } from './leases.js';
import { checkCallFlags, checkInt, checkOptions, requireRights } from './validate.js';
import { beginWriteArguments, endWriteArguments } from './arguments.js';
import type { EndWriteOptions, WriteOptions } from '../abi/syscall-options.js';
import { checkFlow, recordFlow } from './flow.js';

/** Implements begin_write for `task` (returns the buffer directly when the object lends without waiting). */
export function beginWrite(
  kernel: KernelState,
  task: TaskObject,
  handle: unknown,
  length: unknown,
  options: unknown,
  flags: unknown,
): Uint8Array | Promise<Uint8Array> {
  const s = 'beginWrite';
  // Each argument read once, as a worker task's call is (see arguments.ts); the checks below then run on the snapshot.
  ({ handle, length, options, flags } = beginWriteArguments(handle, length, options, flags));
  const f = checkCallFlags(s, flags, BeginWriteFlags);
  const ref = kernel.ref(task, handle, s, 'ref');
  const len = checkInt(s, 'length', length, 0, MAX_BLOB_BYTES);
  const o = checkOptions<WriteOptions>(s, 'options', options, ['offset', 'truncate']);
  const offset = o.offset === undefined ? 0 : checkInt(s, 'options.offset', o.offset, 0, MAX_BLOB_BYTES);
  if (o.truncate !== undefined && typeof o.truncate !== 'boolean')
    throw errors.EINVAL(s, 'options.truncate', 'expected a boolean');
  const append = (f & BeginWriteFlags.APPEND) !== 0;
  if (append && o.offset !== undefined)
    throw errors.EINVAL(s, 'options.offset', 'APPEND writes at the end: an offset cannot be given too');
  if (append && o.truncate === true)
    throw errors.EINVAL(s, 'options.truncate', 'APPEND and truncate exclude each other');
  requireRights(s, 'ref', ref, Rights.WRITE);
  // A write also observes the object (its version, a wait, EPIPE): the flow must go both ways.
  checkFlow(kernel, task, s, 'ref', ref.object, 'both', 'write');
  const owner = ref.object.owner;
  if (owner?.limits.memoryMb !== undefined && ref.object.type !== ObjectType.SHARED_MEMORY_STREAM) {
    // The lent buffer, and what the blob's buffer would grow by at the commit.
    const end = (append ? ref.object.size : offset) + len;
    owner.checkRoom(s, 'length', len + Math.max(0, end - ref.object.memoryBytes));
  }
  const req = new TaskIoRequest(
    task,
    ref,
    s,
    offset,
    len,
    (f & BeginWriteFlags.NONBLOCK) !== 0,
    o.truncate === true,
    append,
  );
  return recordLease(req, ref.object.beginWrite(req));
}

/** Implements end_write for `task`; resolves to the object's version after the commit. */
export function endWrite(
  kernel: KernelState,
  task: TaskObject,
  handle: unknown,
  buffer: unknown,
  options: unknown,
  flags: unknown,
): number | Promise<number> {
  const s = 'endWrite';
  // As in beginWrite.
  ({ handle, options, flags } = endWriteArguments(handle, options, flags));
  const f = checkCallFlags(s, flags, EndWriteFlags);
  const ref = kernel.ref(task, handle, s, 'ref');
  const lease = lentLease(s, ref, buffer, 'write');
  const o = checkOptions<EndWriteOptions>(s, 'options', options, ['length']);
  const length =
    o.length === undefined ? lease.buffer.length : checkInt(s, 'options.length', o.length, 0, lease.buffer.length);
  const discard = (f & EndWriteFlags.DISCARD) !== 0;
  const eos = (f & EndWriteFlags.END_OF_STREAM) !== 0;
  if (eos && ref.object.type !== ObjectType.SHARED_MEMORY_STREAM && ref.object.type !== ObjectType.TCP_CONNECTION) {
    throw errors.EINVAL(s, 'flags', `END_OF_STREAM applies to streams and connections, not to a ${ref.object.type}`);
  }
  if (eos && discard) throw errors.EINVAL(s, 'flags', 'DISCARD and END_OF_STREAM exclude each other');
  checkFlow(kernel, task, s, 'ref', ref.object, 'both', 'write');
  if (ref.object === task) {
    // A label change: refused whole, with the buffer still lent (the task may correct it, or discard it).
    try {
      task.endWrite(lease, length, discard);
    } catch (e) {
      // A change the task's capabilities do not allow is a refused flow like any other.
      if (e instanceof DiosError && e.code === 'EPERM') recordFlow(kernel, task, task, 'label', s, 0, false);
      throw e;
    }
    ref.leases.delete(lease.buffer);
    if (!discard) recordFlow(kernel, task, task, 'label', s, length, true);
    return task.version;
  }
  ref.leases.delete(lease.buffer);
  // Local objects commit synchronously; only a remote object's commit is waited for.
  const committed = ref.object.endWrite(lease, length, discard, eos);
  if (committed instanceof Promise) {
    return committed.then(() => {
      if (!discard) recordFlow(kernel, task, ref.object, 'write', s, length, true);
      return ref.object.version;
    });
  }
  if (!discard) recordFlow(kernel, task, ref.object, 'write', s, length, true);
  return ref.object.version;
}
