/**
 * A task's own label: read it, and change it, through the task's own task
 * object (begin_read / begin_write on `sys.self`; docs/ifc.md). Each change
 * needs the capability: ADD on the tag's reference to add a tag, REMOVE to
 * remove one. A refused change changes nothing.
 * @module
 */
import {
  DiosError,
  EndWriteFlags,
  errors,
  LABEL_CHANGE_KEYS,
  type LabelChange,
  type LabelView,
  type SystemCalls,
} from '@dios/kernel';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The task's current label: the keys of its secrecy and integrity tags,
 * sorted (compare with a tag's `name.key`). Errors: begin_read's on
 * `sys.self` (ECANCELED once the task has exited).
 */
export async function readLabel(sys: SystemCalls): Promise<LabelView> {
  // Only this task changes its label, so the read is valid unless it changed it meanwhile: then read again.
  for (;;) {
    const view = await sys.beginRead(sys.self);
    const text = decoder.decode(view);
    if (await sys.endRead(sys.self, view)) return JSON.parse(text) as LabelView;
  }
}

/**
 * Changes the task's label: adds and removes the tags `change` names, by
 * the handles of the task's references to them, all at once or not at all.
 * Errors (naming `change.KEY[i]`): EBADF, a handle the task does not hold;
 * EINVAL, a reference that is not to a tag, a tag both added and removed, or
 * too many tags; EPERM, the reference lacks the capability (ADD to add,
 * REMOVE to remove). EINVAL (`change`) for anything but a `LabelChange` object.
 */
export async function changeLabel(sys: SystemCalls, change: LabelChange): Promise<void> {
  if (typeof change !== 'object' || change === null || Array.isArray(change))
    throw errors.EINVAL('changeLabel', 'change', `expected { ${LABEL_CHANGE_KEYS.join('?, ')}? }`);
  await writeChange(sys, change, 'changeLabel', (rest) => `change${rest}`);
}

/**
 * Raises the task's secrecy: adds each tag of `tags` (handles with ADD).
 * The task may then read data so labelled, and may write only objects that
 * carry those tags too. Errors as {@link changeLabel}'s, naming `tags[i]`.
 */
export function raiseSecrecy(sys: SystemCalls, ...tags: number[]): Promise<void> {
  return writeChange(sys, { addSecrecy: tags }, 'raiseSecrecy', tagsArgument);
}

/**
 * Declassifies: removes each tag of `tags` (handles with REMOVE) from the
 * task's secrecy, so it may write public objects again. Errors as
 * {@link changeLabel}'s, naming `tags[i]` (EPERM without REMOVE).
 */
export function declassify(sys: SystemCalls, ...tags: number[]): Promise<void> {
  return writeChange(sys, { removeSecrecy: tags }, 'declassify', tagsArgument);
}

/**
 * Endorses: adds each tag of `tags` (handles with ADD) to the task's
 * integrity, so what it writes may go to objects that demand that
 * integrity; it may then read only data endorsed as well. Errors as
 * {@link changeLabel}'s, naming `tags[i]`.
 */
export function endorse(sys: SystemCalls, ...tags: number[]): Promise<void> {
  return writeChange(sys, { addIntegrity: tags }, 'endorse', tagsArgument);
}

/**
 * Drops integrity: removes each tag of `tags` (handles with REMOVE) from
 * the task's integrity, so it may read less trusted data (and no longer
 * writes with that endorsement). Errors as {@link changeLabel}'s, naming `tags[i]`.
 */
export function dropIntegrity(sys: SystemCalls, ...tags: number[]): Promise<void> {
  return writeChange(sys, { removeIntegrity: tags }, 'dropIntegrity', tagsArgument);
}

// One begin_write / end_write of the change on the task's own object; a refusal discards the buffer and is rethrown
// naming the caller's argument.
async function writeChange(
  sys: SystemCalls,
  change: LabelChange,
  call: string,
  argument: (rest: string) => string,
): Promise<void> {
  const bytes = encoder.encode(JSON.stringify(change));
  const buffer = await sys.beginWrite(sys.self, bytes.length);
  buffer.set(bytes);
  try {
    await sys.endWrite(sys.self, buffer);
  } catch (e) {
    // The kernel keeps the buffer lent after a refusal: give it back.
    await sys.endWrite(sys.self, buffer, undefined, EndWriteFlags.DISCARD).catch(() => undefined);
    throw renamed(e, call, argument);
  }
}

// The helpers that take a list of tags name its entry `tags[i]` for the kernel's `buffer.KEY[i]`.
function tagsArgument(rest: string): string {
  return `tags${/\[\d+\]$/.exec(rest)?.[0] ?? ''}`;
}

// The kernel names end_write's `buffer...`: name the caller's argument instead (`rest` is what follows `buffer`).
function renamed(e: unknown, call: string, argument: (rest: string) => string): unknown {
  if (!(e instanceof DiosError) || e.syscall !== 'endWrite') return e;
  const m = /^buffer(.*)$/.exec(e.argument ?? '');
  return errors[e.code](call, m === null ? e.argument : argument(m[1]!), e.detail);
}
