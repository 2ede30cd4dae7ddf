/**
 * Directories over flat DIOS names. A directory is a blob at the directory's
 * path holding a header ({@link DIRECTORY_MAGIC}) and then one line per entry,
 * `f name` or `d name` (file or directory). The root `/` is always a
 * directory; its blob is made the first time an entry is added.
 *
 * What a listing does not see: listings are kept by the WASI calls here
 * (path_open with O_CREAT, unlink, mkdir, rmdir, rename). An object made at a
 * path by other means (libd's fopen, a pure DIOS task) can be opened, stat'ed
 * and removed by path, but does not appear in its directory's listing; and a
 * file created in a directory made by no one is refused (ENOENT), except in `/`.
 * @module
 */
import type { BlockingSystemCalls, SystemCalls } from '@dios/kernel';
import { fail, WasiErrno } from './errno.js';
import { createAtPath, drop, lookupPath, readWhole, writeWhole } from './path-objects.js';

/** The bytes a directory blob starts with (a NUL first: no text file starts so). */
export const DIRECTORY_MAGIC = '\0dios-directory 1\n';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MAGIC_BYTES = encoder.encode(DIRECTORY_MAGIC);

/** What a directory entry is. */
export type EntryKind = 'file' | 'dir';

/** A directory's entries, by name, in the order they were added. */
export type Listing = Map<string, EntryKind>;

/** Whether a blob's first bytes mark it as a directory. */
export function isDirectoryHeader(bytes: Uint8Array): boolean {
  if (bytes.length < MAGIC_BYTES.length) return false;
  for (let i = 0; i < MAGIC_BYTES.length; i++) if (bytes[i] !== MAGIC_BYTES[i]) return false;
  return true;
}

/** The entries of a directory blob's bytes. */
export function parseListing(bytes: Uint8Array): Listing {
  const listing: Listing = new Map();
  const text = decoder.decode(bytes.subarray(MAGIC_BYTES.length));
  for (const line of text.split('\n')) {
    if (line.length < 3) continue;
    listing.set(line.slice(2), line[0] === 'd' ? 'dir' : 'file');
  }
  return listing;
}

/** The bytes of a directory blob holding `listing`. */
export function formatListing(listing: Listing): Uint8Array {
  let text = DIRECTORY_MAGIC;
  for (const [name, kind] of listing) text += `${kind === 'dir' ? 'd' : 'f'} ${name}\n`;
  return encoder.encode(text);
}

/** What is at a path: its handle (owned by the caller) and kind; undefined when nothing is. */
export interface PathEntry {
  /** A reference to the object (undefined for a root that was never written). */
  handle: number | undefined;
  /** File or directory. */
  kind: EntryKind;
}

/** The object at `path` and whether it is a directory (read from its first bytes). */
export function statPath(sys: SystemCalls, calls: BlockingSystemCalls, path: string): PathEntry | undefined {
  const handle = lookupPath(sys, calls, path);
  if (handle === undefined) return path === '/' ? { handle: undefined, kind: 'dir' } : undefined;
  if (path === '/') return { handle, kind: 'dir' };
  if (sys.ref(handle).size < MAGIC_BYTES.length) return { handle, kind: 'file' };
  for (;;) {
    const lent = calls.beginRead(handle, { offset: 0, length: MAGIC_BYTES.length });
    const dir = isDirectoryHeader(lent);
    if (calls.endRead(handle, lent)) return { handle, kind: dir ? 'dir' : 'file' };
  }
}

/** The listing of the directory at `path` (empty for a root never written); ENOTDIR/ENOENT as POSIX says. */
export function readDirectory(sys: SystemCalls, calls: BlockingSystemCalls, path: string): Listing {
  const entry = statPath(sys, calls, path);
  if (entry === undefined) return fail(WasiErrno.NOENT, `no directory ${path}`);
  try {
    if (entry.kind !== 'dir') return fail(WasiErrno.NOTDIR, `${path} is not a directory`);
    return entry.handle === undefined
      ? new Map<string, EntryKind>()
      : parseListing(readWhole(sys, calls, entry.handle));
  } finally {
    if (entry.handle !== undefined) drop(calls, entry.handle);
  }
}

/** Makes a new, empty directory blob at `path` (the caller checked nothing is there). */
export function makeDirectory(calls: BlockingSystemCalls, path: string): void {
  const handle = createAtPath(calls, path);
  try {
    writeWhole(calls, handle, formatListing(new Map()));
  } finally {
    drop(calls, handle);
  }
}

/**
 * Changes the listing of directory `dir`: adds (kind given) or removes
 * (kind undefined) entry `name`. ENOENT when the directory does not exist,
 * ENOTDIR when it is a file.
 */
export function updateDirectory(
  sys: SystemCalls,
  calls: BlockingSystemCalls,
  dir: string,
  name: string,
  kind: EntryKind | undefined,
): void {
  if (name.includes('\n')) fail(WasiErrno.ILSEQ, 'a directory cannot list a name with a newline');
  const entry = statPath(sys, calls, dir);
  if (entry === undefined) return fail(WasiErrno.NOENT, `no directory ${dir}`);
  let handle = entry.handle;
  try {
    if (entry.kind !== 'dir') return fail(WasiErrno.NOTDIR, `${dir} is not a directory`);
    const listing = handle === undefined ? new Map<string, EntryKind>() : parseListing(readWhole(sys, calls, handle));
    if (kind === undefined) {
      if (!listing.delete(name)) return;
    } else {
      if (listing.get(name) === kind) return;
      listing.set(name, kind);
    }
    handle ??= createAtPath(calls, dir);
    writeWhole(calls, handle, formatListing(listing));
  } finally {
    if (handle !== undefined) drop(calls, handle);
  }
}
