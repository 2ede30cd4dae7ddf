/**
 * The path_* calls: path_open, path_filestat_get, path_unlink_file,
 * path_create_directory, path_remove_directory and path_rename, over the
 * objects at paths (path-objects.ts) and the directory listings
 * (directories.ts). Errors are POSIX's: ENOENT, EEXIST, ENOTDIR, EISDIR,
 * ENOTEMPTY.
 *
 * Rename copies: a DIOS name is derived from the path, so the object at the
 * new path is a new one holding the old one's bytes, and the old one is
 * destroyed. A descriptor of the old file open in this task loses it (its
 * later calls fail with EBADF); a directory is renamed with everything it
 * lists.
 * @module
 */
import type { WasiContext } from './context.js';
import {
  makeDirectory,
  readDirectory,
  statPath,
  updateDirectory,
  type EntryKind,
  type PathEntry,
} from './directories.js';
import { fail, WasiErrno } from './errno.js';
import { KEPT_FD_FLAGS, Rights } from './fd-table.js';
import { FileType, writeFilestat } from './fd-status.js';
import { baseOf, createAtPath, destroy, drop, parentOf, readWhole, writeWhole } from './path-objects.js';

/** WASI open flags (`__wasi_oflags_t`). */
const OFlags = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;

/** The fd_* calls that name objects by path. */
export function pathCalls(ctx: WasiContext) {
  const { sys, calls, memory: mem } = ctx;
  const stat = (path: string): PathEntry | undefined => statPath(sys, calls, path);
  const release = (entry: PathEntry | undefined): void => {
    if (entry?.handle !== undefined) drop(calls, entry.handle);
  };
  // The path argument, resolved against directory descriptor fd; whether it ended in a slash (then it must be a directory).
  const pathArg = (fd: number, ptr: number, length: number): { path: string; slash: boolean } => {
    const text = mem.string(ptr, length);
    return { path: ctx.resolve(fd, text), slash: text.endsWith('/') };
  };
  const requireParent = (path: string): void => {
    // The root is always a directory.
    if (parentOf(path) === '/') return;
    const parent = stat(parentOf(path));
    release(parent);
    if (parent === undefined) fail(WasiErrno.NOENT, `no directory ${parentOf(path)}`);
    if (parent.kind !== 'dir') fail(WasiErrno.NOTDIR, `${parentOf(path)} is not a directory`);
  };

  // Moves the object at `from` (of `kind`) to `to` (where nothing is), and for a directory everything it lists.
  const move = (from: string, to: string, kind: EntryKind, handle: number): void => {
    ctx.openAt(from)?.flush();
    const bytes = readWhole(sys, calls, handle);
    const target = createAtPath(calls, to);
    try {
      writeWhole(calls, target, bytes);
    } finally {
      drop(calls, target);
    }
    if (kind === 'dir') {
      for (const [name, childKind] of readDirectory(sys, calls, from)) {
        const child = stat(`${from}/${name}`);
        if (child?.handle !== undefined) move(`${from}/${name}`, `${to}/${name}`, childKind, child.handle);
      }
    }
    ctx.forgetFile(from);
    destroy(sys, calls, handle, from);
  };

  return {
    path_open(
      fd: number,
      _lookupFlags: number,
      pathPtr: number,
      pathLength: number,
      oflags: number,
      rightsBase: bigint,
      rightsInheriting: bigint,
      fdflags: number,
      fdPtr: number,
    ): number {
      mem.check(fdPtr, 4);
      const { path, slash } = pathArg(fd, pathPtr, pathLength);
      const wantsDir = (oflags & OFlags.DIRECTORY) !== 0 || slash;
      const writes = (rightsBase & Rights.FD_WRITE) !== 0n;
      const existing = stat(path);
      let handle: number;
      if (existing !== undefined) {
        if (oflags & OFlags.CREAT && oflags & OFlags.EXCL) {
          release(existing);
          return WasiErrno.EXIST;
        }
        if (existing.kind === 'dir') {
          release(existing);
          if (writes || oflags & OFlags.TRUNC) return WasiErrno.ISDIR;
          const newFd = ctx.fds.add({ kind: 'dir', path, rightsBase, rightsInheriting, flags: fdflags });
          mem.setU32(fdPtr, newFd);
          return WasiErrno.SUCCESS;
        }
        if (wantsDir) {
          release(existing);
          return WasiErrno.NOTDIR;
        }
        handle = existing.handle!;
      } else {
        if (!(oflags & OFlags.CREAT)) return WasiErrno.NOENT;
        if (wantsDir) return WasiErrno.INVAL;
        requireParent(path);
        try {
          handle = createAtPath(calls, path);
        } catch (e) {
          // Made in between (by another task): open that one.
          const again = stat(path);
          if (again?.handle === undefined) throw e;
          handle = again.handle;
        }
        updateDirectory(sys, calls, parentOf(path), baseOf(path), 'file');
      }
      const file = ctx.openFile(path, handle);
      try {
        if (oflags & OFlags.TRUNC && writes) file.truncate(0);
      } catch (e) {
        ctx.releaseFile(file);
        throw e;
      }
      const newFd = ctx.fds.add({
        kind: 'file',
        file,
        position: 0,
        rightsBase,
        rightsInheriting,
        flags: fdflags & KEPT_FD_FLAGS,
      });
      mem.setU32(fdPtr, newFd);
      return WasiErrno.SUCCESS;
    },
    path_filestat_get(fd: number, _flags: number, pathPtr: number, pathLength: number, ptr: number): number {
      mem.check(ptr, 64);
      const { path, slash } = pathArg(fd, pathPtr, pathLength);
      const entry = stat(path);
      if (entry === undefined) return WasiErrno.NOENT;
      try {
        if (entry.kind === 'file' && slash) return WasiErrno.NOTDIR;
        const open = ctx.openAt(path);
        const size = open !== undefined ? open.size() : entry.handle === undefined ? 0 : sys.ref(entry.handle).size;
        writeFilestat(mem, ptr, entry.kind === 'dir' ? FileType.DIRECTORY : FileType.REGULAR_FILE, size, path);
        return WasiErrno.SUCCESS;
      } finally {
        release(entry);
      }
    },
    path_unlink_file(fd: number, pathPtr: number, pathLength: number): number {
      const { path, slash } = pathArg(fd, pathPtr, pathLength);
      const entry = stat(path);
      if (entry === undefined) return WasiErrno.NOENT;
      if (entry.kind === 'dir' || slash) {
        release(entry);
        return entry.kind === 'dir' ? WasiErrno.ISDIR : WasiErrno.NOTDIR;
      }
      // Writes still buffered for it go nowhere: the file is gone.
      ctx.openAt(path)?.discard();
      ctx.forgetFile(path);
      destroy(sys, calls, entry.handle!, path);
      updateDirectory(sys, calls, parentOf(path), baseOf(path), undefined);
      return WasiErrno.SUCCESS;
    },
    path_create_directory(fd: number, pathPtr: number, pathLength: number): number {
      const { path } = pathArg(fd, pathPtr, pathLength);
      const entry = stat(path);
      if (entry !== undefined) {
        release(entry);
        return WasiErrno.EXIST;
      }
      requireParent(path);
      makeDirectory(calls, path);
      updateDirectory(sys, calls, parentOf(path), baseOf(path), 'dir');
      return WasiErrno.SUCCESS;
    },
    path_remove_directory(fd: number, pathPtr: number, pathLength: number): number {
      const { path } = pathArg(fd, pathPtr, pathLength);
      if (path === '/') return WasiErrno.BUSY;
      const entry = stat(path);
      if (entry === undefined) return WasiErrno.NOENT;
      if (entry.kind !== 'dir') {
        release(entry);
        return WasiErrno.NOTDIR;
      }
      if (readDirectory(sys, calls, path).size > 0) {
        release(entry);
        return WasiErrno.NOTEMPTY;
      }
      destroy(sys, calls, entry.handle!, path);
      updateDirectory(sys, calls, parentOf(path), baseOf(path), undefined);
      return WasiErrno.SUCCESS;
    },
    path_rename(
      fd: number,
      oldPtr: number,
      oldLength: number,
      newFd: number,
      newPtr: number,
      newLength: number,
    ): number {
      const from = pathArg(fd, oldPtr, oldLength).path;
      const to = pathArg(newFd, newPtr, newLength).path;
      if (from === '/' || to === '/') return WasiErrno.BUSY;
      const source = stat(from);
      if (source === undefined) return WasiErrno.NOENT;
      if (from === to) {
        release(source);
        return WasiErrno.SUCCESS;
      }
      const target = stat(to);
      const refusal = (): number => {
        if (source.kind === 'dir' && to.startsWith(`${from}/`)) return WasiErrno.INVAL;
        if (target === undefined) {
          requireParent(to);
          return WasiErrno.SUCCESS;
        }
        if (source.kind === 'file' && target.kind === 'dir') return WasiErrno.ISDIR;
        if (source.kind === 'dir' && target.kind === 'file') return WasiErrno.NOTDIR;
        if (target.kind === 'dir' && readDirectory(sys, calls, to).size > 0) return WasiErrno.NOTEMPTY;
        return WasiErrno.SUCCESS;
      };
      let refused: number;
      try {
        refused = refusal();
      } catch (e) {
        release(source);
        release(target);
        throw e;
      }
      if (refused !== WasiErrno.SUCCESS) {
        release(source);
        release(target);
        return refused;
      }
      if (target !== undefined) {
        ctx.openAt(to)?.discard();
        ctx.forgetFile(to);
        destroy(sys, calls, target.handle!, to);
      } else if (source.handle === undefined) {
        return WasiErrno.BUSY;
      }
      move(from, to, source.kind, source.handle!);
      updateDirectory(sys, calls, parentOf(from), baseOf(from), undefined);
      updateDirectory(sys, calls, parentOf(to), baseOf(to), source.kind);
      return WasiErrno.SUCCESS;
    },
  };
}
