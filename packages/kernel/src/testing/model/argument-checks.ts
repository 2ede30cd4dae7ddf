/**
 * Argument checks as the interface states them, and the small machinery a
 * prediction uses to stop at the first failing check.
 * @module
 */
import type { ErrnoCode } from '../../core/abi/errors.js';
import type { Fail } from './model-types.js';
import { ALL } from './rights-and-limits.js';

const fail = (code: ErrnoCode, wouldBlock = false): Fail => (wouldBlock ? { fail: code, wouldBlock } : { fail: code });

/** Error raised inside a prediction to stop at the first failing check. */
class Stop extends Error {
  constructor(readonly f: Fail) {
    super(`prediction stopped: ${f.fail}`);
  }
}
/** Stops a prediction: the call must fail with `code`. */
export function stop(code: ErrnoCode, wouldBlock = false): never {
  throw new Stop(fail(code, wouldBlock));
}
/** Runs a prediction's checks: its plan, or the failure the first failing check stopped at. */
export function predicting<T>(body: () => T): T | Fail {
  try {
    return body();
  } catch (e) {
    if (e instanceof Stop) return e.f;
    throw e;
  }
}

/** Whether `flags` is an integer made only of the bits in `mask`. */
export function flagsValid(flags: unknown, mask: number): boolean {
  return typeof flags === 'number' && Number.isInteger(flags) && flags >= 0 && flags <= mask && (flags & ~mask) === 0;
}
/** Whether `v` is an integer from `min` to `max`. */
export function intIn(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}
/** Whether `v` is absent or an options object with only these keys. */
export function optionsOk(v: unknown, keys: readonly string[]): boolean {
  if (v === undefined) return true;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  return Object.keys(v).every((k) => keys.includes(k));
}
/** An options argument already checked by {@link optionsOk}, as a record. */
export function opts(v: unknown): Record<string, unknown> {
  return (v ?? {}) as Record<string, unknown>;
}
/** Whether `r` is a rights mask. */
export const rightsValid = (r: unknown): r is number => intIn(r, 0, ALL);
