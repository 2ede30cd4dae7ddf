/**
 * The lease bookkeeping begin_read and begin_write share, and end_read and
 * end_write: a lent buffer is recorded on its reference, by identity, until
 * the matching end call finds it there.
 * @module
 */
import { errors } from '../abi/errors.js';
import type { Lease, Reference } from '../objects/reference.js';
import type { TaskIoRequest } from './io-request.js';

/**
 * Records the lease an object lent for `req` on the reference and returns
 * its buffer: directly when the object lent without waiting, so the task
 * context awaits nothing extra. A lease that arrives after the reference
 * went or the task exited is given back to the object unused (a read
 * released, a write discarded), and the call fails as the request's guard says.
 */
export function recordLease(req: TaskIoRequest, pending: Promise<Lease> | Lease): Uint8Array | Promise<Uint8Array> {
  const ref = req.ref;
  if (!(pending instanceof Promise)) {
    ref.leases.set(pending.buffer, pending);
    return pending.buffer;
  }
  return pending.then(async (lease) => {
    if (!ref.open || req.task.state === 'exited') {
      // The reference went while the object was preparing the lease (a wait, a remote read): give it straight back.
      await (lease.kind === 'read' ? ref.object.endRead(lease, true) : ref.object.endWrite(lease, 0, true, false));
      req.guard();
    }
    ref.leases.set(lease.buffer, lease);
    return lease.buffer;
  });
}

/**
 * The `kind` lease lent on `ref` whose buffer is `buffer` (matched by
 * identity: a Map lookup runs no code of the caller's); EINVAL naming
 * `buffer` when there is none. The lease stays recorded.
 */
export function lentLease(syscall: string, ref: Reference, buffer: unknown, kind: Lease['kind']): Lease {
  const lease = ref.leases.get(buffer as Uint8Array);
  if (lease === undefined || lease.kind !== kind) {
    const begin = kind === 'read' ? 'beginRead' : 'beginWrite';
    throw errors.EINVAL(syscall, 'buffer', `not a buffer lent by ${begin} on reference ${ref.id}, or already returned`);
  }
  return lease;
}
