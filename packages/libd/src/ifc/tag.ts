/**
 * Tags: the objects whose names make up information-flow labels
 * (docs/ifc.md). Making one is create(TAG); its creator holds both
 * capabilities, ADD and REMOVE.
 * @module
 */
import { ObjectType, type Name, type SystemCalls } from '@dios/kernel';

/** A tag the task made: its public name (what labels hold) and the task's reference (the capabilities). */
export interface Tag {
  /** The tag's name: its `key` is what {@link readLabel} lists. */
  readonly name: Name;
  /** The task's reference to the tag, with ADD and REMOVE (and DELEGATE, to hand them on). */
  readonly handle: number;
}

/**
 * Makes a new tag. The caller holds both capabilities: it may add the tag
 * to its own label and remove it again, and hand either on with
 * {@link giveTag}. A tag is unlabelled (its name is public), so any task may
 * make one. Errors: create's (ECANCELED; EBADF, EACCES for `options.group`).
 *
 * @example
 * ```ts
 * const secret = await createTag(sys);
 * await raiseSecrecy(sys, secret.handle); // the task may now read secret data, and write only secret objects
 * ```
 */
export async function createTag(sys: SystemCalls, options: { group?: number } = {}): Promise<Tag> {
  const made = await sys.create(ObjectType.TAG, options.group === undefined ? {} : { group: options.group });
  return { name: made.name, handle: made.ref };
}
