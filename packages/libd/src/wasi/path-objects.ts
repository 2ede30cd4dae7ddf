/**
 * The objects behind WASI paths: a path names the object whose name is
 * seeded from it in the task's first group (pathNameSync, the rule libd's
 * fopen uses), so a file written by fopen is the file a C program opens and
 * the other way round. Files and directories made here are durable blobs
 * (immortal shared-memory blobs on a kernel without a store, like fopen's),
 * created `single-delete` so that unlink can destroy them.
 * @module
 */
import {
  CreateFlags,
  DeleteFlags,
  isDiosError,
  ObjectType,
  pathNameSync,
  type Name,
  pathSeed,
  type BlockingSystemCalls,
  type SystemCalls,
} from '@dios/kernel';
import { fail, WasiErrno } from './errno.js';

// Names of recent paths: hashing one costs ~10 µs, and a program names the same few files again and again (SQLite
// checks for its hot journal before every statement). A name depends only on the group and the path.
const NAMES_KEPT = 1024;
const names = new Map<string, Name>();
function nameOf(group: Name, path: string): Name {
  const key = `${group.key}${path}`;
  let name = names.get(key);
  if (name === undefined) {
    if (names.size >= NAMES_KEPT) names.clear();
    name = pathNameSync(group, path);
    names.set(key, name);
  }
  return name;
}

/** The blob at `path`: a handle the caller owns, or undefined when there is none. */
export function lookupPath(sys: SystemCalls, calls: BlockingSystemCalls, path: string): number | undefined {
  const group = sys.groupNames[0];
  if (group === undefined) return fail(WasiErrno.NOENT, 'the task is a member of no group, so paths name nothing');
  let found: number[];
  try {
    found = calls.lookup(nameOf(group, path));
  } catch (e) {
    if (isDiosError(e, 'ENOENT')) return undefined;
    throw e;
  }
  const [first, ...copies] = found;
  // Several copies may answer (local ones first): the first is used.
  for (const extra of copies) calls.delete(extra, DeleteFlags.DROP);
  return first;
}

/** Creates the blob at `path` and returns a handle to it; EEXIST when one is there. */
export function createAtPath(calls: BlockingSystemCalls, path: string): number {
  const options = { nameSeed: pathSeed(path), lifecycle: 'single-delete' as const };
  try {
    return calls.create(ObjectType.DURABLE_BLOB, options, CreateFlags.NAME_DETERMINISTIC).ref;
  } catch (e) {
    if (!isDiosError(e, 'ENOTSUP')) throw e;
  }
  // A kernel without a durable store keeps files in memory.
  return calls.create(ObjectType.SHARED_MEMORY_BLOB, options, CreateFlags.NAME_DETERMINISTIC).ref;
}

/**
 * Destroys the blob `handle` refers to (the handle goes too). An immortal
 * blob (one fopen made) cannot be destroyed: EPERM, and it stays.
 */
export function destroy(sys: SystemCalls, calls: BlockingSystemCalls, handle: number, path: string): void {
  calls.delete(handle);
  const still = lookupPath(sys, calls, path);
  if (still !== undefined) {
    calls.delete(still, DeleteFlags.DROP);
    fail(WasiErrno.PERM, `${path} is an immortal object (made by fopen?) and cannot be removed`);
  }
}

/** Drops a handle this runtime owns, without destroying anything. */
export function drop(calls: BlockingSystemCalls, handle: number): void {
  calls.delete(handle, DeleteFlags.DROP);
}

/** Every committed byte of a blob. */
export function readWhole(sys: SystemCalls, calls: BlockingSystemCalls, handle: number): Uint8Array {
  for (;;) {
    const size = sys.ref(handle).size;
    if (size === 0) return new Uint8Array(0);
    const lent = calls.beginRead(handle, { offset: 0, length: size });
    const copy = lent.slice();
    if (calls.endRead(handle, lent)) return copy;
  }
}

/** Replaces a blob's bytes with `bytes` in one commit. */
export function writeWhole(calls: BlockingSystemCalls, handle: number, bytes: Uint8Array): void {
  const buffer = calls.beginWrite(handle, bytes.length, { offset: 0, truncate: true });
  buffer.set(bytes);
  calls.endWrite(handle, buffer);
}

/** The parent directory of a normalized path (`/` is its own). */
export function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/** The last component of a normalized path (empty for `/`). */
export function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
