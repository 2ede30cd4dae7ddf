/**
 * spawn: starts a program as a child task with the run system call.
 * @module
 */
import {
  DeleteFlags,
  errors,
  isDiosError,
  Name,
  normalizePath,
  pathName,
  type SystemCalls,
  type TaskSpec,
} from '@dios/kernel';
import { remembering } from '../errno/last-error.js';
import { deleteQuietly } from '../handles/delete-quietly.js';
import { pathError } from '../paths/path-error.js';

/**
 * The binary {@link spawn} runs: a handle the task holds, an object's `Name`
 * (or its 64 hex digits), or any other string as a path in the task's first
 * group (as {@link fopen} reads paths).
 */
export type SpawnBinary = number | Name | string;

/** How {@link spawn} starts the child. */
export interface SpawnOptions {
  /** The child's arguments; argv[0] is conventionally the program's name. */
  readonly argv: readonly string[];
  /** The child's environment; default: a copy of the caller's (as C's `execv` passes `environ`). Pass `{}` for none. */
  readonly env?: Readonly<Record<string, string>>;
  /** Handles passed as the child's inputs (each needs read and delegate rights). */
  readonly inputs?: readonly number[];
  /** Handles passed as the child's outputs (each needs write and delegate rights). */
  readonly outputs?: readonly number[];
  /** Group handles the child becomes a member of; default: the caller's memberships. */
  readonly groups?: readonly number[];
  /** Run on this peer kernel instead of locally. */
  readonly kernel?: string;
}

const NAME_TEXT = /^[0-9a-fA-F]{64}$/;

/**
 * Starts the program that `binary` names as a new task (run) and returns the
 * handle of the caller's reference to it (rights `rw-d`), for
 * {@link wait}, `pause` or `copy`. The child starts running at once. A
 * binary given by name or path is looked up and its reference dropped again
 * once run has read it; a handle is used as it is and stays open.
 *
 * Errors: EINVAL (`options`) when options is not an object; for a name,
 * lookup's errors (ENOENT when the task cannot resolve it); for a path,
 * EINVAL (`binary`) for a malformed one and ENOENT naming the path (its
 * argument is the path as given, `/bin/tool`) when nothing is there or the
 * task is a member of no group; then run's: EBADF, EACCES (no exec right)
 * and ENOEXEC (`binary`, not a blob) first, EINVAL for a bad spec
 * (`spec.argv` and so on), then ENOEXEC (`binary`, the bytes do not name a
 * program) and ENOENT (`binary`, no program with that id is registered on
 * the kernel); run's errors about the binary name the path instead of
 * `binary` when a path was given. The failure is also kept as the task's
 * {@link lastError}.
 */
export function spawn(sys: SystemCalls, binary: SpawnBinary, options: SpawnOptions): Promise<number> {
  return remembering(sys, () => start(sys, binary, options));
}

async function start(sys: SystemCalls, binary: SpawnBinary, options: SpawnOptions): Promise<number> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw errors.EINVAL('spawn', 'options', 'expected { argv, env?, inputs?, outputs?, groups?, kernel? }');
  }
  const spec: TaskSpec = {
    argv: options.argv,
    env: options.env ?? { ...sys.env },
    ...(options.inputs !== undefined && { inputs: options.inputs }),
    ...(options.outputs !== undefined && { outputs: options.outputs }),
    ...(options.groups !== undefined && { groups: options.groups }),
    ...(options.kernel !== undefined && { kernel: options.kernel }),
  };
  if (typeof binary === 'number') return sys.run(binary, spec);
  const handle = await findBinary(sys, binary);
  try {
    return await sys.run(handle, spec);
  } catch (e) {
    // run's errors about the binary (ENOEXEC, no such program) name the path, when a path was given.
    if (isPath(binary) && isDiosError(e) && e.argument === 'binary')
      throw pathError(e, 'spawn', binary, normalizePath(binary));
    throw e;
  } finally {
    await deleteQuietly(sys, handle, DeleteFlags.DROP);
  }
}

const isPath = (binary: Name | string): binary is string => typeof binary === 'string' && !NAME_TEXT.test(binary);

async function findBinary(sys: SystemCalls, binary: Name | string): Promise<number> {
  let name: Name | string;
  if (Name.isName(binary)) name = Name.from(binary);
  else if (typeof binary !== 'string') throw errors.EINVAL('spawn', 'binary', 'expected a handle, a Name, or a path');
  else if (NAME_TEXT.test(binary)) name = binary.toLowerCase();
  else {
    const path = normalizePath(binary, 'spawn', 'binary');
    const group = sys.groupNames[0];
    if (group === undefined)
      throw errors.ENOENT('spawn', binary, 'the task is a member of no group, so paths name nothing');
    name = await pathName(group, path);
    const found = await sys.lookup(name).catch((e: unknown) => {
      throw pathError(e, 'spawn', binary, path);
    });
    return keepFirst(sys, found);
  }
  return keepFirst(sys, await sys.lookup(name));
}

// Several copies of an object may answer a lookup; the first (local ones come first) is used.
async function keepFirst(sys: SystemCalls, found: number[]): Promise<number> {
  const [first, ...copies] = found;
  for (const extra of copies) await sys.delete(extra, DeleteFlags.DROP);
  return first!;
}
