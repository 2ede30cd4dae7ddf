/**
 * The image store's blob I/O, through init's system calls: whole-blob reads
 * and writes, and opening a blob of the store's host group by its name.
 * @module
 */
import { LookupFlags, isDiosError, type Name, type SystemCalls } from '@dios/kernel';

/** Every byte of the blob behind `ref`, copied out of the lent view. */
export async function readBlob(sys: SystemCalls, ref: number): Promise<Uint8Array> {
  const view = await sys.beginRead(ref);
  const bytes = view.slice();
  await sys.endRead(ref, view);
  return bytes;
}

/** Makes `bytes` the whole content of the blob behind `ref`, in one commit. */
export async function writeBlob(sys: SystemCalls, ref: number, bytes: Uint8Array): Promise<void> {
  const buffer = await sys.beginWrite(ref, bytes.length, { truncate: true });
  buffer.set(bytes);
  await sys.endWrite(ref, buffer);
}

/** A reference to the local object `name` (found through init's scopes), or undefined when there is none. */
export async function openByName(sys: SystemCalls, name: Name): Promise<number | undefined> {
  try {
    const [ref, ...others] = await sys.lookup(name.key, LookupFlags.LOCAL_ONLY);
    for (const extra of others) await sys.delete(extra);
    return ref;
  } catch (e) {
    if (isDiosError(e, 'ENOENT')) return undefined;
    throw e;
  }
}
