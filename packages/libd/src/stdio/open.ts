/**
 * Opening: fopen makes a FILE over an object named by a `Name` (looked up
 * in the task's groups), by a path, or over a reference the task holds.
 * @module
 */
import {
  BeginWriteFlags,
  DeleteFlags,
  EndWriteFlags,
  errors,
  isDiosError,
  Name,
  ObjectType,
  Rights,
  type SystemCalls,
} from '@dios/kernel';
import { remembering } from '../errno/last-error.js';
import { resolvePath } from '../paths/resolve.js';
import { accessOf, FileState, type FILE } from './file.js';
import { parseMode, type OpenMode } from './mode.js';
import { truncate } from './transfer.js';
import { deleteQuietly } from '../handles/delete-quietly.js';

/**
 * What {@link fopen} opens: an object's `Name`, or its 64 hex digits,
 * resolved with lookup; any other string, a path (see `pathName` in
 * @dios/kernel) in the task's first group; or a {@link FopenRef}, a handle
 * the task already holds.
 */
export type FopenTarget = Name | string | FopenRef;

/** A reference the task already holds, as a target of {@link fopen}. */
export interface FopenRef {
  /** The reference's handle. */
  readonly ref: number;
}

const NAME_TEXT = /^[0-9a-fA-F]{64}$/;

/**
 * Opens a FILE with a C mode: `r` (read from the start), `w` (empty the
 * object, then write), `a` (every write goes to the current end), each with
 * `+` to allow both reading and writing (`a+` reads from the start); a `b`
 * is accepted and ignored. Blobs have a file position; streams and the
 * console are read and written in order. The target must allow what the
 * mode asks: a blob opened for writing without the right to write it is
 * EACCES here (`mode`), not at the first write.
 *
 * A name is looked up, and the FILE owns the new reference: {@link fclose}
 * deletes it. A stream opened by name with `r`, `w` or `a` gets a reference
 * narrowed (with copy) to reading or writing only, when the name confers the
 * right to delegate: otherwise a reader would count as a writer, and the
 * stream would never end. A `{ ref }` target is used as it is and stays open
 * after fclose; `w` and `w+` empty it too (unlike C's fdopen).
 *
 * References the FILE gives up are dropped with DeleteFlags.DROP, so
 * closing never destroys a single-delete object.
 *
 * A path that names nothing is ENOENT for `r` and `r+`; `w`, `w+`, `a` and
 * `a+` create it in the task's first group (which takes write rights there):
 * a durable blob when the kernel has a store, else a shared-memory blob.
 *
 * Errors: EINVAL (`mode`) for a bad mode; EINVAL (`target`) for a string
 * that is not a name or a path, or for an object without
 * bytes (a task or a group); EBADF (`target.ref`) for a handle the task does
 * not hold; EACCES (`mode`) as above; lookup's errors, ENOENT for a name the
 * task cannot resolve. Errors about the object at a path name the path as
 * their argument, as given: ENOENT (`/data/in.txt`) when nothing is there
 * for `r` or `r+` (or the task is in no group), create's EACCES when the
 * task may not create in its first group. The failure is also kept as the
 * task's {@link lastError}.
 */
export function fopen(sys: SystemCalls, target: FopenTarget, mode: string): Promise<FILE> {
  return remembering(sys, () => openTarget(sys, target, mode));
}

async function openTarget(sys: SystemCalls, target: FopenTarget, mode: string): Promise<FILE> {
  const parsed = parseMode(mode);
  if (typeof target === 'object' && target !== null && !Name.isName(target)) {
    const handle: unknown = target.ref;
    if (typeof handle !== 'number') throw errors.EINVAL('fopen', 'target.ref', 'expected a reference handle');
    try {
      sys.ref(handle);
    } catch (e) {
      if (isDiosError(e, 'EBADF')) throw errors.EBADF('fopen', 'target.ref', e.detail);
      throw e;
    }
    return open(sys, handle, parsed, false);
  }
  let handle: number;
  if (typeof target === 'string' && !NAME_TEXT.test(target)) {
    // A path: the creating modes (w, a and their + forms) make the object when there is none.
    handle = await resolvePath(sys, target, parsed.writable && (parsed.truncate || parsed.append), 'fopen');
  } else {
    const [found, ...others] = await sys.lookup(nameOf(target));
    // Several copies of an object may answer; the first (local ones come first) is used.
    for (const extra of others) await sys.delete(extra, DeleteFlags.DROP);
    handle = found!;
  }
  try {
    if (sys.ref(handle).type === ObjectType.SHARED_MEMORY_STREAM && parsed.readable !== parsed.writable)
      handle = await narrow(sys, handle, parsed);
    return await open(sys, handle, parsed, true);
  } catch (e) {
    await deleteQuietly(sys, handle, DeleteFlags.DROP);
    throw e;
  }
}

function nameOf(target: unknown): Name | string {
  if (Name.isName(target)) return Name.from(target);
  if (typeof target === 'string') {
    if (NAME_TEXT.test(target)) return target.toLowerCase();
    throw errors.EINVAL('fopen', 'target', `not a name (64 hex digits): '${target}'`);
  }
  throw errors.EINVAL('fopen', 'target', 'expected a Name, its 64 hex digits, or { ref: handle }');
}

// Replaces a looked-up stream reference by a copy with only the right the mode needs (and DELEGATE). Without
// DELEGATE the reference cannot be copied, and is kept as it is.
async function narrow(sys: SystemCalls, handle: number, mode: OpenMode): Promise<number> {
  const rights = (mode.readable ? Rights.READ : 0) | (mode.writable ? Rights.WRITE : 0) | Rights.DELEGATE;
  let copied: number[];
  try {
    copied = await sys.copy([handle], sys.self, { rights });
  } catch (e) {
    if (isDiosError(e, 'EACCES') && e.argument === 'refs[0]') return handle;
    if (isDiosError(e, 'EPERM') && e.argument === 'refs[0]') {
      throw errors.EACCES(
        'fopen',
        'mode',
        `mode '${mode.text}' needs ${mode.writable ? 'write' : 'read'} access, which the name does not confer`,
      );
    }
    throw e;
  }
  await sys.delete(handle, DeleteFlags.DROP);
  return copied[0]!;
}

// Checks, without any effect, that a blob may be written: an empty write lease, given back with DISCARD. The
// rights are checked before any wait, and NONBLOCK turns a wait (an exclusive lease elsewhere) into EAGAIN.
async function probeWrite(sys: SystemCalls, handle: number): Promise<void> {
  let lent: Uint8Array;
  try {
    lent = await sys.beginWrite(handle, 0, { offset: 0 }, BeginWriteFlags.NONBLOCK);
  } catch (e) {
    if (isDiosError(e, 'EAGAIN')) return;
    throw e;
  }
  await sys.endWrite(handle, lent, undefined, EndWriteFlags.DISCARD);
}

async function open(sys: SystemCalls, handle: number, mode: OpenMode, owned: boolean): Promise<FILE> {
  const view = sys.ref(handle);
  const access = accessOf(view.type);
  if (access === undefined) throw errors.EINVAL('fopen', 'target', `a ${view.type} has no bytes to read or write`);
  if (access === 'positional' && mode.writable) {
    try {
      await (mode.truncate ? truncate(sys, handle) : probeWrite(sys, handle));
    } catch (e) {
      if (isDiosError(e, 'EACCES'))
        throw errors.EACCES('fopen', 'mode', `mode '${mode.text}' writes, and the reference may not`);
      throw e;
    }
  }
  const s = new FileState(sys, handle, mode, {
    owned,
    access,
    buffering: view.type === ObjectType.CONSOLE ? 'line' : 'full',
  });
  // Like glibc: 'a' starts at the end, 'a+' at the start (reads start there; writes still go to the end).
  if (mode.append && !mode.readable) s.pos = view.size;
  return s.file;
}
