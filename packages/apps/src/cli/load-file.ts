/**
 * Bringing a host file into DIOS for a job: its bytes are read straight
 * into the buffer a begin_write lends on a new shared-memory blob, then
 * committed. A shared-memory blob rather than a durable import: the job
 * only reads it, and writing the file to the durable store (and fsyncing
 * it) would cost as much as counting.
 * @module
 */
import { open } from 'node:fs/promises';
import { MAX_BLOB_BYTES, ObjectType, type SystemCalls } from '@dios/kernel';

/** Reads host file `path` into a new shared-memory blob of task `sys`; returns its handle. Node's errors (ENOENT, EISDIR, ...) as they are. */
export async function loadFile(sys: SystemCalls, path: string): Promise<number> {
  const file = await open(path, 'r');
  try {
    const { size, isFile } = await file.stat().then((s) => ({ size: s.size, isFile: s.isFile() }));
    if (!isFile) throw Object.assign(new Error(`EISDIR: not a regular file, read '${path}'`), { code: 'EISDIR' });
    if (size > MAX_BLOB_BYTES) throw Object.assign(new Error(`EFBIG: file too large for a blob (${size} bytes), read '${path}'`), { code: 'EFBIG' });
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { capacity: size });
    const buffer = await sys.beginWrite(ref, size, { offset: 0 });
    let at = 0;
    while (at < size) {
      const { bytesRead } = await file.read(buffer, at, size - at, at);
      if (bytesRead === 0) break; // the file shrank meanwhile: count what was there
      at += bytesRead;
    }
    await sys.endWrite(ref, buffer, { length: at });
    return ref;
  } finally {
    await file.close();
  }
}
