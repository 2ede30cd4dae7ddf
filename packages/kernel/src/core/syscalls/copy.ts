/**
 * copy(refs, target, options, flags): delegates references to another task
 * with rights equal to or fewer than the source's. The new references record
 * their parents.
 * @module
 */
import { errors } from '../errors.js';
import { checkFlags, checkRights, CopyFlags, formatRights, ObjectType, Rights } from '../flags.js';
import type { Kernel } from '../kernel.js';
import { RemoteObject } from '../objects/remote.js';
import { TaskObject } from '../objects/task.js';
import type { Reference } from '../reference.js';
import { checkArray, checkOptions, MAX_REFS_PER_CALL, requireRights } from './validate.js';

/** Options of copy. */
export interface CopyOptions {
  /** Rights of the new references: one mask for all, or one per reference (default: the source's rights). */
  rights?: number | readonly number[];
}

/** Implements copy for `task`. */
export async function copy(
  kernel: Kernel,
  task: TaskObject,
  refs: unknown,
  target: unknown,
  options: unknown,
  flags: unknown,
): Promise<number[]> {
  const s = 'copy';
  checkFlags(s, flags, CopyFlags);
  const handles = checkArray(s, 'refs', refs, MAX_REFS_PER_CALL);
  if (handles.length === 0) throw errors.EINVAL(s, 'refs', 'no references to copy');
  const o = checkOptions<CopyOptions>(s, 'options', options, ['rights']);
  const targetRef = kernel.ref(task, target, s, 'target');
  if (targetRef.object.type !== ObjectType.TASK) {
    throw errors.EINVAL(s, 'target', `reference ${targetRef.id} is a ${targetRef.object.type}, not a task`);
  }
  // Handing a task references changes it: that takes write rights on the task.
  requireRights(s, 'target', targetRef, Rights.WRITE);
  const sources: Reference[] = handles.map((h, i) => kernel.ref(task, h, s, `refs[${i}]`));
  let rights: number[];
  if (Array.isArray(o.rights)) {
    if (o.rights.length !== sources.length) {
      throw errors.EINVAL(s, 'options.rights', `${o.rights.length} masks for ${sources.length} references`);
    }
    rights = o.rights.map((r, i) => checkRights(s, `options.rights[${i}]`, r));
  } else {
    rights = sources.map((src) => (o.rights === undefined ? src.rights : checkRights(s, 'options.rights', o.rights)));
  }
  sources.forEach((src, i) => {
    requireRights(s, `refs[${i}]`, src, Rights.DELEGATE);
    const wanted = rights[i]!;
    if ((wanted & ~src.rights) !== 0) {
      throw errors.EPERM(s, `refs[${i}]`, `cannot raise rights from ${formatRights(src.rights)} to ${formatRights(wanted)}`);
    }
    if (src.object.type === ObjectType.PRIVATE_MEMORY_BLOB && targetRef.object !== task) {
      throw errors.EPERM(s, `refs[${i}]`, 'private memory cannot be delegated to another task');
    }
    if (src.object instanceof RemoteObject) src.object.checkHostUp(s, `refs[${i}]`);
  });

  const targetTask = targetRef.object;
  if (!(targetTask instanceof TaskObject)) {
    // The target runs on a peer kernel.
    return kernel.distribution!.delegate(task, targetRef, sources, rights);
  }
  if (targetTask.state === 'exited') throw errors.ESRCH(s, 'target', `task ${targetRef.id} has exited`);
  return sources.map(
    (src, i) =>
      kernel.openRef(targetTask, src.object, rights[i]!, { task: task.name.key, id: src.id }, src.consistency, src.readBufferSize, src.writeBufferSize)
        .id,
  );
}
