/**
 * Containers (docs/containers.md): a group that is the only name-resolution
 * scope of a set of tasks, a secrecy tag every one of them carries, a console
 * of their own, a stop notice, and limits. A task joins a container when it
 * starts in the container's group or is started by a task of the container,
 * and it can never leave: its children are the container's too. The kernel
 * keeps the isolation and the limits; the container's life cycle (images,
 * the OCI states) is the host's (apps' container engine).
 * @module
 */
import { errors } from '../abi/errors.js';
import { describe, type Name } from '../abi/names.js';
import { ConsoleObject, type ConsoleSink } from './console.js';
import type { GroupObject } from './group.js';
import type { KernelObject } from './kernel-object.js';
import { Label } from './label.js';
import type { StreamObject } from './stream.js';
import type { TaskObject } from './task.js';

/** A container's limits (each optional: none means no limit). */
export interface ContainerLimits {
  /**
   * Heap limit of each of the container's tasks, in MiB (a worker thread's
   * `maxOldGenerationSizeMb`, 4 to 65536). A task over it ends with ENOMEM and
   * the whole container is killed, its exit reason `oom`.
   */
  readonly memoryMb?: number;
  /** The most tasks alive in the container at once (1 to 65536): a `run` beyond it fails with EAGAIN. */
  readonly maxTasks?: number;
  /**
   * Relative CPU weight, as Docker's `--cpu-shares` (2 to 262144, default
   * 1024): the container's threads get a scheduling priority of that weight
   * from the host's scheduler (each halving is about three nice levels).
   */
  readonly cpuShares?: number;
}

/** Options of `createContainer` (kernel/containers.ts). */
export interface ContainerOptions {
  /** The container's id: 1 to 128 of `[A-Za-z0-9_.-]`, starting with a letter or digit. Its group's name derives from it. */
  readonly id: string;
  /** Limits (default: none). */
  readonly limits?: ContainerLimits;
  /** The secrecy tag to use again (a restarted host's container keeps its tag); default: a new random tag. */
  readonly tag?: Name;
  /** Where the container's console output goes (default: discarded). */
  readonly consoleSink?: ConsoleSink;
}

/** Why a container's task ended, as its {@link ContainerEvent} tells. */
export type ContainerExitReason =
  /** The program returned or exited. */
  | 'exited'
  /** The host killed it (killContainer). */
  | 'killed'
  /** It, or another task of its container, passed the memory limit. */
  | 'oom'
  /** The kernel that started it (or that it ran on) was lost. */
  | 'lost';

/** A task of a container ended. */
export interface ContainerEvent {
  /** The task's name. */
  readonly task: Name;
  /** Its argv. */
  readonly argv: readonly string[];
  /** Its exit status. */
  readonly status: number;
  /** Why it ended. */
  readonly reason: ContainerExitReason;
  /** Tasks of the container still alive after this one. */
  readonly remaining: number;
}

/** The seed of a container's stop notice, a stream in its group (`Name.seeded(group, STOP_NOTICE_SEED)`): it ends when the host asks the container to stop. */
export const STOP_NOTICE_SEED = 'dios:stop-notice';
/** Exit status of a task killed with its container (128 + SIGKILL, as a shell shows a killed process). */
export const EXIT_KILLED = 137;

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const MIB = 1024 * 1024;
/** What an object costs its container beyond its bytes (its name, records and references), so empty objects count too. */
export const OBJECT_OVERHEAD_BYTES = 1024;

/** The limits checked (EINVAL naming `options.limits.FIELD`), frozen. */
export function checkLimits(limits: unknown, syscall: string): Readonly<ContainerLimits> {
  if (limits === undefined) return Object.freeze({});
  if (typeof limits !== 'object' || limits === null || Array.isArray(limits))
    throw errors.EINVAL(syscall, 'options.limits', `expected an object, got ${describe(limits)}`);
  const out: { -readonly [K in keyof ContainerLimits]: number } = {};
  const ranges: Record<keyof ContainerLimits, [number, number]> = {
    memoryMb: [4, 65536],
    maxTasks: [1, 65536],
    cpuShares: [2, 262144],
  };
  for (const [key, value] of Object.entries(limits)) {
    const range = ranges[key as keyof ContainerLimits] as [number, number] | undefined;
    if (range === undefined)
      throw errors.EINVAL(syscall, `options.limits.${key}`, 'not a limit (memoryMb, maxTasks, cpuShares)');
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || (value as number) < range[0] || (value as number) > range[1])
      throw errors.EINVAL(
        syscall,
        `options.limits.${key}`,
        `expected an integer in [${range[0]}, ${range[1]}], got ${describe(value)}`,
      );
    out[key as keyof ContainerLimits] = value as number;
  }
  return Object.freeze(out);
}

/** The id checked (EINVAL naming `options.id`). */
export function checkContainerId(id: unknown, syscall: string): string {
  if (typeof id !== 'string' || !ID.test(id))
    throw errors.EINVAL(
      syscall,
      'options.id',
      `a container id is 1 to 128 of [A-Za-z0-9_.-], starting with a letter or digit; got ${describe(id)}`,
    );
  return id;
}

/** Init's handles on a container's objects. */
export interface ContainerHandles {
  /** The group, with every right: the host runs tasks in it (`spec.groups`) and creates objects there. */
  readonly group: number;
  /** The secrecy tag, with ADD and REMOVE: the host is the container's declassifier. */
  readonly tag: number;
  /** The stop notice's writing end: closing it (noticeContainer) ends the notice. */
  readonly notice: number;
}

/** A container as the kernel keeps it. Made by `createContainer` (kernel/containers.ts). */
export class Container {
  /** Live tasks of the container. */
  readonly #tasks = new Set<TaskObject>();
  readonly #listeners = new Set<(event: ContainerEvent) => void>();
  /** Set when a task passed the memory limit: the rest were killed with it. */
  oomKilled = false;
  /** Set once the host removed the container: nothing more starts in it. */
  removed = false;
  /** Bytes the objects its tasks created hold, each with OBJECT_OVERHEAD_BYTES for its bookkeeping. */
  objectBytes = 0;
  /** Bytes of write buffers lent for its objects and not yet given back. */
  lentBytes = 0;

  /** Use `createContainer` (kernel/containers.ts). */
  constructor(
    /** The container's id. */
    readonly id: string,
    /** Its group: its tasks' only scope (and the first group of each). */
    readonly group: GroupObject,
    /** Name of its secrecy tag: every task of the container carries it. */
    readonly tag: Name,
    /** Its limits. */
    readonly limits: Readonly<ContainerLimits>,
    /** Its console (what `sys.consoleName` names for its tasks). */
    readonly console: ConsoleObject,
    /** The stop notice: a stream in its group that ends when the host asks the container to stop (a new one after `rearmContainer`). */
    public notice: StreamObject,
    /** Init's handles: the group (every right: run tasks in it), the tag (ADD and REMOVE: the host's declassifier), the notice's writing end. */
    public handles: ContainerHandles,
    /** Whether this is a replica of a container homed on another kernel (its tasks placed here by a peer). */
    readonly home: string | undefined = undefined,
  ) {}

  /** The label a task gets on joining: its parent's plus the container's tag. */
  labelFor(parent: Label): Label {
    if (parent.secrecy.has(this.tag.key)) return parent;
    return Label.of([...parent.secrecy, this.tag.key], parent.integrity);
  }

  /** The live tasks (oldest first). */
  get tasks(): readonly TaskObject[] {
    return [...this.#tasks];
  }
  /** How many tasks are alive. */
  get taskCount(): number {
    return this.#tasks.size;
  }

  /** Calls `listener` on every exit of one of the container's tasks; returns the function that stops it. */
  subscribe(listener: (event: ContainerEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** EAGAIN (or ECANCELED once removed) unless one more task may start: run checks it before the task is made. */
  admit(syscall: string): void {
    if (this.removed)
      throw errors.ECANCELED(syscall, undefined, `container ${this.id} was removed: nothing more starts in it`);
    const max = this.limits.maxTasks;
    if (max !== undefined && this.#tasks.size >= max)
      throw errors.EAGAIN(
        syscall,
        undefined,
        `container ${this.id} has ${this.#tasks.size} live tasks, its limit (limits.maxTasks)`,
      );
  }

  /**
   * ENOMEM (naming `argument` of `syscall`) when `more` bytes would take the
   * objects of the container past its memory limit: the limit bounds each
   * task's heap and, separately, everything its objects hold in the kernel.
   */
  checkRoom(syscall: string, argument: string, more: number): void {
    const mb = this.limits.memoryMb;
    if (mb === undefined) return;
    if (this.objectBytes + this.lentBytes + more > mb * MIB)
      throw errors.ENOMEM(
        syscall,
        argument,
        `container ${this.id}'s objects hold ${this.objectBytes + this.lentBytes} bytes; ${more} more would pass its limit of ${mb} MiB`,
      );
  }

  /** Counts `obj` (made by a task of the container, or grown since) at its present size. */
  charge(obj: KernelObject): void {
    const now = obj.destroyed ? 0 : obj.memoryBytes + OBJECT_OVERHEAD_BYTES;
    this.objectBytes += now - obj.accounted;
    obj.accounted = now;
  }

  /** Write buffers lent (positive) or given back (negative). */
  lend(bytes: number): void {
    this.lentBytes += bytes;
  }

  /** A task joined (spawn). */
  joined(task: TaskObject): void {
    this.#tasks.add(task);
  }

  /** A task ended (exitTask): tells the listeners. */
  left(task: TaskObject, status: number, reason: ContainerExitReason): void {
    if (!this.#tasks.delete(task)) return;
    const event: ContainerEvent = {
      task: task.name,
      argv: task.setup.argv,
      status,
      reason,
      remaining: this.#tasks.size,
    };
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // A listener's failure is the host's; the kernel goes on.
      }
    }
  }
}

/** A container's console: a console device named in its group. */
export function containerConsole(name: Name, group: GroupObject, sink: ConsoleSink | undefined): ConsoleObject {
  return new ConsoleObject(name, sink ?? (() => {}), group);
}
