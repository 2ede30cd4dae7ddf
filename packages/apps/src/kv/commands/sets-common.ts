/**
 * What the set commands share: finding the set at a key, and reading a
 * count argument as Redis' getRangeLongFromObjectOrReply does.
 * @module
 */
import { parseInteger } from '../core/bytes.js';
import { SetValue } from '../core/set.js';
import { WRONGTYPE, type CommandContext } from './context.js';

/** The set at `key`: undefined when missing, null (after the WRONGTYPE reply) for another type. */
export function setAt(key: string, ctx: CommandContext): SetValue | undefined | null {
  const v = ctx.keys.get(key)?.value;
  if (v === undefined || v instanceof SetValue) return v;
  ctx.out.error(WRONGTYPE);
  return null;
}

/**
 * `arg` as Redis' getRangeLongFromObjectOrReply reads it (an integer in
 * [min, max]), or undefined after the error: `notInteger` for no integer,
 * `outOfRange` (or Redis' default text when undefined) past the bounds.
 */
export function rangeLong(
  arg: Uint8Array,
  min: bigint,
  max: bigint,
  notInteger: string | undefined,
  outOfRange: string | undefined,
  ctx: CommandContext,
): bigint | undefined {
  const n = parseInteger(arg);
  if (n === undefined) {
    ctx.out.error(notInteger ?? 'ERR value is not an integer or out of range');
    return undefined;
  }
  if (n < min || n > max) {
    ctx.out.error(outOfRange ?? `ERR value is out of range, value must between ${min} and ${max}`);
    return undefined;
  }
  return n;
}
