/**
 * What the hash commands share: finding the hash at a key.
 * @module
 */
import { HashValue } from '../core/hash.js';
import { WRONGTYPE, type CommandContext } from './context.js';

/** The hash at `key`: undefined when missing, null (after the WRONGTYPE reply) for another type. */
export function hashAt(key: string, ctx: CommandContext): HashValue | undefined | null {
  const v = ctx.keys.get(key)?.value;
  if (v === undefined || v instanceof HashValue) return v;
  ctx.out.error(WRONGTYPE);
  return null;
}
