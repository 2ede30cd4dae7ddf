/**
 * How the container commands end (a usage error, a UsageError, is left to
 * the caller, which reports every command's alike): a DiosError (from the daemon or reaching it) or a Node system
 * error (a data directory that cannot be made) one line and status 1;
 * anything else is a bug and is thrown.
 * @module
 */
import { isDiosError } from '@dios/kernel';

/** Runs `body`, turning its failures into the exit statuses above; `command` prefixes messages (`dios container`). */
export async function runCommand(command: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (isDiosError(e) || isSystemError(e)) {
      process.stderr.write(`${command}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/** A Node system error (`EACCES: permission denied, mkdir '/x'`): the host refused, as for a data directory that cannot be made. */
function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && 'syscall' in e;
}

/** Runs `f` on each target, Docker's way: a failure is reported and the others still run; 1 if any failed. */
export async function eachTarget(
  command: string,
  targets: readonly string[],
  f: (target: string) => Promise<void>,
): Promise<number> {
  let status = 0;
  for (const target of targets) {
    try {
      await f(target);
    } catch (e) {
      if (!isDiosError(e)) throw e;
      process.stderr.write(`${command}: ${target}: ${e.message}\n`);
      status = 1;
    }
  }
  return status;
}
