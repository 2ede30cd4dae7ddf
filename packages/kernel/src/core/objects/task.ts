/**
 * Tasks: a program with its reference table, groups and state. The program
 * runs in the kernel's thread as an async function that reaches the kernel
 * only through its system-call interface (which the kernel keeps, not the task).
 * @module
 */
import { errors } from '../abi/errors.js';
import { ObjectType, Rights } from '../abi/flags.js';
import { LABEL_CHANGE_KEYS, MAX_LABEL_TAGS, type LabelChange } from '../abi/labels.js';
import { describe, type Name } from '../abi/names.js';
import type { Lease, Reference } from './reference.js';
import type { TaskState, TaskStatus } from '../abi/system-calls.js';
import type { Placement, ProcessKind, Program } from '../abi/program.js';
import { KernelObject, type IoRequest } from './kernel-object.js';
import { canFlow, Label } from './label.js';
import type { GroupObject } from './group.js';
import type { Container } from './container.js';
import { TaskStats } from './task-stats.js';

export type { Program } from '../abi/program.js';

/**
 * A group a task is a member of, and the rights names resolved through it confer.
 * @inline
 */
export interface Membership {
  /** The group whose names the task resolves, with `rights`. */
  readonly group: GroupObject;
  /** Rights of the group reference the membership was made from (READ: resolve names; WRITE: create objects in it, and, for the first membership, be named in it). */
  readonly rights: number;
}

/** What run records about a task. */
export interface TaskSetup {
  /** Arguments, argv[0] first. */
  readonly argv: readonly string[];
  /** Environment variables. */
  readonly env: Readonly<Record<string, string>>;
  /** Groups the task is a member of, fixed for its life. */
  readonly groups: readonly Membership[];
  /** The program to run (undefined for host-driven tasks). */
  readonly program: Program | undefined;
  /** Where the program runs (default: the kernel's thread). */
  readonly placement?: Placement;
  /** A pure task has no ambient host access: everything it does goes through its system calls (worker tasks only). */
  readonly pure?: boolean;
  /** The binary's bytes when `program` is an interpreter (a WebAssembly module). */
  readonly image?: Uint8Array;
  /** The kind of process (default `pure`: a DIOS program). */
  readonly process?: ProcessKind;
}

/** A task as its kernel keeps it: state, exit status, reference table, counter for deterministic names. */
export class TaskObject extends KernelObject {
  /** Always a task. */
  readonly type = ObjectType.TASK;
  /** Lifecycle state. */
  state: TaskState = 'created';
  /** Exit status once exited. */
  exitStatus: number | undefined = undefined;
  /** Why the task failed, when its program threw. */
  failure: unknown = undefined;
  /** The reference table: handle to reference. */
  readonly table = new Map<number, Reference>();
  /** Next handle to give out; handles are never reused, so a stale handle cannot reach a new object. */
  nextHandle = 1;
  /** Handle of the task's reference to itself. */
  selfHandle = 0;
  /** Deterministic-name counter: the number of counter-derived names handed out. */
  counter = 0;

  /**
   * Takes the next counter value at the start of a call, so calls in flight
   * together get distinct values in the order they were made.
   */
  reserveCounter(): number {
    return ++this.counter;
  }
  /** Gives back a value of a call that failed, when no later call took one (a failing call changes nothing). */
  releaseCounter(value: number): void {
    if (this.counter === value) this.counter--;
  }
  /**
   * Live fate-shared objects (private memory) the task created, whether or
   * not it still holds a reference to them: they go when it exits.
   */
  readonly privateObjects = new Set<KernelObject>();
  /** Groups held through references, with the references that hold each. */
  readonly heldGroups = new Map<GroupObject, Set<Reference>>();
  /** Input and output handles in the task's own table. */
  inputs: readonly number[] = [];
  /** See {@link TaskObject.inputs}. */
  outputs: readonly number[] = [];
  /** Called when one of the task's references closes (the peer service reports revocations with it). */
  onRefClosed: ((ref: Reference) => void) | undefined = undefined;
  /** What the task has cost so far (see monitoring.ts). */
  readonly stats = new TaskStats();
  /** Set by the executor when the task's thread passed its heap limit (never by anything the task can say). */
  outOfMemory = false;
  /** The container the task belongs to (for its life; its children belong to it too), if any. */
  container: Container | undefined = undefined;
  /** What its binary names (see programKey): the key monitoring remembers the program's class under. */
  programKey: string | undefined = undefined;

  /** Records a task; the kernel fills its table and starts it. */
  constructor(
    name: Name,
    group: GroupObject | undefined,
    /** argv, env, groups and program. */
    readonly setup: TaskSetup,
  ) {
    super(name, 'refcounted', group);
  }

  override get size(): number {
    return 0;
  }
  /** A task reference is readable once the task has exited. */
  override isReady(mode: 'read' | 'write'): boolean {
    return mode === 'read' ? this.state === 'exited' : this.state !== 'exited';
  }

  /** State and exit status. */
  taskStatus(): TaskStatus {
    return { state: this.state, exitStatus: this.exitStatus };
  }
  /** The kind of process: a DIOS program, or a legacy or hybrid WebAssembly program. */
  get process(): ProcessKind {
    return this.setup.process ?? 'pure';
  }

  /** A task reads its own task object: its label, as JSON ({@link LabelView}). */
  override beginRead(req: IoRequest): Lease {
    this.#own(req);
    const bytes = new TextEncoder().encode(JSON.stringify(this.label.view()));
    if (req.offset > bytes.length)
      throw errors.EINVAL(
        req.syscall,
        'options.offset',
        `offset ${req.offset} is past the end (${bytes.length} bytes)`,
      );
    const at = req.offset;
    const buffer = bytes.subarray(at, at + Math.min(req.length, bytes.length - at));
    return { ref: req.ref, kind: 'read', buffer, offset: at, version: this.version, exclusive: false, truncate: false };
  }
  /** Valid while the label has not changed. */
  override endRead(lease: Lease): boolean {
    return lease.version === this.version;
  }
  /** A task writes its own task object to change its label: a buffer for a {@link LabelChange} as JSON. */
  override beginWrite(req: IoRequest): Lease {
    this.#own(req);
    if (req.append || req.offset !== 0)
      throw errors.EINVAL(req.syscall, 'options.offset', 'a label change is written whole, at offset 0');
    return {
      ref: req.ref,
      kind: 'write',
      buffer: new Uint8Array(req.length),
      offset: 0,
      version: this.version,
      exclusive: false,
      truncate: false,
    };
  }
  /** Applies the label change whole, or not at all (EINVAL malformed, EPERM a capability missing); a refusal throws before anything changes. */
  override endWrite(lease: Lease, length: number, discard: boolean): void {
    if (discard) return;
    const next = this.#changed(parseChange(lease.buffer.subarray(0, length)));
    if (next !== undefined) {
      this.label = next;
      this.version++;
    }
  }

  // Only a task's own label is changed or read through its task object.
  #own(req: IoRequest): void {
    if (req.ref.owner !== this.name.key) {
      throw errors.EINVAL(
        req.syscall,
        'ref',
        "a task object's bytes are its label, read and written by that task alone",
      );
    }
  }

  // The label after `change`, checking each capability in the task's own table; undefined: no change.
  #changed(change: LabelChange): Label | undefined {
    const secrecy = new Set(this.label.secrecy);
    const integrity = new Set(this.label.integrity);
    const seen = new Map<string, string>();
    for (const key of LABEL_CHANGE_KEYS) {
      const list = change[key] ?? [];
      const adding = key.startsWith('add');
      const set = key.endsWith('Secrecy') ? secrecy : integrity;
      list.forEach((handle, i) => {
        const at = `buffer.${key}[${i}]`;
        const ref = this.table.get(handle);
        if (ref === undefined || !ref.open)
          throw errors.EBADF('endWrite', at, `reference ${handle} is not open in the task`);
        if (ref.object.type !== ObjectType.TAG)
          throw errors.EINVAL('endWrite', at, `reference ${handle} is a ${ref.object.type}, not a tag`);
        const needed = adding ? Rights.ADD : Rights.REMOVE;
        if (!(ref.rights & needed)) {
          throw errors.EPERM(
            'endWrite',
            at,
            `reference ${handle} lacks the ${adding ? 'ADD' : 'REMOVE'} capability of tag ${ref.object.name.key.slice(0, 12)}`,
          );
        }
        const tag = ref.object.name.key;
        const pair = `${key.endsWith('Secrecy') ? 's' : 'i'}:${tag}`;
        const other = seen.get(pair);
        if (other !== undefined && other !== key)
          throw errors.EINVAL('endWrite', at, `tag ${tag.slice(0, 12)} is both added and removed`);
        seen.set(pair, key);
        if (adding) set.add(tag);
        else set.delete(tag);
      });
    }
    if (secrecy.size > MAX_LABEL_TAGS || integrity.size > MAX_LABEL_TAGS)
      throw errors.EINVAL('endWrite', 'buffer', `a label holds at most ${MAX_LABEL_TAGS} tags in each set`);
    const next = Label.of(secrecy, integrity);
    if (next.equals(this.label)) return undefined;
    // Lent memory (a blob's view, a stream's ring) stays writable: with a label that may not flow to its object, the
    // task could write through it what the kernel would refuse at end_write.
    for (const ref of this.table.values()) {
      if (ref.leaseCount > 0 && ref.object !== this && !canFlow(next, ref.object.label)) {
        throw errors.EBUSY(
          'endWrite',
          'buffer',
          `reference ${ref.id} has a buffer lent that the new label could write to; end the read or write first`,
        );
      }
    }
    return next;
  }
}

// Reads a LabelChange from the bytes a task wrote (EINVAL naming `buffer` when malformed).
function parseChange(bytes: Uint8Array): LabelChange {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw errors.EINVAL('endWrite', 'buffer', 'a label change is UTF-8 JSON ({ addSecrecy?: [handle, ...], ... })');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw errors.EINVAL('endWrite', 'buffer', `expected a label change object, got ${describe(value)}`);
  for (const [key, list] of Object.entries(value)) {
    if (!(LABEL_CHANGE_KEYS as readonly string[]).includes(key))
      throw errors.EINVAL('endWrite', `buffer.${key}`, `unknown key (known: ${LABEL_CHANGE_KEYS.join(', ')})`);
    if (!Array.isArray(list) || list.length > MAX_LABEL_TAGS)
      throw errors.EINVAL('endWrite', `buffer.${key}`, `expected an array of at most ${MAX_LABEL_TAGS} handles`);
    list.forEach((h: unknown, i) => {
      if (!Number.isSafeInteger(h) || (h as number) < 1)
        throw errors.EINVAL('endWrite', `buffer.${key}[${i}]`, `expected a handle, got ${describe(h)}`);
    });
  }
  return value;
}
