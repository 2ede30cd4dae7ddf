/**
 * WASI preview1 error numbers (`__wasi_errno_t`), and the one place where a
 * DIOS error becomes one: every import returns one of these to the program,
 * never a JavaScript exception.
 * @module
 */
import { isDiosError, type ErrnoCode } from '@dios/kernel';

/** The WASI errno values this runtime returns (numbers from wasi/api.h). */
export const WasiErrno = {
  /** No error. */
  SUCCESS: 0,
  /** Permission denied. */
  ACCES: 2,
  /** Resource unavailable, try again. */
  AGAIN: 6,
  /** Bad file descriptor. */
  BADF: 8,
  /** Device or resource busy. */
  BUSY: 10,
  /** Operation canceled. */
  CANCELED: 11,
  /** File exists. */
  EXIST: 20,
  /** Bad address: a pointer or length outside the program's memory. */
  FAULT: 21,
  /** File too large. */
  FBIG: 22,
  /** Host is unreachable. */
  HOSTUNREACH: 23,
  /** Illegal byte sequence (a name that is not valid UTF-8, or one a directory cannot list). */
  ILSEQ: 25,
  /** Invalid argument. */
  INVAL: 28,
  /** I/O error. */
  IO: 29,
  /** Is a directory. */
  ISDIR: 31,
  /** Filename too long. */
  NAMETOOLONG: 37,
  /** No such file or directory. */
  NOENT: 44,
  /** Executable file format error. */
  NOEXEC: 45,
  /** Not enough space. */
  NOMEM: 48,
  /** No space left on device. */
  NOSPC: 51,
  /** Function not supported. */
  NOSYS: 52,
  /** Not a directory. */
  NOTDIR: 54,
  /** Directory not empty. */
  NOTEMPTY: 55,
  /** Not supported. */
  NOTSUP: 58,
  /** Value too large. */
  OVERFLOW: 61,
  /** Operation not permitted. */
  PERM: 63,
  /** Broken pipe. */
  PIPE: 64,
  /** Invalid seek. */
  SPIPE: 70,
  /** No such process. */
  SRCH: 71,
  /** Connection timed out. */
  TIMEDOUT: 73,
  /** Connection refused. */
  CONNREFUSED: 14,
  /** Connection reset. */
  CONNRESET: 15,
  /** Address in use. */
  ADDRINUSE: 3,
  /** Address not available. */
  ADDRNOTAVAIL: 4,
} as const;

const FROM_DIOS: Record<ErrnoCode, number> = {
  EPERM: WasiErrno.PERM,
  ENOENT: WasiErrno.NOENT,
  ESRCH: WasiErrno.SRCH,
  EIO: WasiErrno.IO,
  ENOEXEC: WasiErrno.NOEXEC,
  EBADF: WasiErrno.BADF,
  EAGAIN: WasiErrno.AGAIN,
  ENOMEM: WasiErrno.NOMEM,
  EACCES: WasiErrno.ACCES,
  EBUSY: WasiErrno.BUSY,
  EEXIST: WasiErrno.EXIST,
  ENOTDIR: WasiErrno.NOTDIR,
  EINVAL: WasiErrno.INVAL,
  EFBIG: WasiErrno.FBIG,
  ENOSPC: WasiErrno.NOSPC,
  ESPIPE: WasiErrno.SPIPE,
  EPIPE: WasiErrno.PIPE,
  ENOSYS: WasiErrno.NOSYS,
  ENOTSUP: WasiErrno.NOTSUP,
  EADDRINUSE: WasiErrno.ADDRINUSE,
  EADDRNOTAVAIL: WasiErrno.ADDRNOTAVAIL,
  ECONNRESET: WasiErrno.CONNRESET,
  ECONNREFUSED: WasiErrno.CONNREFUSED,
  ETIMEDOUT: WasiErrno.TIMEDOUT,
  EHOSTDOWN: WasiErrno.HOSTUNREACH,
  EHOSTUNREACH: WasiErrno.HOSTUNREACH,
  ECANCELED: WasiErrno.CANCELED,
};

/** A failure of one WASI call, carrying the errno the import returns. */
export class WasiError extends Error {
  /** The WASI errno. */
  readonly errno: number;

  /** `errno` is a {@link WasiErrno} value; `detail` says what was wrong (for debugging only: the program sees the number). */
  constructor(errno: number, detail: string) {
    super(detail);
    this.name = 'WasiError';
    this.errno = errno;
  }
}

/** Throws a {@link WasiError}: `fail(WasiErrno.NOENT, 'no file at /x')`. */
export function fail(errno: number, detail: string): never {
  throw new WasiError(errno, detail);
}

/**
 * The WASI errno of an error thrown while serving a call: a WasiError's own,
 * a DiosError's mapped code, and IO for anything else (a bug here, reported
 * to the program rather than thrown into it).
 */
export function errnoOf(e: unknown): number {
  if (e instanceof WasiError) return e.errno;
  if (isDiosError(e)) return FROM_DIOS[e.code];
  return WasiErrno.IO;
}
