/**
 * copy(refs, target, options, flags): delegates references to another task
 * with rights equal to or fewer than the source's. The new references record
 * their parents. With CopyFlags.MAKE_LOCAL, blobs on other kernels are
 * copied to this kernel first and the target gets the copies.
 * @module
 */
import { errors } from '../abi/errors.js';
import { checkFlags, checkRights, CopyFlags, formatRights, ObjectType, Rights } from '../abi/flags.js';
import type { KernelState } from '../kernel/kernel-state.js';
import { RemoteObject } from '../objects/remote.js';
import { fetchLocalCopy } from './make-local.js';
import { checkFlow, recordFlow } from './flow.js';
import { canFlow } from '../objects/label.js';
import { TaskObject } from '../objects/task.js';
import type { Reference } from '../objects/reference.js';
import { checkArray, checkOptions, MAX_REFS_PER_CALL, requireRights } from './validate.js';
import { copyArguments } from './arguments.js';
import type { CopyOptions } from '../abi/syscall-options.js';

// The types MAKE_LOCAL copies (private memory never lives on another kernel, but is a blob here).
const BLOB_TYPES: ReadonlySet<string> = new Set([
  ObjectType.PRIVATE_MEMORY_BLOB,
  ObjectType.SHARED_MEMORY_BLOB,
  ObjectType.DURABLE_BLOB,
]);

/** Implements copy for `task`. */
export async function copy(
  kernel: KernelState,
  task: TaskObject,
  refs: unknown,
  target: unknown,
  options: unknown,
  flags: unknown,
): Promise<number[]> {
  const s = 'copy';
  // Each argument read once, as a worker task's call is (see arguments.ts); the checks below then run on the snapshot.
  ({ refs, target, options, flags } = copyArguments(refs, target, options, flags));
  const f = checkFlags(s, flags, CopyFlags);
  const makeLocal = (f & CopyFlags.MAKE_LOCAL) !== 0;
  const handles = checkArray(s, 'refs', refs, MAX_REFS_PER_CALL);
  if (handles.length === 0) throw errors.EINVAL(s, 'refs', 'no references to copy');
  const o = checkOptions<CopyOptions>(s, 'options', options, ['rights']);
  const targetRef = kernel.ref(task, target, s, 'target');
  if (targetRef.object.type !== ObjectType.TASK) {
    throw errors.EINVAL(s, 'target', `reference ${targetRef.id} is a ${targetRef.object.type}, not a task`);
  }
  // Handing a task references changes it: that takes write rights on the task.
  requireRights(s, 'target', targetRef, Rights.WRITE);
  // And it is a flow to that task (checked at its home when it runs on a peer, where its label is current).
  if (targetRef.object instanceof TaskObject) checkFlow(kernel, task, s, 'target', targetRef.object, 'out', 'copy');
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
      throw errors.EPERM(
        s,
        `refs[${i}]`,
        `cannot raise rights from ${formatRights(src.rights)} to ${formatRights(wanted)}`,
      );
    }
    if (src.object.type === ObjectType.PRIVATE_MEMORY_BLOB && targetRef.object !== task) {
      throw errors.EPERM(s, `refs[${i}]`, 'private memory cannot be delegated to another task');
    }
    if (src.object instanceof RemoteObject) src.object.checkHostUp(s, `refs[${i}]`);
    if (makeLocal) {
      if (!BLOB_TYPES.has(src.object.type)) {
        throw errors.ENOTSUP(s, 'flags', `MAKE_LOCAL copies blobs only; refs[${i}] is a ${src.object.type}`);
      }
      // Copying the bytes reads them.
      if (src.object instanceof RemoteObject) requireRights(s, `refs[${i}]`, src, Rights.READ);
    }
  });
  if (makeLocal && sources.some((src) => src.object instanceof RemoteObject)) {
    if (targetRef.object instanceof TaskObject && targetRef.object.state === 'exited')
      throw errors.ESRCH(s, 'target', `task ${targetRef.id} has exited`);
    return copyMadeLocal(kernel, task, targetRef, sources, rights);
  }
  return hand(kernel, task, targetRef, sources, sources, rights);
}

// Opens the references in the target, the last step of copy: `handed[i]` stands in for `sources[i]` (itself, or a local copy of it).
function hand(
  kernel: KernelState,
  task: TaskObject,
  targetRef: Reference,
  sources: Reference[],
  handed: Reference[],
  rights: number[],
): Promise<number[]> | number[] {
  const targetTask = targetRef.object;
  if (!(targetTask instanceof TaskObject)) {
    // The target runs on a peer kernel.
    return kernel.distribution!.delegate(task, targetRef, handed, rights);
  }
  if (targetTask.state === 'exited') throw errors.ESRCH('copy', 'target', `task ${targetRef.id} has exited`);
  recordFlow(kernel, task, targetTask, 'copy', 'copy', 0, true);
  // The new handles are the target's next ones: they count what it opened before. A caller the target's label may
  // not flow to learns nothing of that: it gets 0 for each (the target finds its new references in its own table).
  const answer = canFlow(targetTask.label, task.label);
  // A copy keeps the source's policy and buffer sizes, and records the source as its parent.
  return sources.map((src, i) => {
    const id = kernel.openRef(
      targetTask,
      handed[i]!.object,
      rights[i]!,
      { task: task.name.key, id: src.id },
      src.consistency,
      src.readBufferSize,
      src.writeBufferSize,
    ).id;
    return answer ? id : 0;
  });
}

// MAKE_LOCAL: fetches the remote blobs into local copies (held meanwhile by the caller), hands those over, then lets go.
async function copyMadeLocal(
  kernel: KernelState,
  task: TaskObject,
  targetRef: Reference,
  sources: Reference[],
  rights: number[],
): Promise<number[]> {
  const made: (Reference | undefined)[] = [];
  try {
    for (const [i, src] of sources.entries()) {
      made.push(src.object instanceof RemoteObject ? await fetchLocalCopy(kernel, task, src, `refs[${i}]`) : undefined);
    }
    if (task.state === 'exited') throw errors.ECANCELED('copy', undefined, 'the task exited during the call');
    if (!targetRef.open) throw errors.EBADF('copy', 'target', `reference ${targetRef.id} was deleted during the call`);
    return await hand(
      kernel,
      task,
      targetRef,
      sources,
      sources.map((src, i) => made[i] ?? src),
      rights,
    );
  } finally {
    for (const copy of made) if (copy !== undefined) kernel.closeRef(copy);
  }
}
