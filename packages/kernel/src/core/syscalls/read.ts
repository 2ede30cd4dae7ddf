/**
 * begin_read(ref, options, flags) and end_read(ref, buffer, flags): the two
 * phases of a read. begin_read lends a view of the object's bytes without
 * copying; end_read returns it and says whether the read is still valid.
 * @module
 */
import { errors } from '../errors.js';
import { BeginReadFlags, EndReadFlags, Rights } from '../flags.js';
import type { Kernel } from '../kernel.js';
import { MAX_BLOB_BYTES } from '../objects/blob.js';
import type { TaskObject } from '../objects/task.js';
import type { Reference } from '../reference.js';
import { checkCallFlags, checkInt, checkOptions, requireRights } from './validate.js';

/** Options of begin_read. */
export interface ReadOptions {
  /** Blobs: where the view starts (default 0). Streams accept only 0. */
  offset?: number;
  /** Most bytes to lend (default: the rest of a blob, a stream's capacity). Streams may lend fewer. */
  length?: number;
}

/** A check for blocking calls: the reference must stay open and the task alive. */
export function guardFor(task: TaskObject, ref: Reference, syscall: string): () => void {
  return () => {
    if (!ref.open) throw errors.EBADF(syscall, 'ref', `reference ${ref.id} was deleted while the call waited`);
    if (task.state === 'exited') throw errors.ECANCELED(syscall, undefined, 'the task exited while the call waited');
  };
}

/** Implements begin_read for `task`. */
export async function beginRead(kernel: Kernel, task: TaskObject, handle: unknown, options: unknown, flags: unknown): Promise<Uint8Array> {
  const s = 'beginRead';
  const f = checkCallFlags(s, flags, BeginReadFlags);
  const ref = kernel.ref(task, handle, s, 'ref');
  const o = checkOptions<ReadOptions>(s, 'options', options, ['offset', 'length']);
  const offset = o.offset === undefined ? 0 : checkInt(s, 'options.offset', o.offset, 0, MAX_BLOB_BYTES);
  const length = o.length === undefined ? MAX_BLOB_BYTES : checkInt(s, 'options.length', o.length, 0, MAX_BLOB_BYTES);
  requireRights(s, 'ref', ref, Rights.READ);
  const pending = ref.object.beginRead({
    ref,
    offset,
    length,
    nonblock: (f & BeginReadFlags.NONBLOCK) !== 0,
    truncate: false,
    guard: guardFor(task, ref, s),
    syscall: s,
  });
  // Local objects lend without waiting when they can: awaiting only a promise saves a turn of the event loop.
  const lease = pending instanceof Promise ? await pending : pending;
  if (!ref.open || task.state === 'exited') {
    // The reference went while the object was preparing the lease (remote reads): give it straight back.
    await ref.object.endRead(lease, true);
    guardFor(task, ref, s)();
  }
  ref.leases.set(lease.buffer, lease);
  return lease.buffer;
}

/** Implements end_read for `task`. */
export async function endRead(kernel: Kernel, task: TaskObject, handle: unknown, buffer: unknown, flags: unknown): Promise<boolean> {
  const s = 'endRead';
  const f = checkCallFlags(s, flags, EndReadFlags);
  const ref = kernel.ref(task, handle, s, 'ref');
  const lease = buffer instanceof Uint8Array ? ref.leases.get(buffer) : undefined;
  if (lease === undefined || lease.kind !== 'read') {
    throw errors.EINVAL(s, 'buffer', `not a buffer lent by beginRead on reference ${ref.id}, or already returned`);
  }
  ref.leases.delete(lease.buffer);
  return ref.object.endRead(lease, (f & EndReadFlags.RELEASE) !== 0);
}
