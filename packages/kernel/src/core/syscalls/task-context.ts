/**
 * The system-call interface a task holds: exactly the eleven DIOS calls, plus
 * read-only access to its own arguments and reference views. A paused task's
 * calls do not start, and their results are not delivered, until it resumes.
 * @module
 */
import { errors } from '../abi/errors.js';
import type { KernelState } from '../kernel/kernel-state.js';
import type { Name } from '../abi/names.js';
import type { TaskObject } from '../objects/task.js';
import type { RefView } from '../objects/reference.js';
import type { SystemCalls } from '../abi/system-calls.js';
import { block } from '../objects/wait.js';
import { create } from './create.js';
import { lookup } from './lookup.js';
import { copy } from './copy.js';
import { deleteRef } from './delete.js';
import { run } from './run.js';
import { pause } from './pause.js';
import { select } from './select.js';
import { beginRead, endRead } from './read.js';
import { beginWrite, endWrite } from './write.js';
import type {
  CopyOptions,
  CreateOptions,
  CreateResult,
  EndWriteOptions,
  ReadOptions,
  SelectOptions,
  TaskSpec,
  WriteOptions,
} from '../abi/syscall-options.js';
import { endWriteArguments } from './arguments.js';
import { EndReadFlags, EndWriteFlags, type ObjectType, type SelectResult } from '../abi/flags.js';
import { watchTask } from '../kernel/monitoring.js';
import type { TaskStats } from '../objects/task-stats.js';
import { Syscall, SYSCALL_NAMES, type SyscallName } from '../abi/syscall-kinds.js';
import { describe } from '../abi/names.js';

// Set by TaskContext's static block: reaches its private #refused for refusedCall, without a method on the task's object.
let refuse: (ctx: TaskContext, kind: number) => Promise<void>;

/**
 * The kernel's side of a call a worker task's own reading of its arguments
 * refused (the same reader refuses it in the kernel's thread): it counts as a
 * call that failed, and like any call of a paused task it returns only when
 * the task runs again, or fails with ECANCELED once the task has exited. The
 * worker then throws the reader's error.
 */
export function refusedCall(ctx: TaskContext, syscall: unknown): Promise<void> {
  const kind = SYSCALL_NAMES.indexOf(syscall as SyscallName);
  if (kind < 0) return Promise.reject(errors.EINVAL('channel', 'call', `no system call ${describe(syscall)}`));
  return refuse(ctx, kind);
}

/**
 * The kernel's {@link SystemCalls} for one task: each call is made by its
 * module in core/syscalls with the task's rights, counted in the task's
 * stats, and held while the task is paused. A task in the kernel's thread
 * holds it; a worker task's calls are served through it.
 */
export class TaskContext implements SystemCalls {
  static {
    refuse = (ctx, kind) => ctx.#refused(kind);
  }

  readonly #kernel: KernelState;
  readonly #task: TaskObject;
  readonly #stats: TaskStats;
  // The stats' per-kind counters, held directly: counting a call is one typed-array store, no lookup.
  readonly #calls: Float64Array;
  // Shared rejection handler of the fast paths (one closure per task, not one per call).
  readonly #failed = (error: unknown): never => {
    this.#stats.fail(error);
    throw error;
  };

  /** Made by the kernel for each task. */
  constructor(kernel: KernelState, task: TaskObject) {
    this.#kernel = kernel;
    this.#task = task;
    this.#stats = task.stats;
    this.#calls = task.stats.calls;
    watchTask(kernel, task);
  }

  get argv(): readonly string[] {
    return this.#task.setup.argv;
  }
  get env(): Readonly<Record<string, string>> {
    return this.#task.setup.env;
  }
  get inputs(): readonly number[] {
    return this.#task.inputs;
  }
  get outputs(): readonly number[] {
    return this.#task.outputs;
  }
  get self(): number {
    return this.#task.selfHandle;
  }
  get taskName(): Name {
    return this.#task.name;
  }
  get groupNames(): readonly Name[] {
    return this.#task.setup.groups.map((m) => m.group.name);
  }
  get consoleName(): Name {
    return this.#task.container?.console.name ?? this.#kernel.console.name;
  }
  get kernelId(): string {
    return this.#kernel.id;
  }
  get handles(): number[] {
    return [...this.#task.table.keys()];
  }

  /** The live view of reference `handle` (read-only: it shows the reference as it is at each read), or EBADF. */
  ref(handle: number): RefView {
    return this.#kernel.ref(this.#task, handle, 'ref', 'handle').view;
  }

  create(type: ObjectType, options?: CreateOptions, flags = 0): Promise<CreateResult> {
    this.#count(Syscall.create);
    if (this.#task.state !== 'running')
      return this.#call(Syscall.create, () => create(this.#kernel, this.#task, type, options, flags));
    return this.#settle(Syscall.create, create(this.#kernel, this.#task, type, options, flags));
  }
  async lookup(name: Name | string, flags = 0): Promise<number[]> {
    const task = this.#task;
    this.#count(Syscall.lookup);
    try {
      if (task.state !== 'running') await this.#gate(Syscall.lookup, true);
      const pending = lookup(this.#kernel, task, name, flags);
      // A kernel outside a cluster answers synchronously: one async frame, no extra promise to settle.
      const result = pending instanceof Promise ? await pending : pending;
      if (task.state !== 'running') await this.#gate(Syscall.lookup, false);
      return result;
    } catch (error) {
      this.#stats.fail(error);
      throw error;
    }
  }
  copy(refs: readonly number[], target: number, options?: CopyOptions, flags = 0): Promise<number[]> {
    this.#count(Syscall.copy);
    if (this.#task.state !== 'running')
      return this.#call(Syscall.copy, () => copy(this.#kernel, this.#task, refs, target, options, flags));
    return this.#settle(Syscall.copy, copy(this.#kernel, this.#task, refs, target, options, flags));
  }
  async delete(ref: number, flags = 0): Promise<void> {
    const task = this.#task;
    this.#count(Syscall.delete);
    try {
      if (task.state !== 'running') await this.#gate(Syscall.delete, true);
      deleteRef(this.#kernel, task, ref, flags);
      if (task.state !== 'running') await this.#gate(Syscall.delete, false);
    } catch (error) {
      this.#stats.fail(error);
      throw error;
    }
  }

  run(binary: number, spec: TaskSpec, flags = 0): Promise<number> {
    this.#count(Syscall.run);
    if (this.#task.state !== 'running')
      return this.#call(Syscall.run, () => run(this.#kernel, this.#task, binary, spec, flags));
    return this.#settle(Syscall.run, run(this.#kernel, this.#task, binary, spec, flags));
  }
  pause(task: number, flags = 0): Promise<void> {
    this.#count(Syscall.pause);
    if (this.#task.state !== 'running')
      return this.#call(Syscall.pause, () => pause(this.#kernel, this.#task, task, flags));
    return this.#settle(Syscall.pause, pause(this.#kernel, this.#task, task, flags));
  }
  select<F extends number = 0>(
    refs: readonly number[],
    options?: SelectOptions,
    flags?: F,
  ): Promise<SelectResult<NoInfer<F>>> {
    this.#count(Syscall.select);
    const f = flags ?? 0;
    if (this.#task.state !== 'running')
      return this.#call(Syscall.select, () => select(this.#kernel, this.#task, refs, options, f)) as Promise<
        SelectResult<NoInfer<F>>
      >;
    return this.#settle(Syscall.select, select(this.#kernel, this.#task, refs, options, f)) as Promise<
      SelectResult<NoInfer<F>>
    >;
  }
  async beginRead(ref: number, options?: ReadOptions, flags = 0): Promise<Uint8Array> {
    const task = this.#task;
    this.#count(Syscall.beginRead);
    try {
      if (task.state !== 'running') await this.#gate(Syscall.beginRead, true);
      const pending = beginRead(this.#kernel, task, ref, options, flags);
      // Local I/O completes synchronously: awaiting only real promises keeps a call to one turn of the event loop.
      const result = pending instanceof Promise ? await pending : pending;
      if (task.state !== 'running') await this.#gate(Syscall.beginRead, false);
      return result;
    } catch (error) {
      this.#stats.fail(error);
      throw error;
    }
  }
  async endRead(ref: number, buffer: Uint8Array, flags = 0): Promise<boolean> {
    const task = this.#task;
    this.#count(Syscall.endRead);
    try {
      if (task.state !== 'running') await this.#gate(Syscall.endRead, true);
      const pending = endRead(this.#kernel, task, ref, buffer, flags);
      // Local I/O completes synchronously: awaiting only real promises keeps a call to one turn of the event loop.
      const result = pending instanceof Promise ? await pending : pending;
      // Counted at the end, when the buffer proved to be a lent one; RELEASE consumed nothing (flags are checked by now).
      if ((flags & EndReadFlags.RELEASE) === 0) this.#stats.bytesRead += buffer.length;
      if (task.state !== 'running') await this.#gate(Syscall.endRead, false);
      return result;
    } catch (error) {
      this.#stats.fail(error);
      throw error;
    }
  }
  async beginWrite(ref: number, length: number, options?: WriteOptions, flags = 0): Promise<Uint8Array> {
    const task = this.#task;
    this.#count(Syscall.beginWrite);
    try {
      if (task.state !== 'running') await this.#gate(Syscall.beginWrite, true);
      const pending = beginWrite(this.#kernel, task, ref, length, options, flags);
      // Local I/O completes synchronously: awaiting only real promises keeps a call to one turn of the event loop.
      const result = pending instanceof Promise ? await pending : pending;
      if (task.state !== 'running') await this.#gate(Syscall.beginWrite, false);
      return result;
    } catch (error) {
      this.#stats.fail(error);
      throw error;
    }
  }
  async endWrite(ref: number, buffer: Uint8Array, options?: EndWriteOptions, flags = 0): Promise<number> {
    const task = this.#task;
    this.#count(Syscall.endWrite);
    try {
      if (task.state !== 'running') await this.#gate(Syscall.endWrite, true);
      // Read once here, so the count below sees the length the call committed (a getter could answer twice).
      const a = endWriteArguments(ref, options, flags);
      const pending = endWrite(this.#kernel, task, a.handle, buffer, a.options, a.flags);
      // Local I/O completes synchronously: awaiting only real promises keeps a call to one turn of the event loop.
      const result = pending instanceof Promise ? await pending : pending;
      // The call checked options.length against the buffer, so this is what was committed.
      if ((a.flags & EndWriteFlags.DISCARD) === 0)
        this.#stats.bytesWritten += (a.options as EndWriteOptions | undefined)?.length ?? buffer.length;
      if (task.state !== 'running') await this.#gate(Syscall.endWrite, false);
      return result;
    } catch (error) {
      this.#stats.fail(error);
      throw error;
    }
  }

  // A paused task waits at both ends of a call. The I/O calls and delete complete synchronously in the
  // kernel when they can, so their methods are one async frame each. The others take a fast path when
  // the task is running: the system call is called directly (one call site per method keeps the JIT
  // monomorphic) and #settle adds the exit-side check; #call is the general path.
  // Every method counts its call on entry; failures are counted where they surface, successes of create and run by #made.
  async #call<T>(kind: number, body: () => Promise<T> | T): Promise<T> {
    const task = this.#task;
    try {
      if (task.state !== 'running') await this.#gate(kind, true);
      const result = await body();
      this.#made(kind);
      if (task.state !== 'running') await this.#gate(kind, false);
      return result;
    } catch (error) {
      this.#stats.fail(error);
      throw error;
    }
  }

  // A call refused before it started: counted, and gated as a call of a paused task is (see refusedCall).
  async #refused(kind: number): Promise<void> {
    this.#count(kind);
    try {
      if (this.#task.state !== 'running') await this.#gate(kind, true);
    } finally {
      // The worker throws the reader's error: its code is not seen here.
      this.#stats.fail(undefined);
    }
  }

  // The exit side of #call for a call started on the fast path (every system call is an async function, so none throws).
  #settle<T>(kind: number, pending: Promise<T>): Promise<T> {
    return pending.then((result) => {
      this.#made(kind);
      return this.#task.state === 'running' ? result : this.#gate(kind, false).then(() => result);
    }, this.#failed);
  }

  #count(kind: number): void {
    const calls = this.#calls;
    calls[kind] = calls[kind]! + 1;
  }

  // Counts the objects a successful call made: only create and run make any.
  #made(kind: number): void {
    if (kind === Syscall.create) this.#stats.objectsCreated++;
    else if (kind === Syscall.run) {
      this.#stats.objectsCreated++;
      this.#stats.tasksStarted++;
    }
  }

  async #gate(kind: number, entering: boolean): Promise<void> {
    const task = this.#task;
    const syscall = SYSCALL_NAMES[kind]!;
    const runnable = () => {
      if (task.state === 'exited') {
        // A call that made the task exit (delete of its self reference) still returns normally.
        if (entering) throw errors.ECANCELED(syscall, undefined, 'the task has exited');
        return true;
      }
      return task.state === 'running' ? true : undefined;
    };
    await block(runnable, [task.changed], { syscall });
  }
}
