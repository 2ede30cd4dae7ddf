/**
 * Paths for libd: a path names the object whose name is seeded from it in
 * the task's first group (the kernel's pathName rule), so fopen("/data/x")
 * finds the same object every time. Creating modes make it when missing: a
 * durable blob when the kernel has a store, otherwise a shared-memory blob.
 * @module
 */
import {
  CreateFlags,
  DeleteFlags,
  errors,
  isDiosError,
  normalizePath,
  ObjectType,
  pathName,
  pathSeed,
  type SystemCalls,
} from '@dios/kernel';
import { pathError } from './path-error.js';

/**
 * The object at `path` in the task's first group: a handle to it, made first
 * when `create` is set and there is none. Errors about the object (ENOENT,
 * EEXIST, EACCES...) name `path` as the program wrote it ({@link pathError}).
 */
export async function resolvePath(sys: SystemCalls, path: string, create: boolean, call: string): Promise<number> {
  const normalized = normalizePath(path, call, 'target');
  const group = sys.groupNames[0];
  if (group === undefined) throw errors.ENOENT(call, path, 'the task is a member of no group, so paths name nothing');
  const name = await pathName(group, normalized);
  for (let attempt = 0; ; attempt++) {
    try {
      const [found, ...copies] = await sys.lookup(name);
      // Several copies of an object may answer; the first (local ones come first) is used.
      for (const extra of copies) await sys.delete(extra, DeleteFlags.DROP);
      return found!;
    } catch (e) {
      if (!create || !isDiosError(e, 'ENOENT') || attempt > 0) throw pathError(e, call, path, normalized);
    }
    try {
      return await createAtPath(sys, normalized);
    } catch (e) {
      // Another task made it in between: look it up again.
      if (!isDiosError(e, 'EEXIST')) throw pathError(e, call, path, normalized);
    }
  }
}

/**
 * Creates the blob at `path` (its name seeded from the path in the task's
 * first group) and returns a handle to it: a durable blob when the kernel has
 * a store, otherwise an immortal shared-memory blob. EEXIST when something is
 * there already.
 */
export async function createAtPath(sys: SystemCalls, path: string): Promise<number> {
  const options = { nameSeed: pathSeed(path) };
  try {
    return (await sys.create(ObjectType.DURABLE_BLOB, options, CreateFlags.NAME_DETERMINISTIC)).ref;
  } catch (e) {
    if (!isDiosError(e, 'ENOTSUP')) throw e;
  }
  // A kernel without a durable store keeps files in memory.
  return (
    await sys.create(
      ObjectType.SHARED_MEMORY_BLOB,
      { ...options, lifecycle: 'immortal' },
      CreateFlags.NAME_DETERMINISTIC,
    )
  ).ref;
}
