/**
 * Argument checks shared by the system calls. Each throws a DiosError naming
 * the argument, before the call has changed anything.
 * @module
 */
import { errors } from '../abi/errors.js';
import { checkFlags, formatRights } from '../abi/flags.js';
import { describe } from '../abi/names.js';
import type { Reference } from '../objects/reference.js';

/**
 * {@link checkFlags} with a fast path for 0 (no flags), which every call
 * accepts: the common case skips building the mask of allowed bits.
 */
export function checkCallFlags(syscall: string, flags: unknown, allowed: Record<string, number>): number {
  return flags === 0 ? 0 : checkFlags(syscall, flags, allowed);
}

// Shared by every call made without options, so such calls allocate nothing for them.
const NO_OPTIONS = Object.freeze({});

/** Rejects anything but a plain object (or undefined) with only the given keys. */
export function checkOptions<T extends object>(
  syscall: string,
  argument: string,
  value: unknown,
  keys: readonly string[],
): T {
  if (value === undefined) return NO_OPTIONS as T;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw errors.EINVAL(syscall, argument, `expected an options object, got ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!keys.includes(key))
      throw errors.EINVAL(syscall, `${argument}.${key}`, `unknown option (known: ${keys.join(', ') || 'none'})`);
  }
  return value as T;
}

/** Rejects a value that is not an integer in [min, max]. */
export function checkInt(syscall: string, argument: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw errors.EINVAL(syscall, argument, `expected an integer in [${min}, ${max}], got ${describe(value)}`);
  }
  return value;
}

/** Rejects a value that is not an array of at most `max` items. */
export function checkArray(syscall: string, argument: string, value: unknown, max: number): readonly unknown[] {
  if (!Array.isArray(value)) throw errors.EINVAL(syscall, argument, `expected an array, got ${describe(value)}`);
  if (value.length > max) throw errors.EINVAL(syscall, argument, `at most ${max} entries, got ${value.length}`);
  return value;
}

/** EACCES unless `ref` carries every right in `needed`. */
export function requireRights(syscall: string, argument: string, ref: Reference, needed: number): void {
  if ((ref.rights & needed) !== needed) {
    throw errors.EACCES(
      syscall,
      argument,
      `reference ${ref.id} has rights ${formatRights(ref.rights)}, needs ${formatRights(needed)}`,
    );
  }
}

/** Largest number of references one call accepts. */
export const MAX_REFS_PER_CALL = 4096;
