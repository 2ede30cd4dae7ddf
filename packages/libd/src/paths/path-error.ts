/**
 * Errors that name the path the program gave, not the object name the
 * kernel saw: the kernel only ever sees a path's 256-bit name, so its
 * errors about it ("no object named 4839...") would show the user a hash.
 * @module
 */
import { errors, isDiosError, type ErrnoCode } from '@dios/kernel';

// The kernel's details for these name the object by its hash: said here in terms of the path (`where`). Other codes
// keep the kernel's detail (an EACCES says which rights the group lacks).
const PATH_DETAILS: Partial<Record<ErrnoCode, (where: string) => string>> = {
  ENOENT: (where) => `nothing at ${where} in the task's first group`,
  EEXIST: (where) => `something is already at ${where}`,
};

/**
 * `e` (an error of a system call on the object at `path`) as `call`'s error
 * naming `path` as its argument, with the kernel's error as its `cause`; the
 * code stays. Errors that are not a DiosError are returned as they are.
 * `normalized` is the path as the kernel's path rule made it, named in the
 * detail when the program wrote it differently (`a.txt` is `/a.txt`).
 */
export function pathError(e: unknown, call: string, path: string, normalized: string): unknown {
  if (!isDiosError(e)) return e;
  const where = normalized === path ? 'this path' : normalized;
  const error = errors[e.code](call, path, PATH_DETAILS[e.code]?.(where) ?? e.detail);
  error.cause = e;
  return error;
}
