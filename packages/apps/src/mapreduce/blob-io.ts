/**
 * Whole-blob I/O at paths, in one begin/end round each: a write fills one
 * lent buffer and commits it (so a re-run replaces the object atomically),
 * a read uses a zero-copy view of the blob.
 * @module
 */
import {
  CreateFlags,
  DeleteFlags,
  EndReadFlags,
  EndWriteFlags,
  errors,
  isDiosError,
  ObjectType,
  pathName,
  pathSeed,
  type SystemCalls,
} from '@dios/kernel';

/** A handle to the object at `path` in the task's first group, wherever in the cluster it is (the first copy found); ENOENT naming `path` when there is none. */
export async function lookupPath(sys: SystemCalls, path: string, call: string): Promise<number> {
  const group = sys.groupNames[0];
  if (group === undefined) throw errors.ENOENT(call, 'path', 'the task is a member of no group, so paths name nothing');
  const found = await sys.lookup(await pathName(group, path)).catch((e: unknown) => {
    throw isDiosError(e, 'ENOENT') ? errors.ENOENT(call, 'path', `nothing at '${path}'`) : e;
  });
  const [first, ...copies] = found;
  for (const extra of copies) await sys.delete(extra, DeleteFlags.DROP);
  return first!;
}

/**
 * Finds the blob at `path`, or creates it (shared memory, single-delete: it
 * stays when its creator exits, until someone deletes it) with room for
 * `capacity` bytes. Returns a handle the caller deletes (DROP) when done.
 */
export async function openAt(sys: SystemCalls, path: string, capacity: number, call: string): Promise<number> {
  try {
    const options = { nameSeed: pathSeed(path), lifecycle: 'single-delete' as const, capacity };
    return (await sys.create(ObjectType.SHARED_MEMORY_BLOB, options, CreateFlags.NAME_DETERMINISTIC)).ref;
  } catch (e) {
    if (!isDiosError(e, 'EEXIST')) throw e;
    return lookupPath(sys, path, call);
  }
}

/** Makes blob `ref` hold exactly `size` bytes written by `fill` (which gets the lent buffer), in one commit. */
export async function replaceWhole(
  sys: SystemCalls,
  ref: number,
  size: number,
  fill: (buffer: Uint8Array) => void,
): Promise<void> {
  const buffer = await sys.beginWrite(ref, size, { offset: 0, truncate: true });
  try {
    fill(buffer);
  } catch (e) {
    await sys.endWrite(ref, buffer, undefined, EndWriteFlags.DISCARD);
    throw e;
  }
  await sys.endWrite(ref, buffer);
}

/** Makes the blob at `path` (found or created, see {@link openAt}) hold exactly `size` bytes written by `fill`, in one commit. */
export async function replaceAt(
  sys: SystemCalls,
  path: string,
  size: number,
  fill: (buffer: Uint8Array) => void,
  call: string,
): Promise<void> {
  const ref = await openAt(sys, path, size, call);
  try {
    await replaceWhole(sys, ref, size, fill);
  } finally {
    await sys.delete(ref, DeleteFlags.DROP);
  }
}

/**
 * Lends `use` a view of blob `ref` from `offset`, `length` bytes long (default: to the end), then ends the read.
 * EIO when the blob changed while `use` ran (a job's objects must not change under it).
 */
export async function withView<T>(
  sys: SystemCalls,
  ref: number,
  offset: number,
  use: (view: Uint8Array) => T,
  call: string,
  length?: number,
): Promise<T> {
  const view = await sys.beginRead(ref, length === undefined ? { offset } : { offset, length });
  let result: T;
  try {
    result = use(view);
  } catch (e) {
    await sys.endRead(ref, view, EndReadFlags.RELEASE);
    throw e;
  }
  if (!(await sys.endRead(ref, view))) throw errors.EIO(call, 'inputs', 'an object changed while the job read it');
  return result;
}

/** Lends `use` a view of the whole blob at `path` (ENOENT naming the path when there is none). */
export async function withViewAt<T>(
  sys: SystemCalls,
  path: string,
  use: (view: Uint8Array) => T,
  call: string,
): Promise<T> {
  const ref = await lookupPath(sys, path, call);
  try {
    return await withView(sys, ref, 0, use, call);
  } finally {
    await sys.delete(ref, DeleteFlags.DROP);
  }
}

/** Destroys the object at `path`, if there is one. */
export async function removeAt(sys: SystemCalls, path: string, call: string): Promise<void> {
  let ref: number;
  try {
    ref = await lookupPath(sys, path, call);
  } catch (e) {
    if (isDiosError(e, 'ENOENT')) return;
    throw e;
  }
  await sys.delete(ref);
}

/**
 * Lends `use` views of the whole blobs at `paths`, all at once (so it can merge them without copies), then ends
 * the reads. ENOENT naming a path when there is none; EIO when a blob changed while `use` ran.
 */
export async function withViewsAt<T>(
  sys: SystemCalls,
  paths: readonly string[],
  use: (views: Uint8Array[]) => T,
  call: string,
): Promise<T> {
  const refs: number[] = [];
  const views: Uint8Array[] = [];
  let ok = false;
  try {
    for (const path of paths) refs.push(await lookupPath(sys, path, call));
    for (const ref of refs) views.push(await sys.beginRead(ref, { offset: 0 }));
    const result = use(views);
    ok = true;
    let unchanged = true;
    for (const [k, view] of views.entries()) unchanged = (await sys.endRead(refs[k]!, view)) && unchanged;
    if (!unchanged) throw errors.EIO(call, 'inputs', 'an object changed while the job read it');
    return result;
  } finally {
    if (!ok) for (const [k, view] of views.entries()) await sys.endRead(refs[k]!, view, EndReadFlags.RELEASE);
    for (const ref of refs) await sys.delete(ref, DeleteFlags.DROP);
  }
}
