/**
 * How a snapshot of a call's arguments crosses the worker channel exactly:
 * JSON, with `undefined`, NaN and ±Infinity named beside it as patches. The
 * kernel side decodes text a task wrote, so a patch that names no null is
 * EINVAL.
 * @module
 */
import { errors } from '../abi/errors.js';
import { put } from './argument-values.js';
/** How a value JSON cannot carry is named beside the JSON: `[path..., what]`. */
type Patch = (string | number)[];
const ODD: Record<string, unknown> = { u: undefined, n: NaN, i: Infinity, j: -Infinity };

function oddCode(v: unknown): string | undefined {
  if (v === undefined) return 'u';
  if (typeof v !== 'number' || Number.isFinite(v)) return undefined;
  return v !== v ? 'n' : v > 0 ? 'i' : 'j';
}

/**
 * The request text for the channel: `[call, patches, ...arguments]` as JSON,
 * the arguments being readers' snapshots in which undefined, NaN and
 * ±Infinity are null, and `patches` naming where each was (0 when none
 * was, the usual case).
 */
export function encodeArguments(call: string, args: unknown[]): string {
  let json = args;
  let patches: Patch[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const v = args[i];
    // Most arguments are plain numbers and strings: nothing to walk.
    if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))
      continue;
    if (json === args) json = args.slice();
    if (v === undefined) {
      // The usual odd one: options or a handle left out.
      json[i] = null;
      (patches ??= []).push([i, 'u']);
    } else json[i] = walk(v, [i], (patches ??= []));
  }
  return JSON.stringify([call, patches ?? 0, ...json]);
}

// Copies `v` with the values JSON cannot carry replaced by null (only where there are any); `path` is where v is.
function walk(v: unknown, path: (string | number)[], patches: Patch[]): unknown {
  const code = oddCode(v);
  if (code !== undefined) {
    patches.push([...path, code]);
    return null;
  }
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x0: unknown = v[i];
      if (x0 !== null && (typeof x0 === 'object' || oddCode(x0) !== undefined)) {
        path.push(i);
        const x = walk(x0, path, patches);
        path.pop();
        if (x !== x0) (out ??= v.slice())[i] = x;
      }
    }
    return out ?? v;
  }
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(v)) {
    const x0 = (v as Record<string, unknown>)[key];
    if (x0 !== null && (typeof x0 === 'object' || oddCode(x0) !== undefined)) {
      path.push(key);
      const x = walk(x0, path, patches);
      path.pop();
      if (x !== x0) {
        out ??= Object.defineProperties({}, Object.getOwnPropertyDescriptors(v));
        put(out, key, x);
      }
    }
  }
  return out ?? v;
}

/**
 * Puts back what {@link encodeArguments} took out of decoded JSON `args`.
 * The patches come from the task: a path that does not lead to a null in an
 * array or object of `args` is EINVAL.
 */
export function decodeArguments(args: unknown[], patches: unknown): void {
  if (!Array.isArray(patches)) throw errors.EINVAL('channel', 'patches', 'expected an array');
  for (const p of patches as unknown[]) {
    if (!Array.isArray(p) || p.length < 2 || !(p[p.length - 1] in ODD) || typeof p[p.length - 1] !== 'string') {
      throw errors.EINVAL('channel', 'patches', 'malformed patch');
    }
    let at: unknown = args;
    for (let i = 0; i < p.length - 2; i++) at = step(at, p[i]);
    const last: unknown = p[p.length - 2];
    if (step(at, last) !== null) throw errors.EINVAL('channel', 'patches', 'a patch names no null');
    (at as Record<string, unknown>)[last as string] = ODD[p[p.length - 1] as string];
  }
}

function step(at: unknown, key: unknown): unknown {
  if (
    typeof at !== 'object' ||
    at === null ||
    (typeof key !== 'string' && typeof key !== 'number') ||
    !Object.hasOwn(at, key)
  ) {
    throw errors.EINVAL('channel', 'patches', 'a patch names no argument');
  }
  return (at as Record<string, unknown>)[key];
}
