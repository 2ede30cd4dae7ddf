/**
 * The WASI task's file descriptors: what each number is (a regular file, a
 * directory, or a stream: the console or a stream the task was given), with
 * the rights and flags it was opened with. New descriptors take the lowest
 * free number, as POSIX's do.
 * @module
 */
import { fail, WasiErrno } from './errno.js';
import type { OpenFile } from './open-file.js';

/** WASI rights bits this runtime looks at (`__wasi_rights_t`). */
export const Rights = {
  /** fd_read, fd_pread. */
  FD_READ: 1n << 1n,
  /** fd_seek. */
  FD_SEEK: 1n << 2n,
  /** fd_tell. */
  FD_TELL: 1n << 5n,
  /** fd_write, fd_pwrite. */
  FD_WRITE: 1n << 6n,
  /** Every right there is (29 bits). */
  ALL: (1n << 29n) - 1n,
} as const;

/** WASI fd flags (`__wasi_fdflags_t`). */
export const FdFlags = {
  /** Writes go to the end of the file. */
  APPEND: 1,
  /** Each write is committed before it returns (O_DSYNC). */
  DSYNC: 2,
  /** Reads and writes do not wait. */
  NONBLOCK: 4,
  /** Each write is committed before it returns (O_SYNC). */
  SYNC: 16,
} as const;

/** The flags a descriptor keeps (the rest, RSYNC, changes nothing here). */
export const KEPT_FD_FLAGS = FdFlags.APPEND | FdFlags.DSYNC | FdFlags.NONBLOCK | FdFlags.SYNC;

/** What every descriptor has. */
interface FdBase {
  /** Rights of the descriptor. */
  rightsBase: bigint;
  /** Rights descriptors opened through it may have. */
  rightsInheriting: bigint;
  /** {@link FdFlags} bits. */
  flags: number;
}

/** A regular file: a shared {@link OpenFile} and this descriptor's own position. */
export interface FileFd extends FdBase {
  /** Discriminant. */
  kind: 'file';
  /** The file (shared with other descriptors of the same path). */
  file: OpenFile;
  /** Where the next fd_read/fd_write goes. */
  position: number;
}

/** A directory, by path; a preopen has the name the program sees. */
export interface DirFd extends FdBase {
  /** Discriminant. */
  kind: 'dir';
  /** The directory's normalized path. */
  path: string;
  /** For preopened directories: the name fd_prestat_dir_name reports. */
  preopen?: string;
}

/** A sequential object: the console, or a stream given as an input or output. */
export interface StreamFd extends FdBase {
  /** Discriminant. */
  kind: 'stream';
  /** The reference (owned by the task, not the descriptor: closing the fd does not drop it). */
  handle: number;
  /** Whether the object is the console (a character device to the program). */
  console: boolean;
  /** Largest piece a write sends (halved when a stream refuses a longer one). */
  pieceLimit: number;
}

/** One descriptor. */
export type FdEntry = FileFd | DirFd | StreamFd;

/** The descriptor table. */
export class FdTable {
  readonly #entries = new Map<number, FdEntry>();

  /** The entry of `fd`; EBADF when it is not open. */
  get(fd: number): FdEntry {
    const entry = this.#entries.get(fd);
    if (entry === undefined) return fail(WasiErrno.BADF, `fd ${fd} is not open`);
    return entry;
  }

  /** Puts `entry` at the lowest free number (at or above `from`) and returns that number. */
  add(entry: FdEntry, from = 0): number {
    let fd = from;
    while (this.#entries.has(fd)) fd++;
    this.#entries.set(fd, entry);
    return fd;
  }

  /** Removes `fd` and returns what it was; EBADF when it is not open. */
  remove(fd: number): FdEntry {
    const entry = this.get(fd);
    this.#entries.delete(fd);
    return entry;
  }

  /** Every open descriptor's entry. */
  values(): IterableIterator<FdEntry> {
    return this.#entries.values();
  }
}
