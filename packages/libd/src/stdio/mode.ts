/**
 * Parsing C `fopen` mode strings (`r`, `w`, `a`, each optionally with `+`;
 * a `b` anywhere is accepted and ignored, as on POSIX).
 * @module
 */
import { errors } from '@dios/kernel';

/** What a mode string asks for. */
export interface OpenMode {
  /** The mode as given (kept for messages and {@link FILE.mode}). */
  readonly text: string;
  /** Reading is allowed (`r`, or any mode with `+`). */
  readonly readable: boolean;
  /** Writing is allowed (`w`, `a`, or any mode with `+`). */
  readonly writable: boolean;
  /** Every write goes to the current end (`a`, `a+`). */
  readonly append: boolean;
  /** The object is emptied when opened (`w`, `w+`). */
  readonly truncate: boolean;
}

/**
 * Parses a C mode string. Accepts `r`, `w`, `a`, `r+`, `w+`, `a+` with a
 * `b` in any position after the first letter (`rb`, `r+b`, `rb+`);
 * anything else is `EINVAL` naming `mode`.
 */
export function parseMode(mode: unknown, syscall = 'fopen'): OpenMode {
  if (typeof mode !== 'string')
    throw errors.EINVAL(syscall, 'mode', `a mode is a string such as 'r' or 'w+', got ${typeof mode}`);
  const base = mode[0];
  const rest = mode.slice(1);
  const plus = rest.includes('+');
  const valid =
    (base === 'r' || base === 'w' || base === 'a') &&
    rest.length <= 2 &&
    /^[+b]*$/.test(rest) &&
    rest.split('+').length <= 2 &&
    rest.split('b').length <= 2;
  if (!valid)
    throw errors.EINVAL(syscall, 'mode', `not a mode: '${mode}' (expected r, w, a, r+, w+ or a+, optionally with b)`);
  return {
    text: mode,
    readable: base === 'r' || plus,
    writable: base !== 'r' || plus,
    append: base === 'a',
    truncate: base === 'w',
  };
}
