/**
 * Handing a tag's capabilities to another task, attenuated: copy with the
 * rights ADD only, REMOVE only, or both (docs/ifc.md). Flume's t+ and t-.
 * @module
 */
import { errors, Rights, type SystemCalls } from '@dios/kernel';

/** Which capability of a tag to hand on: add it to one's label, remove it, or both. */
export type TagCapability = 'add' | 'remove' | 'both';

const CAPABILITY_RIGHTS: Readonly<Record<TagCapability, number>> = {
  add: Rights.ADD,
  remove: Rights.REMOVE,
  both: Rights.ADD | Rights.REMOVE,
};

/**
 * Gives the task that `target` refers to a reference to tag `tag` carrying
 * only `capability` (plus DELEGATE with `options.delegate`, so it may hand
 * it on in turn); returns the handle in the target's table. A plugin given
 * `'add'` may raise its label by the tag but never lower it again; a
 * declassifier given `'remove'` may drop it. Errors: EINVAL (`capability`)
 * for another value; copy's (EBADF, EACCES: `tag` lacks DELEGATE or
 * `target` lacks WRITE; EPERM: `tag` lacks the capability, or the labels
 * forbid the flow to the target task; ESRCH: the target has exited).
 */
export async function giveTag(
  sys: SystemCalls,
  tag: number,
  target: number,
  capability: TagCapability,
  options: { delegate?: boolean } = {},
): Promise<number> {
  const rights = Object.hasOwn(CAPABILITY_RIGHTS, capability) ? CAPABILITY_RIGHTS[capability] : undefined;
  if (rights === undefined)
    throw errors.EINVAL('giveTag', 'capability', `expected 'add', 'remove' or 'both', got ${String(capability)}`);
  const [handle] = await sys.copy([tag], target, { rights: rights | (options.delegate ? Rights.DELEGATE : 0) });
  return handle!;
}
