/**
 * Starting a task on this kernel once its caller has checked the request:
 * the program the binary names, where it runs, the task with its groups
 * and references, then its start. A local run and a peer's run (served by
 * peer/handlers/run.ts) both end here, so a task starts by one rule.
 * @module
 */
import { errors } from '../abi/errors.js';
import { RunFlags } from '../abi/flags.js';
import type { Name } from '../abi/names.js';
import { programKey } from '../scheduling/program-key.js';
import { PROGRAM_PREFIX, type Placement, type ProcessKind, type Program } from '../abi/program.js';
import type { KernelState } from '../kernel/kernel-state.js';
import type { KernelObject } from '../objects/kernel-object.js';
import type { ParentRef, Reference } from '../objects/reference.js';
import type { Membership, TaskObject } from '../objects/task.js';
import type { Label } from '../objects/label.js';
import type { Container } from '../objects/container.js';
import { isWasm, wasmProcessKind } from './wasm-binary.js';

const decoder = new TextDecoder('utf-8', { fatal: false });

/** A reference the new task gets: the object, the rights, and what the reference is derived from. */
export interface PassedRef {
  /** The object the new reference designates. */
  readonly object: KernelObject;
  /** Rights of the task's reference. */
  readonly rights: number;
  /** The caller's reference it was passed from, whose parent link, policy and buffer sizes it keeps; none for a peer's. */
  readonly from?: Reference;
}

/** The groups and references of a task about to start. */
export interface SpawnSetup {
  /** Memberships, fixed for the task's life. */
  readonly groups: Membership[];
  /** Input references, in order. */
  readonly inputs: readonly PassedRef[];
  /** Output references, in order. */
  readonly outputs: readonly PassedRef[];
}

/** What a caller asks of {@link spawn}. */
export interface SpawnRequest {
  /** The binary's bytes: they name the program. */
  readonly binary: Uint8Array;
  /** The placement the caller asked for; undefined: the kernel's choice. */
  readonly placement: Placement | undefined;
  /** {@link RunFlags} of the call. */
  readonly flags: number;
  /** Arguments. */
  readonly argv: string[];
  /** Environment. */
  readonly env: Record<string, string>;
  /** The new task's label: its parent's (docs/ifc.md). */
  readonly label: Label;
  /** Called once the program and placement are known: the caller's last checks, then the task's name. */
  name(): Name;
  /** Called once the name is known to be free: the task's groups and references. */
  setup(): SpawnSetup;
  /** The container the task joins: its parent's, or the one whose group it starts in (docs/containers.md). */
  readonly container: Container | undefined;
  /** Called just before a refusal by hypervisor mode (EPERM), so the caller can record it. */
  readonly refused?: () => void;
}

/** Reads the program id from a binary's bytes. */
function programId(bytes: Uint8Array): string | undefined {
  const text = decoder.decode(bytes.subarray(0, 4096));
  return text.startsWith(PROGRAM_PREFIX) ? text.slice(PROGRAM_PREFIX.length).trim() : undefined;
}

/** What a binary starts: the program, the image an interpreter runs, and the kind of process. */
interface Loaded {
  readonly program: Program;
  readonly image: Uint8Array | undefined;
  readonly process: ProcessKind;
}

/** The program a binary's bytes name, or the interpreter of its format (ENOEXEC, ENOENT as {@link spawn} says). */
function load(kernel: KernelState, binary: Uint8Array): Loaded {
  const s = 'run';
  if (isWasm(binary)) {
    const process = wasmProcessKind(binary);
    const interpreter = kernel.interpreters.get('wasm');
    if (interpreter === undefined)
      throw errors.ENOEXEC(s, 'binary', `kernel ${kernel.id} has no interpreter for WebAssembly binaries`);
    return { program: interpreter, image: binary, process };
  }
  const id = programId(binary);
  if (id === undefined)
    throw errors.ENOEXEC(
      s,
      'binary',
      `the binary's bytes neither start with "${PROGRAM_PREFIX.trim()}" nor are a WebAssembly module`,
    );
  const program: Program | undefined = kernel.programs.get(id);
  if (program === undefined) throw errors.ENOENT(s, 'binary', `no program "${id}" is installed on kernel ${kernel.id}`);
  return { program, image: undefined, process: 'pure' };
}

/**
 * Starts a task: ENOEXEC (`binary`) when the bytes name no program and are
 * no WebAssembly module this kernel can interpret, ENOENT when the program is
 * not installed here, ENOTSUP for a placement this kernel cannot give (a
 * WebAssembly program needs a worker), EEXIST (`spec.name`) when the name is
 * taken. `handOut` makes the caller's handle on the task, before the task
 * starts; its result is returned.
 */
export function spawn<T>(kernel: KernelState, req: SpawnRequest, handOut: (child: TaskObject) => T): T {
  const s = 'run';
  const container = req.container;
  container?.admit(s);
  const { program, image, process } = load(kernel, req.binary);
  if (container !== undefined) confine(kernel, container, program, req.placement);
  if (image !== undefined && req.placement === 'thread')
    throw errors.ENOTSUP(
      s,
      'spec.placement',
      "a WebAssembly program's calls block, which the kernel's thread cannot: it runs in a worker",
    );
  const placement = placementOf(
    kernel,
    typeof program === 'function',
    image !== undefined ? 'worker' : req.placement,
    req.flags,
  );
  if (container === undefined && kernel.hypervisor) hypervise(req, image !== undefined, placement);
  const name = req.name();
  if (kernel.objects.has(name.key))
    throw errors.EEXIST(s, 'spec.name', `an object named ${name.key} already exists on kernel ${kernel.id}`);
  const { groups, inputs, outputs } = req.setup();
  const child = kernel.newTask(name, {
    argv: req.argv,
    env: { ...req.env },
    groups,
    program,
    placement,
    // A container's tasks are always pure: no ambient host access, whatever the caller asked.
    pure: container !== undefined || (req.flags & RunFlags.PURE) !== 0,
    image,
    process,
  });
  child.label = container !== undefined ? container.labelFor(req.label) : req.label;
  child.programKey = programKey(req.binary);
  if (container !== undefined) {
    child.container = container;
    container.joined(child);
  }
  const pass = ({ object, rights, from }: PassedRef) => {
    const parent: ParentRef | undefined = from === undefined ? undefined : { task: from.owner, id: from.id };
    return kernel.openRef(child, object, rights, parent, from?.consistency, from?.readBufferSize, from?.writeBufferSize)
      .id;
  };
  child.inputs = inputs.map(pass);
  child.outputs = outputs.map(pass);
  const handed = handOut(child);
  if (!(req.flags & RunFlags.START_PAUSED)) kernel.startTask(child);
  return handed;
}

/**
 * A container's task runs in a worker thread of its own, locked down, where
 * it can be capped and stopped: ENOTSUP for a program that cannot (a
 * function) or a kernel without workers, and for `spec.placement: 'thread'`.
 */
function confine(kernel: KernelState, container: Container, program: Program, asked: Placement | undefined): void {
  const s = 'run';
  if (typeof program === 'function')
    throw errors.ENOTSUP(
      s,
      'binary',
      `the program is a function, which cannot leave the kernel's thread; container ${container.id}'s tasks run in worker threads`,
    );
  if (kernel.executor === undefined)
    throw errors.ENOTSUP(s, 'binary', `kernel ${kernel.id} has no worker executor, which containers' tasks need`);
  if (asked === 'thread')
    throw errors.ENOTSUP(s, 'spec.placement', `container ${container.id}'s tasks run in worker threads`);
}

/** Hypervisor mode, outside containers: no legacy process, and no worker task with ambient host access (EPERM). */
function hypervise(req: SpawnRequest, legacy: boolean, placement: Placement): void {
  const s = 'run';
  if (legacy) {
    req.refused?.();
    throw errors.EPERM(
      s,
      'binary',
      'hypervisor mode: a legacy (WebAssembly) program runs only inside a container; the host runs DIOS programs only',
    );
  }
  // A program in the kernel's thread is the host's own code (registered by it); a worker task is the one that
  // could reach the host around its calls.
  if (placement === 'worker' && !(req.flags & RunFlags.PURE)) {
    req.refused?.();
    throw errors.EPERM(
      s,
      'flags',
      'hypervisor mode: a worker task outside containers must be pure (RunFlags.PURE), with no ambient host access',
    );
  }
}

/** Where a task runs: a worker thread needs a module program and an executor; a pure task needs a worker. */
function placementOf(kernel: KernelState, isFunction: boolean, asked: Placement | undefined, f: number): Placement {
  const s = 'run';
  const canWork = !isFunction && kernel.executor !== undefined;
  if (asked === 'worker' && !canWork) {
    throw errors.ENOTSUP(
      s,
      'spec.placement',
      isFunction
        ? "the program is a function, which cannot leave the kernel's thread; register a module program"
        : `kernel ${kernel.id} has no worker executor`,
    );
  }
  const placement = asked ?? (canWork ? 'worker' : 'thread');
  if (f & RunFlags.PURE && placement !== 'worker') {
    throw errors.ENOTSUP(
      s,
      'flags',
      'a pure task needs a worker placement (a module program on a kernel with a worker executor)',
    );
  }
  return placement;
}
