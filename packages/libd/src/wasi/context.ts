/**
 * The state one WASI task's imports share: its system calls, its memory, its
 * descriptors, and the files it has open (one {@link OpenFile} per path, so
 * every descriptor of a file sees the same write-behind buffer).
 * @module
 */
import { errors, isDiosError, normalizePath, type BlockingSystemCalls, type SystemCalls } from '@dios/kernel';
import { fail, WasiErrno } from './errno.js';
import { FdTable, type DirFd, type FdEntry, type FileFd, type StreamFd } from './fd-table.js';
import { GuestMemory } from './guest-memory.js';
import { OpenFile } from './open-file.js';
import { drop } from './path-objects.js';
import { StreamOutput } from './stream-output.js';

/** Thrown by proc_exit to unwind the program: the interpreter catches it and exits with `status`. */
export class ProcExit extends Error {
  /** The exit status the program asked for. */
  readonly status: number;

  /** An exit with `status`. */
  constructor(status: number) {
    super(`proc_exit(${status})`);
    this.name = 'ProcExit';
    this.status = status;
  }
}

/** One WASI task's state. */
export class WasiContext {
  /** The task's blocking system calls (every WASI call is carried by them). */
  readonly calls: BlockingSystemCalls;
  /** The program's memory. */
  readonly memory = new GuestMemory();
  /** The descriptors. */
  readonly fds = new FdTable();
  /** Output to streams waiting to be written. */
  readonly output: StreamOutput;
  readonly #files = new Map<string, OpenFile>();
  /** Where failures of the program itself are reported: stderr as the task started (set with the standard descriptors). */
  stderrHandle: number | undefined;

  /** A context for task `sys`, which must have blocking calls (a worker task). */
  constructor(readonly sys: SystemCalls) {
    if (sys.blocking === undefined)
      throw errors.ENOTSUP('wasi', 'sys', 'WASI programs need blocking calls: a worker task');
    this.calls = sys.blocking;
    this.output = new StreamOutput(this.calls);
  }

  /** The entry of `fd` when it is of `kind`, else `otherwise` (EBADF when fd is not open). */
  entry<K extends FdEntry['kind']>(fd: number, kind: K, otherwise: number): Extract<FdEntry, { kind: K }> {
    const entry = this.fds.get(fd);
    if (entry.kind !== kind) return fail(otherwise, `fd ${fd} is a ${entry.kind}, not a ${kind}`);
    return entry as Extract<FdEntry, { kind: K }>;
  }

  /** The file of `fd` (EBADF when it is not a file; ESPIPE for a stream, EISDIR for a directory). */
  file(fd: number): FileFd {
    const entry = this.fds.get(fd);
    if (entry.kind === 'file') return entry;
    return fail(entry.kind === 'dir' ? WasiErrno.ISDIR : WasiErrno.SPIPE, `fd ${fd} is a ${entry.kind}`);
  }

  /** The directory of `fd` (ENOTDIR otherwise). */
  dir(fd: number): DirFd {
    return this.entry(fd, 'dir', WasiErrno.NOTDIR);
  }

  /** The normalized absolute path of `path` taken relative to directory descriptor `fd`. */
  resolve(fd: number, path: string): string {
    const base = this.dir(fd).path;
    if (path.length === 0) fail(WasiErrno.NOENT, 'an empty path');
    try {
      return normalizePath(`${base}/${path}`, 'path', 'path');
    } catch {
      return fail(WasiErrno.NAMETOOLONG, `path ${path} is too long or malformed`);
    }
  }

  /** The open file at `path`, with `handle` as its reference unless it is open already (then `handle` is dropped). */
  openFile(path: string, handle: number): OpenFile {
    let file = this.#files.get(path);
    if (file === undefined) {
      file = new OpenFile(this.sys, this.calls, handle, path);
      this.#files.set(path, file);
    } else {
      drop(this.calls, handle);
    }
    file.users++;
    return file;
  }

  /** The file open at `path`, if any. */
  openAt(path: string): OpenFile | undefined {
    return this.#files.get(path);
  }

  /** A descriptor's file is closed: the last close commits its writes and drops its reference. */
  releaseFile(file: OpenFile): void {
    if (--file.users > 0) return;
    if (this.#files.get(file.path) === file) this.#files.delete(file.path);
    try {
      file.flush();
    } catch (e) {
      this.#dropFile(file);
      throw e;
    }
    this.#dropFile(file);
  }

  #dropFile(file: OpenFile): void {
    try {
      drop(this.calls, file.handle);
    } catch (e) {
      // A file unlinked while open lost its object (and this reference) already.
      if (!isDiosError(e, 'EBADF')) throw e;
    }
  }

  /** Forgets the open file at `path` (it was removed or renamed away): its descriptors keep a reference that no longer names it. */
  forgetFile(path: string): void {
    this.#files.delete(path);
  }

  /** Writes waiting stream output and commits every open file's buffered writes (at exit). */
  flushAll(): void {
    this.output.flush();
    for (const file of this.#files.values()) file.flush();
  }

  /** Adds a stream descriptor for `handle`. */
  addStream(handle: number, console: boolean, rights: bigint): number {
    const entry: StreamFd = {
      kind: 'stream',
      handle,
      console,
      pieceLimit: 1 << 16,
      rightsBase: rights,
      rightsInheriting: 0n,
      flags: 0,
    };
    return this.fds.add(entry);
  }
}
