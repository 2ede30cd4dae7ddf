/**
 * Creating an object with a label other than the creating task's own
 * (docs/ifc.md): create with `options.label`.
 * @module
 */
import type { CreateOptions, CreateResult, LabelSpec, ObjectType, SystemCalls } from '@dios/kernel';

/**
 * Creates an object of `type` labelled `label` (handles of the task's tag references, any
 * rights; create's other options as
 * given). Without a label an object takes its creator's label; with one,
 * the creator must be able to write it: the label must carry at least the
 * task's secrecy tags, and at most its integrity tags (EPERM naming
 * `options.label` otherwise). Tags and network objects cannot be labelled
 * (EINVAL). Other errors: create's.
 *
 * @example
 * ```ts
 * const secret = await createTag(sys);
 * const vault = await createLabelled(sys, ObjectType.SHARED_MEMORY_BLOB, { secrecy: [secret.handle] });
 * ```
 */
export function createLabelled(
  sys: SystemCalls,
  type: ObjectType,
  label: LabelSpec,
  options: Omit<CreateOptions, 'label'> = {},
  flags = 0,
): Promise<CreateResult> {
  return sys.create(type, { ...options, label }, flags);
}
