/**
 * The value readers the system calls' argument readers are made of: each
 * reads one value once and keeps it as plain data, or throws the error the
 * call's own check gives a value JSON could not carry (see arguments.ts).
 * @module
 */
import { errors } from '../abi/errors.js';
import { describe } from '../abi/names.js';
import { MAX_REFS_PER_CALL } from './validate.js';

/** Whether the snapshot holds `v` as it is: a primitive JSON carries, or undefined, NaN, ±Infinity (carried beside it). */
export function isPrimitive(v: unknown): boolean {
  const t = typeof v;
  return v === null || t === 'string' || t === 'number' || t === 'boolean' || t === 'undefined';
}

/** -0 read as 0: JSON cannot carry it, and every call treats it as 0. */
export function zero(v: unknown): unknown {
  return v === 0 ? 0 : v;
}

/** A value where a number, string or boolean goes: kept for the call's check, or `fail` (the check's own error). */
export function scalar(v: unknown, fail: () => never): unknown {
  return isPrimitive(v) ? zero(v) : fail();
}

/** A value where a handle goes (tested inline rather than through scalar: no closure per call on a hot path). */
export function handle(s: string, argument: string, v: unknown): unknown {
  if (isPrimitive(v)) return zero(v);
  throw errors.EBADF(s, argument, `not a reference handle: ${describe(v)}`);
}

/** A value where an integer in [min, max] goes. */
export function int(s: string, argument: string, v: unknown, min: number, max: number): unknown {
  if (isPrimitive(v)) return zero(v);
  throw errors.EINVAL(s, argument, `expected an integer in [${min}, ${max}], got ${describe(v)}`);
}

/** A value where a rights mask goes. */
export function rights(s: string, argument: string, v: unknown): unknown {
  if (isPrimitive(v)) return zero(v);
  throw errors.EINVAL(s, argument, `not a rights mask: ${describe(v)}`);
}

/** Whether `v` is a plain object (prototype Object.prototype or null). */
export function isPlain(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Sets an own data property, so that a key named __proto__ is an entry like any other. */
export function put(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** The length of an array, read once; a Proxy may report anything, so only a real one within `max` is used. */
export function lengthOf(s: string, argument: string, v: unknown[], max: number): number {
  const length: unknown = v.length;
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0 || length > max) {
    throw errors.EINVAL(s, argument, `at most ${max} entries, got ${describe(length)}`);
  }
  return length;
}

/**
 * An options object. `field` reads the value of a known key (`known` undefined: every key is known);
 * an unknown key is kept with value null (the call rejects it by name, in its order, never reading the value),
 * or rejected here when `keysFirst` (the call checks keys before consulting any state). A primitive is kept
 * for the call to reject; an array is kept as an array of as many nulls (all the call says of it is its length).
 */
export function options(
  s: string,
  argument: string,
  v: unknown,
  known: readonly string[] | undefined,
  keysFirst: boolean,
  field: (key: string, value: unknown) => unknown,
): unknown {
  if (isPrimitive(v)) return zero(v);
  if (Array.isArray(v)) return new Array<null>(lengthOf(s, argument, v, MAX_REFS_PER_CALL)).fill(null);
  if (typeof v !== 'object' || v === null || !isPlain(v))
    throw errors.EINVAL(s, argument, `expected an options object, got ${describe(v)}`);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) {
    if (known !== undefined && !known.includes(key)) {
      if (keysFirst)
        throw errors.EINVAL(s, `${argument}.${key}`, `unknown option (known: ${known.join(', ') || 'none'})`);
      put(out, key, null);
      continue;
    }
    const value = field(key, (v as Record<string, unknown>)[key]);
    // A known option set to undefined is no option (every call reads it so); env keeps its undefined values.
    if (value !== undefined || known === undefined) put(out, key, value);
  }
  return out;
}

/** A list: a primitive is kept for the call to reject; an array is read item by item (holes read as undefined). */
export function list(
  s: string,
  argument: string,
  v: unknown,
  max: number,
  item: (i: number, value: unknown) => unknown,
): unknown {
  if (isPrimitive(v)) return zero(v);
  if (!Array.isArray(v)) throw errors.EINVAL(s, argument, `expected an array, got ${describe(v)}`);
  const length = lengthOf(s, argument, v, max);
  const out: unknown[] = [];
  for (let i = 0; i < length; i++) out.push(item(i, (v as unknown[])[i]));
  return out;
}

/** A list of handles. */
export function handles(s: string, argument: string, v: unknown, max: number): unknown {
  return list(s, argument, v, max, (i, h) => handle(s, `${argument}[${i}]`, h));
}
