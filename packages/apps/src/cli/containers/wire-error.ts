/**
 * Errors between the container daemon and its clients: a DiosError travels
 * as JSON `{code, syscall, argument, message}` with an HTTP status chosen
 * from its code, and is rebuilt as a DiosError on the other side.
 * @module
 */
import { DiosError, Errno, errors, isDiosError, type ErrnoCode } from '@dios/kernel';

/** An error's JSON body, as the daemon sends it. */
export interface WireError {
  /** POSIX-like code (`ENOENT`). */
  readonly code: string;
  /** The call that failed (`container.start`). */
  readonly syscall: string;
  /** The argument that was wrong, if one was. */
  readonly argument?: string;
  /** What exactly was wrong (DiosError.detail). */
  readonly message: string;
}

/** The HTTP status for a DiosError code: Docker's, where it has one. */
export function httpStatusOf(code: ErrnoCode): number {
  if (code === 'EINVAL') return 400;
  if (code === 'ENOENT') return 404;
  if (code === 'EEXIST' || code === 'EBUSY') return 409;
  return 500;
}

/** The status and body for `e`: a DiosError as itself; anything else as EIO (its message kept). */
export function wireErrorOf(e: unknown, syscall: string): { status: number; body: WireError } {
  const err = isDiosError(e) ? e : errors.EIO(syscall, undefined, e instanceof Error ? e.message : String(e));
  const body: WireError = {
    code: err.code,
    syscall: err.syscall,
    ...(err.argument === undefined ? {} : { argument: err.argument }),
    message: err.detail,
  };
  return { status: httpStatusOf(err.code), body };
}

/** Rebuilds the DiosError a daemon sent (EIO naming `syscall` when the body is not one). */
export function diosErrorFrom(body: unknown, status: number, syscall: string): DiosError {
  const b = body as Partial<WireError> | null;
  if (
    b !== null &&
    typeof b === 'object' &&
    typeof b.code === 'string' &&
    Object.hasOwn(Errno, b.code) &&
    typeof b.syscall === 'string' &&
    typeof b.message === 'string'
  )
    return new DiosError(
      b.code as ErrnoCode,
      b.syscall,
      typeof b.argument === 'string' ? b.argument : undefined,
      b.message,
    );
  return errors.EIO(syscall, undefined, `the daemon answered ${status} without an error it could name`);
}
