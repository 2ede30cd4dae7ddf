/**
 * Binaries: a task writes a program's binary (the bytes naming a registered
 * program) into a blob it can then spawn. Registering the program itself is
 * the host's business (Kernel.registerProgram); installProgram does both for
 * a host that holds the kernel.
 * @module
 */
import { errors, normalizePath, ObjectType, type Kernel, type Program, type SystemCalls } from '@dios/kernel';
import { createAtPath } from '../paths/resolve.js';
import { deleteQuietly } from '../handles/delete-quietly.js';
import { remembering } from '../errno/last-error.js';
import { pathError } from '../paths/path-error.js';

/**
 * Creates a blob holding `bytes` (a binary, such as `programBinary(id)` or
 * what `Kernel.registerProgram` returned) and returns the handle of a
 * reference to it with all rights, ready for {@link spawn}.
 *
 * Without `path`, the blob is a shared-memory blob that lives while a
 * reference to it does. With `path`, it is made where {@link fopen} and
 * spawn look for that path (its name seeded from the path in the task's
 * first group): a durable blob when the kernel has a store, otherwise an
 * immortal shared-memory blob, so that it stays after the handle is deleted.
 *
 * Errors: EINVAL (`bytes`) when bytes is not a Uint8Array; EINVAL (`path`)
 * for a malformed path; create's errors, naming the path as their argument
 * when one was given: EEXIST when something is already at the path (a
 * binary is not overwritten) and EACCES when the task may not create in its
 * first group; the write's errors (the blob is then deleted again). The
 * failure is also kept as the task's {@link lastError}.
 */
export function writeBinary(sys: SystemCalls, bytes: Uint8Array, path?: string): Promise<number> {
  return remembering(sys, () => write(sys, bytes, path));
}

async function write(sys: SystemCalls, bytes: Uint8Array, path?: string): Promise<number> {
  if (!(bytes instanceof Uint8Array)) throw errors.EINVAL('writeBinary', 'bytes', 'expected a Uint8Array');
  const ref = path === undefined ? (await sys.create(ObjectType.SHARED_MEMORY_BLOB)).ref : await createAt(sys, path);
  try {
    const buffer = await sys.beginWrite(ref, bytes.length, { offset: 0 });
    buffer.set(bytes);
    await sys.endWrite(ref, buffer);
  } catch (e) {
    // The write's error is the one to report; a delete that fails too leaves a blob the caller never got a handle to.
    await deleteQuietly(sys, ref);
    throw e;
  }
  return ref;
}

/**
 * For the host: registers `program` under `id` with `kernel` (a host
 * operation no task can perform) and writes its binary with task `sys`
 * ({@link writeBinary}, at `path` if given). Returns the binary's handle in
 * `sys`. Wrap a libd main with {@link defineProgram} first.
 */
export async function installProgram(
  kernel: Pick<Kernel, 'registerProgram'>,
  sys: SystemCalls,
  id: string,
  program: Program,
  path?: string,
): Promise<number> {
  return writeBinary(sys, kernel.registerProgram(id, program), path);
}

async function createAt(sys: SystemCalls, path: string): Promise<number> {
  const normalized = normalizePath(path, 'writeBinary', 'path');
  try {
    return await createAtPath(sys, normalized);
  } catch (e) {
    throw pathError(e, 'writeBinary', path, normalized);
  }
}
