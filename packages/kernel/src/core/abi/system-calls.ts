/**
 * What a task holds: the eleven DIOS system calls and its own attributes.
 * The kernel's {@link TaskContext} implements it for tasks in the kernel's
 * thread; the Node host layer implements it inside worker threads, where each
 * call crosses to the kernel over a shared-memory channel. Programs and libd
 * are written against this interface, so they run in either place.
 * @module
 */
import type { BlockingSystemCalls } from './blocking-system-calls.js';
import type { ObjectType, Consistency, Proximity, SelectResult } from './flags.js';
import type { Name } from './names.js';
import type { ProcessKind } from './program.js';
import type {
  CopyOptions,
  CreateOptions,
  CreateResult,
  EndWriteOptions,
  ReadOptions,
  SelectOptions,
  TaskSpec,
  WriteOptions,
} from './syscall-options.js';

/**
 * The public attributes of one reference. In the kernel's thread they are
 * live ({@link RefView}); in a worker thread they are a snapshot taken when
 * `ref()` was called.
 */
export interface RefAttributes {
  /** The handle. */
  readonly id: number;
  /** The object's type. */
  readonly type: ObjectType;
  /** How far the object is (local memory ... remote). */
  readonly proximity: Proximity;
  /** Whether the object survives a kernel restart. */
  readonly persistent: boolean;
  /** Whether the object dies with its creating task. */
  readonly fateShared: boolean;
  /** Preferred read buffer size. */
  readonly readBufferSize: number;
  /** Preferred write buffer size. */
  readonly writeBufferSize: number;
  /** Consistency policy of I/O through this reference. */
  readonly consistency: Consistency;
  /** Whether a read would proceed now without waiting. */
  readonly ioReady: boolean;
  /** Whether the reference is still open (false after delete or revocation). */
  readonly open: boolean;
  /** The object's size in bytes, as last known. */
  readonly size: number;
  /** The object's version, as last known. */
  readonly version: number;
  /** Network objects: a listener's bound address, a connection's remote address (`host:port`). Undefined for other types. */
  readonly address: string | undefined;
  /** Task references: the task's state and exit status. Undefined for other types. */
  readonly task: TaskStatus | undefined;
  /** Task references: the kind of process (a DIOS program, or a WebAssembly program using POSIX calls only or both). Undefined for other types. */
  readonly process: ProcessKind | undefined;
}

/** A task's view of the kernel: the eleven system calls and its own attributes (see docs/syscalls.md). */
export interface SystemCalls {
  /**
   * The eleven calls again, each returning its result instead of a promise:
   * present only where the task has a thread of its own (a worker), which a
   * blocked call stops. Legacy programs (WebAssembly, whose imports cannot
   * wait for a promise) make their calls this way.
   */
  readonly blocking?: BlockingSystemCalls;
  /** The bytes of the binary an interpreter program runs (a WebAssembly module); undefined for a program binary. */
  readonly image?: Uint8Array;
  /** The task's arguments (argv[0] is the program's name). */
  readonly argv: readonly string[];
  /** The task's environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Handles of the input references run passed in. */
  readonly inputs: readonly number[];
  /** Handles of the output references run passed in. */
  readonly outputs: readonly number[];
  /** Handle of the task's reference to itself (delete it to exit). */
  readonly self: number;
  /** The task's own name. */
  readonly taskName: Name;
  /** Names of the groups the task is a member of (fixed when it was run), first group first. */
  readonly groupNames: readonly Name[];
  /** Name of the kernel's console object (it is named in the kernel's root group). */
  readonly consoleName: Name;
  /** Id of the kernel the task runs on. */
  readonly kernelId: string;
  /** Handles of every open reference, in increasing order. */
  readonly handles: number[];
  /** The public attributes of reference `handle`, or EBADF. */
  ref(handle: number): RefAttributes;
  /** create: makes an object of `type` and returns its name and a reference with all rights. */
  create(type: ObjectType, options?: CreateOptions, flags?: number): Promise<CreateResult>;
  /** lookup: resolves a name to every reference it can reach (several copies may exist). */
  lookup(name: Name | string, flags?: number): Promise<number[]>;
  /** copy: delegates references to the task `target` refers to, with equal or fewer rights. */
  copy(refs: readonly number[], target: number, options?: CopyOptions, flags?: number): Promise<number[]>;
  /** delete: drops a reference; deleting your own task reference exits. */
  delete(ref: number, flags?: number): Promise<void>;
  /** run: starts a task from a binary object; returns a reference to the new task. */
  run(binary: number, spec: TaskSpec, flags?: number): Promise<number>;
  /** pause: suspends a task, or with PauseFlags.RESUME resumes (or starts) it. */
  pause(task: number, flags?: number): Promise<void>;
  /**
   * select: waits until one of `refs` is ready; returns that handle, or with
   * SelectFlags.ALL the handles of every ready reference.
   */
  select<F extends number = 0>(
    refs: readonly number[],
    options?: SelectOptions,
    flags?: F,
  ): Promise<SelectResult<NoInfer<F>>>;
  /** begin_read: lends a view of the object's bytes. */
  beginRead(ref: number, options?: ReadOptions, flags?: number): Promise<Uint8Array>;
  /** end_read: returns a read buffer; resolves to whether the read is still valid. */
  endRead(ref: number, buffer: Uint8Array, flags?: number): Promise<boolean>;
  /** begin_write: lends a buffer of `length` bytes to fill. */
  beginWrite(ref: number, length: number, options?: WriteOptions, flags?: number): Promise<Uint8Array>;
  /** end_write: commits the buffer atomically (or discards it); resolves to the object's new version. */
  endWrite(ref: number, buffer: Uint8Array, options?: EndWriteOptions, flags?: number): Promise<number>;
}

/** SystemCalls' methods: the eleven system calls and `ref`. */
export type SystemCallMethod = {
  [K in keyof SystemCalls]-?: SystemCalls[K] extends (...args: never[]) => unknown ? K : never;
}[keyof SystemCalls];

/** SystemCalls' asynchronous methods: the eleven system calls (`ref` only reads). */
export type AsyncSystemCall = {
  [K in keyof SystemCalls]-?: SystemCalls[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof SystemCalls];

/** Task states visible through a task reference. */
export type TaskState = 'created' | 'running' | 'paused' | 'exited';

/** What a reference view shows about a task object. */
export interface TaskStatus {
  /** The task's state. */
  readonly state: TaskState;
  /** Exit status once exited (0 is success). */
  readonly exitStatus: number | undefined;
}
