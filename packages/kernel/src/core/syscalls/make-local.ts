/**
 * copy with CopyFlags.MAKE_LOCAL: a blob on another kernel is fetched in
 * chunks into a new blob on the caller's kernel. The chunks are read
 * through the proxy like any remote read, and all of them must show one
 * version of the blob, so the copy is a consistent snapshot.
 * @module
 */
import { DiosError, errors } from '../abi/errors.js';
import { ObjectType } from '../abi/flags.js';
import type { KernelState } from '../kernel/kernel-state.js';
import { BlobObject, MAX_BLOB_BYTES } from '../objects/blob.js';
import type { IoRequest, KernelObject } from '../objects/kernel-object.js';
import type { TaskObject } from '../objects/task.js';
import type { Reference } from '../objects/reference.js';
import type { Label } from '../objects/label.js';

/** Most bytes one request of a make-local copy asks for: memory per request stays bounded whatever the blob's size. */
export const MAKE_LOCAL_CHUNK_BYTES = 512 * 1024;

/** How often a make-local copy starts again when the blob changed under it before giving up with EAGAIN. */
export const MAKE_LOCAL_ATTEMPTS = 4;

/**
 * Copies the bytes of the remote blob behind `src` into a new, unnamed-in-any-group,
 * reference-counted shared-memory blob on this kernel, at the version the
 * original had. Returns a reference to it in `task`'s table (the source's rights, no more; the
 * caller hands it on and closes it). Errors name `argument`.
 */
export async function fetchLocalCopy(
  kernel: KernelState,
  task: TaskObject,
  src: Reference,
  argument: string,
): Promise<Reference> {
  const remote = src.object;
  for (let attempt = 0; attempt < MAKE_LOCAL_ATTEMPTS; attempt++) {
    const copy = new BlobObject(
      kernel.newName(),
      'refcounted',
      undefined,
      ObjectType.SHARED_MEMORY_BLOB,
      Math.min(remote.size, MAX_BLOB_BYTES),
    );
    // The copy holds the same information as the original: it gets the same label.
    copy.label = remote.label;
    kernel.objects.set(copy.name.key, copy);
    // The caller's reference while the copy is made is in its table: it carries no more than the source did (the
    // kernel fills the copy through the object, not through this reference's rights).
    const local = kernel.openRef(task, copy, src.rights, { task: task.name.key, id: src.id });
    try {
      const version = await fill(copy, local, remote, src, task, argument);
      if (version !== undefined) {
        copy.version = version;
        return local;
      }
    } catch (e) {
      kernel.closeRef(local);
      throw e instanceof DiosError ? new DiosError(e.code, 'copy', argument, e.detail) : e;
    }
    kernel.closeRef(local);
  }
  throw errors.EAGAIN('copy', argument, `the blob changed during each of ${MAKE_LOCAL_ATTEMPTS} attempts to copy it`);
}

// Reads the blob chunk by chunk into `copy`; returns the version every chunk showed, or undefined if it changed meanwhile.
async function fill(
  copy: BlobObject,
  local: Reference,
  remote: KernelObject,
  src: Reference,
  task: TaskObject,
  argument: string,
): Promise<number | undefined> {
  const guard = () => {
    if (task.state === 'exited') throw errors.ECANCELED('copy', undefined, 'the task exited during the call');
    if (!src.open) throw errors.EBADF('copy', argument, `reference ${src.id} was deleted during the call`);
  };
  let version: number | undefined;
  for (let offset = 0; ;) {
    guard();
    let lease;
    try {
      lease = await remote.beginRead(request(src, offset, MAKE_LOCAL_CHUNK_BYTES, guard, task.label));
    } catch (e) {
      // A truncation since the last chunk puts the offset past the end: the version changed, start again.
      if (offset > 0 && e instanceof DiosError && e.code === 'EINVAL' && e.argument === 'options.offset')
        return undefined;
      throw e;
    }
    const chunk = lease.buffer;
    const valid = await remote.endRead(lease, false);
    version ??= lease.version;
    if (!valid || lease.version !== version) return undefined;
    if (chunk.length > 0) {
      const write = await copy.beginWrite(request(local, offset, chunk.length, guard, task.label));
      write.buffer.set(chunk);
      await copy.endWrite(write, chunk.length, false);
    }
    offset += chunk.length;
    if (chunk.length < MAKE_LOCAL_CHUNK_BYTES) return version;
  }
}

function request(ref: Reference, offset: number, length: number, guard: () => void, label: Label): IoRequest {
  return { ref, offset, length, nonblock: true, truncate: false, append: false, guard, syscall: 'copy', label };
}
