/**
 * Every error a caller can cause is a {@link DiosError} built here, so codes and
 * messages stay uniform: `EBADF: lookup(ref): reference 7 is not open in task 3`.
 * @module
 */

/** POSIX-like error codes used by the kernel, with their classic numbers. */
export const Errno = {
  /** Not allowed whatever the rights: raising rights in copy, handing private memory to another task, a flow the labels forbid (docs/ifc.md). */
  EPERM: 1,
  /** No object of that name where the task can resolve it; no such program for run. */
  ENOENT: 2,
  /** The task a reference names has exited. */
  ESRCH: 3,
  /** A peer kernel failed while serving a request (an unexpected error there, not a DiosError). */
  EIO: 5,
  /** A binary for run is not a blob, or its bytes do not name a program. */
  ENOEXEC: 8,
  /** The handle is not an open reference of the calling task (never issued, deleted or revoked). */
  EBADF: 9,
  /** The call would wait and NONBLOCK was given. */
  EAGAIN: 11,
  /** Out of memory (reserved; not raised yet). */
  ENOMEM: 12,
  /** The reference lacks a right the call needs. */
  EACCES: 13,
  /** The resource is already in use (e.g. a transport that already has a request handler). */
  EBUSY: 16,
  /** An object with that name already exists. */
  EEXIST: 17,
  /** A path that should name a directory names something else (a host directory the apps read). */
  ENOTDIR: 20,
  /** An argument, option or flag is malformed or does not apply. */
  EINVAL: 22,
  /** A file is larger than an object can hold (a host file bigger than the largest blob). */
  EFBIG: 27,
  /** No space left (reserved; not raised yet). */
  ENOSPC: 28,
  /** An offset was given for a stream, which has none. */
  ESPIPE: 29,
  /** A stream write after end-of-stream, or with nobody left to read. */
  EPIPE: 32,
  /** Not implemented (reserved; not raised yet). */
  ENOSYS: 38,
  /** Not supported: a placement, flag or object type this kernel (or its host) cannot provide. */
  ENOTSUP: 95,
  /** A network address is in use (a listener on a port another socket holds). */
  EADDRINUSE: 98,
  /** A network address cannot be used here (no such local interface). */
  EADDRNOTAVAIL: 99,
  /** The peer reset the network connection. */
  ECONNRESET: 104,
  /** Nothing listens at the address connected to. */
  ECONNREFUSED: 111,
  /** A wait with a timeout ran out. */
  ETIMEDOUT: 110,
  /** A peer kernel is gone or did not answer in time. */
  EHOSTDOWN: 112,
  /** A peer kernel is unknown, or this kernel has no transport. */
  EHOSTUNREACH: 113,
  /** The calling task exited before or during the call. */
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
  ENOTDIR: 'not a directory',
  EINVAL: 'invalid argument',
  EFBIG: 'file too large',
  ENOSPC: 'no space left',
  ESPIPE: 'illegal seek',
  EPIPE: 'broken pipe',
  ENOSYS: 'function not implemented',
  ENOTSUP: 'operation not supported',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available',
  ECONNRESET: 'connection reset by peer',
  ECONNREFUSED: 'connection refused',
  ETIMEDOUT: 'timed out',
  EHOSTDOWN: 'host is down',
  EHOSTUNREACH: 'no route to host',
  ECANCELED: 'operation canceled',
};

// The detail without the code it repeats: a leading `CODE: description,` (or `CODE:`, `CODE `, also after a call's
// name as Node's net errors put it: `listen EADDRINUSE: ...`) and a trailing `(CODE)` or `: CODE`.
function withoutCode(code: ErrnoCode, detail: string): string {
  const lead = new RegExp(`^(?:[a-z]\\w* ${code}:|${code}(?:: ${DESCRIPTIONS[code]},|:|\\b))\\s*`);
  const tail = new RegExp(`(?:\\s*\\(${code}\\)|:\\s*${code})$`);
  // Until nothing changes, so that an error rebuilt from its parts (over a transport) gets the same message.
  let stripped = String(detail);
  for (let before = ''; before !== stripped;) {
    before = stripped;
    stripped = stripped.replace(lead, '').replace(tail, '');
  }
  // A detail that was nothing but the code says no more than the description.
  return stripped === '' ? DESCRIPTIONS[code] : stripped;
}

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

  /**
   * Prefer the helpers in {@link errors}; this is public so callers can
   * rebuild errors received over a transport. A detail that already starts
   * or ends with the code (another error's message passed on, such as
   * `ENOENT: no such object, ...` or `... (ENOENT)`) has it taken off, so
   * that the message names its code once.
   */
  constructor(code: ErrnoCode, syscall: string, argument: string | undefined, detail: string) {
    const where = argument === undefined ? syscall : `${syscall}(${argument})`;
    const own = withoutCode(code, detail);
    super(`${code}: ${DESCRIPTIONS[code]}, ${where}: ${own}`);
    this.name = 'DiosError';
    this.code = code;
    this.errno = Errno[code];
    this.syscall = syscall;
    this.argument = argument;
    this.detail = own;
  }
}

/**
 * True when `e` is a {@link DiosError}, optionally with the given code: an
 * instance of this class, or of another copy of it (a program in a worker
 * thread may load @dios/kernel again, and the errors its system calls throw
 * are then of the kernel's copy), known by its name and a known code.
 */
export function isDiosError(e: unknown, code?: ErrnoCode): e is DiosError {
  if (!(e instanceof DiosError)) {
    if (!(e instanceof Error) || e.name !== 'DiosError') return false;
    const c: unknown = (e as { code?: unknown }).code;
    if (typeof c !== 'string' || !Object.hasOwn(Errno, c)) return false;
  }
  return code === undefined || (e as DiosError).code === code;
}

/** Builds a {@link DiosError}: `errors.EBADF('read', 'ref', 'reference 3 is not open')`. */
export const errors: {
  [C in ErrnoCode]: (syscall: string, argument: string | undefined, detail: string) => DiosError;
} = Object.fromEntries(
  (Object.keys(Errno) as ErrnoCode[]).map((code) => [
    code,
    (syscall: string, argument: string | undefined, detail: string) => new DiosError(code, syscall, argument, detail),
  ]),
) as { [C in ErrnoCode]: (syscall: string, argument: string | undefined, detail: string) => DiosError };
