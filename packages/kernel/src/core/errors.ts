/**
 * Every error a caller can cause is a {@link DiosError} built here, so codes and
 * messages stay uniform: `EBADF: lookup(ref): reference 7 is not open in task 3`.
 * @module
 */

/** POSIX-like error codes used by the kernel, with their classic numbers. */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EIO: 5,
  ENOEXEC: 8,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  ENOSPC: 28,
  ESPIPE: 29,
  EPIPE: 32,
  ENOSYS: 38,
  ENOTSUP: 95,
  ETIMEDOUT: 110,
  EHOSTDOWN: 112,
  EHOSTUNREACH: 113,
  ECANCELED: 125,
} as const;

/** One of the symbolic codes in {@link Errno}. */
export type ErrnoCode = keyof typeof Errno;

const DESCRIPTIONS: Record<ErrnoCode, string> = {
  EPERM: 'operation not permitted',
  ENOENT: 'no such object',
  ESRCH: 'no such task',
  EIO: 'input/output error',
  ENOEXEC: 'exec format error',
  EBADF: 'bad reference',
  EAGAIN: 'resource temporarily unavailable',
  ENOMEM: 'out of memory',
  EACCES: 'permission denied',
  EBUSY: 'resource busy',
  EEXIST: 'object exists',
  EINVAL: 'invalid argument',
  ENOSPC: 'no space left',
  ESPIPE: 'illegal seek',
  EPIPE: 'broken pipe',
  ENOSYS: 'function not implemented',
  ENOTSUP: 'operation not supported',
  ETIMEDOUT: 'timed out',
  EHOSTDOWN: 'host is down',
  EHOSTUNREACH: 'no route to host',
  ECANCELED: 'operation canceled',
};

/** The error every system call rejects with when the caller did something wrong or the call could not complete. */
export class DiosError extends Error {
  /** Symbolic code, e.g. `EBADF`. */
  readonly code: ErrnoCode;
  /** Numeric code (Linux numbering). */
  readonly errno: number;
  /** The system call (or kernel operation) that failed. */
  readonly syscall: string;
  /** The argument that was wrong, when one was. */
  readonly argument: string | undefined;
  /** What exactly was wrong (the message without code and call). */
  readonly detail: string;

  /** Prefer the helpers in {@link errors}; this is public so callers can rebuild errors received over a transport. */
  constructor(code: ErrnoCode, syscall: string, argument: string | undefined, detail: string) {
    const where = argument === undefined ? syscall : `${syscall}(${argument})`;
    super(`${code}: ${DESCRIPTIONS[code]}, ${where}: ${detail}`);
    this.name = 'DiosError';
    this.code = code;
    this.errno = Errno[code];
    this.syscall = syscall;
    this.argument = argument;
    this.detail = detail;
  }
}

/** True when `e` is a {@link DiosError}, optionally with the given code. */
export function isDiosError(e: unknown, code?: ErrnoCode): e is DiosError {
  return e instanceof DiosError && (code === undefined || e.code === code);
}

/** Builds a {@link DiosError}: `errors.EBADF('read', 'ref', 'reference 3 is not open')`. */
export const errors: { [C in ErrnoCode]: (syscall: string, argument: string | undefined, detail: string) => DiosError } =
  Object.fromEntries(
    (Object.keys(Errno) as ErrnoCode[]).map((code) => [
      code,
      (syscall: string, argument: string | undefined, detail: string) => new DiosError(code, syscall, argument, detail),
    ]),
  ) as { [C in ErrnoCode]: (syscall: string, argument: string | undefined, detail: string) => DiosError };
