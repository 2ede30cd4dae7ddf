/**
 * Bringing a host file into DIOS for a job: a new shared-memory blob, sized
 * up front, filled by reading the file straight into the buffers that
 * begin_write lends, a chunk at a time (the blob lends the same buffer again
 * for each chunk, so only the blob's own memory is touched for the first
 * time). A shared-memory blob rather than a durable import: the job only
 * reads it, and writing the file to the durable store (and fsyncing it)
 * would cost as much as counting.
 * @module
 */
import { open } from 'node:fs/promises';
import { CreateFlags, MAX_BLOB_BYTES, ObjectType, pathSeed, type SystemCalls } from '@dios/kernel';

const CHUNK = 8 * 1024 * 1024;

function fail(code: string, what: string, path: string): never {
  throw Object.assign(new Error(`${code}: ${what}, read '${path}'`), { code });
}

/** Reads host file `path` into a new shared-memory blob of task `sys`; returns its handle. Node's errors (ENOENT, EISDIR, ...) as they are. */
export async function loadFile(sys: SystemCalls, path: string): Promise<number> {
  return fill(sys, path, (size) => sys.create(ObjectType.SHARED_MEMORY_BLOB, { capacity: size }));
}

/**
 * Reads host file `path` into a new shared-memory blob at `diosPath` in the
 * first group of task `sys` (single-delete: it stays until someone deletes
 * it), where any kernel of the cluster finds it by path; returns its
 * handle. Node's errors as for {@link loadFile}; EEXIST (`options.nameSeed`)
 * when this kernel already has an object at that path.
 */
export async function loadFileAt(sys: SystemCalls, path: string, diosPath: string): Promise<number> {
  return fill(sys, path, (size) =>
    sys.create(
      ObjectType.SHARED_MEMORY_BLOB,
      { capacity: size, nameSeed: pathSeed(diosPath), lifecycle: 'single-delete' },
      CreateFlags.NAME_DETERMINISTIC,
    ),
  );
}

async function fill(sys: SystemCalls, path: string, make: (size: number) => Promise<{ ref: number }>): Promise<number> {
  const file = await open(path, 'r');
  try {
    const info = await file.stat();
    if (!info.isFile()) fail('EISDIR', 'not a regular file', path);
    if (info.size > MAX_BLOB_BYTES) fail('EFBIG', `too large for a blob (${info.size} bytes)`, path);
    const { ref } = await make(info.size);
    for (let at = 0; at < info.size;) {
      const buffer = await sys.beginWrite(ref, Math.min(CHUNK, info.size - at), { offset: at });
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await file.read(buffer, filled, buffer.length - filled, at + filled);
        if (bytesRead === 0) break; // the file shrank meanwhile: keep what was there
        filled += bytesRead;
      }
      await sys.endWrite(ref, buffer, { length: filled });
      if (filled < buffer.length) break;
      at += filled;
    }
    return ref;
  } finally {
    await file.close();
  }
}
