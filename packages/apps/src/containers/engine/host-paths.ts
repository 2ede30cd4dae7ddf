/**
 * Blobs at paths in the host's own name space (the root group, as init
 * sees it): where `load` puts host files, and what a container's
 * `--share PATH` finds. Durable when the kernel has a store.
 * @module
 */
import { CreateFlags, DeleteFlags, isDiosError, ObjectType, pathName, pathSeed, type SystemCalls } from '@dios/kernel';

/** Replaces the blob at `path` in `sys`'s first group with `bytes`, making it when missing. */
export async function writePath(sys: SystemCalls, path: string, bytes: Uint8Array): Promise<void> {
  const ref = await openPath(sys, path);
  try {
    const buf = await sys.beginWrite(ref, bytes.length, { offset: 0, truncate: true });
    buf.set(bytes);
    await sys.endWrite(ref, buf);
  } finally {
    // A durable or immortal blob stays when its handle is dropped.
    await sys.delete(ref, DeleteFlags.DROP);
  }
}

async function openPath(sys: SystemCalls, path: string): Promise<number> {
  try {
    const [found, ...copies] = await sys.lookup((await pathName(sys.groupNames[0]!, path)).key);
    for (const extra of copies) await sys.delete(extra, DeleteFlags.DROP);
    return found!;
  } catch (e) {
    if (!isDiosError(e, 'ENOENT')) throw e;
  }
  const options = { nameSeed: pathSeed(path) };
  try {
    return (await sys.create(ObjectType.DURABLE_BLOB, options, CreateFlags.NAME_DETERMINISTIC)).ref;
  } catch (e) {
    if (!isDiosError(e, 'ENOTSUP')) throw e;
  }
  return (
    await sys.create(
      ObjectType.SHARED_MEMORY_BLOB,
      { ...options, lifecycle: 'immortal' },
      CreateFlags.NAME_DETERMINISTIC,
    )
  ).ref;
}
