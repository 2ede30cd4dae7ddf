/**
 * The descriptor calls that do not move bytes: fd_close, fd_sync,
 * fd_datasync (both commit the file's write-behind buffer: a durable commit
 * on a durable blob), fd_filestat_get, fd_filestat_set_size, fd_fdstat_get,
 * fd_fdstat_set_flags, fd_prestat_get, fd_prestat_dir_name and fd_readdir.
 * @module
 */
import type { WasiContext } from './context.js';
import { readDirectory } from './directories.js';
import { fail, WasiErrno } from './errno.js';
import { KEPT_FD_FLAGS, Rights, type FdEntry } from './fd-table.js';
import { utf8, type GuestMemory } from './guest-memory.js';

/** WASI file types (`__wasi_filetype_t`). */
export const FileType = {
  /** Unknown (a DIOS stream given as input or output). */
  UNKNOWN: 0,
  /** A character device (the console, a terminal to the program). */
  CHARACTER_DEVICE: 2,
  /** A directory. */
  DIRECTORY: 3,
  /** A regular file. */
  REGULAR_FILE: 4,
} as const;

/** An inode number for a path: a 53-bit FNV-1a hash of it (paths are what name DIOS files). */
export function inodeOf(path: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of utf8(path)) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return h & ((1n << 53n) - 1n);
}

/** Writes a `__wasi_filestat_t` (64 bytes) at ptr; times are not kept by DIOS and read 0. */
export function writeFilestat(mem: GuestMemory, ptr: number, type: number, size: number, path: string): void {
  mem.check(ptr, 64);
  mem.bytes(ptr, 64).fill(0);
  mem.setU64(ptr, 0n); // dev
  mem.setU64(ptr + 8, inodeOf(path));
  mem.setU8(ptr + 16, type);
  mem.setU64(ptr + 24, 1n); // nlink
  mem.setU64(ptr + 32, size);
}

function typeOf(entry: FdEntry): number {
  if (entry.kind === 'file') return FileType.REGULAR_FILE;
  if (entry.kind === 'dir') return FileType.DIRECTORY;
  return entry.console ? FileType.CHARACTER_DEVICE : FileType.UNKNOWN;
}

// A directory entry's header: d_next u64, d_ino u64, d_namlen u32, d_type u8 (and 3 bytes of padding).
const DIRENT_BYTES = 24;

/** The fd_* calls about descriptors themselves. */
export function fdStatusCalls(ctx: WasiContext) {
  const mem = ctx.memory;
  const sync = (fd: number): number => {
    const entry = ctx.fds.get(fd);
    if (entry.kind === 'file') entry.file.flush();
    if (entry.kind === 'stream') ctx.output.flush();
    return WasiErrno.SUCCESS;
  };
  return {
    fd_close(fd: number): number {
      const entry = ctx.fds.remove(fd);
      if (entry.kind === 'file') ctx.releaseFile(entry.file);
      if (entry.kind === 'stream') ctx.output.flush();
      return WasiErrno.SUCCESS;
    },
    fd_sync: sync,
    fd_datasync: sync,
    fd_filestat_get(fd: number, ptr: number): number {
      const entry = ctx.fds.get(fd);
      const size = entry.kind === 'file' ? entry.file.size() : 0;
      const path = entry.kind === 'file' ? entry.file.path : entry.kind === 'dir' ? entry.path : `fd:${fd}`;
      writeFilestat(mem, ptr, typeOf(entry), size, path);
      return WasiErrno.SUCCESS;
    },
    fd_filestat_set_size(fd: number, size: bigint): number {
      const entry = ctx.file(fd);
      if ((entry.rightsBase & Rights.FD_WRITE) === 0n) return WasiErrno.BADF;
      if (size > BigInt(Number.MAX_SAFE_INTEGER)) return WasiErrno.INVAL;
      entry.file.truncate(Number(size));
      return WasiErrno.SUCCESS;
    },
    fd_fdstat_get(fd: number, ptr: number): number {
      mem.check(ptr, 24);
      const entry = ctx.fds.get(fd);
      mem.bytes(ptr, 24).fill(0);
      mem.setU8(ptr, typeOf(entry));
      mem.setU16(ptr + 2, entry.flags);
      mem.setU64(ptr + 8, entry.rightsBase);
      mem.setU64(ptr + 16, entry.rightsInheriting);
      return WasiErrno.SUCCESS;
    },
    fd_fdstat_set_flags(fd: number, flags: number): number {
      const entry = ctx.fds.get(fd);
      entry.flags = flags & KEPT_FD_FLAGS;
      return WasiErrno.SUCCESS;
    },
    fd_prestat_get(fd: number, ptr: number): number {
      mem.check(ptr, 8);
      const entry = ctx.fds.get(fd);
      if (entry.kind !== 'dir' || entry.preopen === undefined) return WasiErrno.BADF;
      mem.setU32(ptr, 0); // tag 0: a directory
      mem.setU32(ptr + 4, utf8(entry.preopen).length);
      return WasiErrno.SUCCESS;
    },
    fd_prestat_dir_name(fd: number, ptr: number, length: number): number {
      const entry = ctx.fds.get(fd);
      if (entry.kind !== 'dir' || entry.preopen === undefined) return WasiErrno.BADF;
      const name = utf8(entry.preopen);
      if (length < name.length) return WasiErrno.NAMETOOLONG;
      mem.write(ptr, name);
      return WasiErrno.SUCCESS;
    },
    fd_readdir(fd: number, buf: number, length: number, cookie: bigint, usedPtr: number): number {
      mem.check(buf, length);
      mem.check(usedPtr, 4);
      const dir = ctx.dir(fd);
      const listing = readDirectory(ctx.sys, ctx.calls, dir.path);
      const entries: [string, number][] = [
        ['.', FileType.DIRECTORY],
        ['..', FileType.DIRECTORY],
        ...[...listing].map(([name, kind]): [string, number] => [
          name,
          kind === 'dir' ? FileType.DIRECTORY : FileType.REGULAR_FILE,
        ]),
      ];
      if (cookie > BigInt(entries.length)) fail(WasiErrno.INVAL, 'a cookie past the last entry');
      // Entries are written until the buffer is full; the last may be cut short (then libc asks again with a bigger buffer).
      const out = new Uint8Array(length);
      let used = 0;
      for (let k = Number(cookie); k < entries.length && used < length; k++) {
        const [name, type] = entries[k]!;
        const bytes = utf8(name);
        const header = new Uint8Array(DIRENT_BYTES);
        const hv = new DataView(header.buffer);
        hv.setBigUint64(0, BigInt(k + 1), true);
        hv.setBigUint64(8, inodeOf(`${dir.path}/${name}`), true);
        hv.setUint32(16, bytes.length, true);
        hv.setUint8(20, type);
        for (const part of [header, bytes]) {
          const n = Math.min(part.length, length - used);
          out.set(part.subarray(0, n), used);
          used += n;
        }
      }
      mem.write(buf, out.subarray(0, used));
      mem.setU32(usedPtr, used);
      return WasiErrno.SUCCESS;
    },
  };
}
