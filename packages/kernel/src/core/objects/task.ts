/**
 * Tasks: a program with its reference table, groups and state. The program
 * runs in the kernel's thread as an async function that reaches the kernel
 * only through its system-call interface (which the kernel keeps, not the task).
 * @module
 */
import { ObjectType } from '../abi/flags.js';
import type { Name } from '../abi/names.js';
import type { Reference } from './reference.js';
import type { TaskState, TaskStatus } from '../abi/system-calls.js';
import type { Placement, Program } from '../abi/program.js';
import { KernelObject } from './kernel-object.js';
import type { GroupObject } from './group.js';
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
}
