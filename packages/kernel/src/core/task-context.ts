/**
 * The system-call interface a task holds: exactly the eleven DIOS calls, plus
 * read-only access to its own arguments and reference views. A paused task's
 * calls do not start, and their results are not delivered, until it resumes.
 * @module
 */
import { errors } from './errors.js';
import type { Kernel } from './kernel.js';
import type { Name } from './names.js';
import type { TaskObject } from './objects/task.js';
import type { RefView } from './reference.js';
import { block } from './wait.js';
import { create, type CreateOptions, type CreateResult } from './syscalls/create.js';
import { lookup } from './syscalls/lookup.js';
import { copy, type CopyOptions } from './syscalls/copy.js';
import { deleteRef } from './syscalls/delete.js';
import { run, type TaskSpec } from './syscalls/run.js';
import { pause } from './syscalls/pause.js';
import { select, type SelectOptions } from './syscalls/select.js';
import { beginRead, endRead, type ReadOptions } from './syscalls/read.js';
import { beginWrite, endWrite, type EndWriteOptions, type WriteOptions } from './syscalls/write.js';
import type { ObjectType } from './flags.js';

/** A task's view of the kernel: the eleven system calls and its own attributes. */
export class TaskContext {
  readonly #kernel: Kernel;
  readonly #task: TaskObject;

  /** Made by the kernel for each task. */
  constructor(kernel: Kernel, task: TaskObject) {
    this.#kernel = kernel;
    this.#task = task;
  }

  /** The task's arguments (argv[0] is the program's name). */
  get argv(): readonly string[] {
    return this.#task.setup.argv;
  }
  /** The task's environment. */
  get env(): Readonly<Record<string, string>> {
    return this.#task.setup.env;
  }
  /** Handles of the input references run passed in. */
  get inputs(): readonly number[] {
    return this.#task.inputs;
  }
  /** Handles of the output references run passed in. */
  get outputs(): readonly number[] {
    return this.#task.outputs;
  }
  /** Handle of the task's reference to itself (delete it to exit). */
  get self(): number {
    return this.#task.selfHandle;
  }
  /** The task's own name. */
  get taskName(): Name {
    return this.#task.name;
  }
  /** Names of the groups the task is a member of (fixed when it was run), first group first. */
  get groupNames(): readonly Name[] {
    return this.#task.setup.groups.map((m) => m.group.name);
  }
  /** Name of this kernel's console object (it is named in the kernel's root group). */
  get consoleName(): Name {
    return this.#kernel.console.name;
  }
  /** Id of the kernel the task runs on. */
  get kernelId(): string {
    return this.#kernel.id;
  }
  /** Handles of every open reference, in increasing order. */
  get handles(): number[] {
    return [...this.#task.table.keys()];
  }

  /** The public attributes of reference `handle` (read-only), or EBADF. */
  ref(handle: number): RefView {
    return this.#kernel.ref(this.#task, handle, 'ref', 'handle').view;
  }

  /** create: makes an object of `type` and returns its name and a reference with all rights. */
  create(type: ObjectType, options?: CreateOptions, flags = 0): Promise<CreateResult> {
    if (this.#task.state !== 'running') return this.#call('create', () => create(this.#kernel, this.#task, type, options, flags));
    return this.#settle('create', create(this.#kernel, this.#task, type, options, flags));
  }
  /** lookup: resolves a name to every reference it can reach (several copies may exist). */
  lookup(name: Name | string, flags = 0): Promise<number[]> {
    if (this.#task.state !== 'running') return this.#call('lookup', () => lookup(this.#kernel, this.#task, name, flags));
    return this.#settle('lookup', lookup(this.#kernel, this.#task, name, flags));
  }
  /** copy: delegates references to the task `target` refers to, with equal or fewer rights. */
  copy(refs: readonly number[], target: number, options?: CopyOptions, flags = 0): Promise<number[]> {
    if (this.#task.state !== 'running') return this.#call('copy', () => copy(this.#kernel, this.#task, refs, target, options, flags));
    return this.#settle('copy', copy(this.#kernel, this.#task, refs, target, options, flags));
  }
  /** delete: drops a reference; deleting your own task reference exits. */
  async delete(ref: number, flags = 0): Promise<void> {
    const task = this.#task;
    if (task.state !== 'running') await this.#gate('delete', true);
    deleteRef(this.#kernel, task, ref, flags);
    if (task.state !== 'running') await this.#gate('delete', false);
  }

  /** run: starts a task from a binary object; returns a reference to the new task. */
  run(binary: number, spec: TaskSpec, flags = 0): Promise<number> {
    if (this.#task.state !== 'running') return this.#call('run', () => run(this.#kernel, this.#task, binary, spec, flags));
    return this.#settle('run', run(this.#kernel, this.#task, binary, spec, flags));
  }
  /** pause: suspends a task, or with PauseFlags.RESUME resumes (or starts) it. */
  pause(task: number, flags = 0): Promise<void> {
    if (this.#task.state !== 'running') return this.#call('pause', () => pause(this.#kernel, this.#task, task, flags));
    return this.#settle('pause', pause(this.#kernel, this.#task, task, flags));
  }
  /** select: waits until one of `refs` is ready; returns that handle. */
  select(refs: readonly number[], options?: SelectOptions, flags = 0): Promise<number> {
    if (this.#task.state !== 'running') return this.#call('select', () => select(this.#kernel, this.#task, refs, options, flags));
    return this.#settle('select', select(this.#kernel, this.#task, refs, options, flags));
  }
  /** begin_read: lends a view of the object's bytes. */
  async beginRead(ref: number, options?: ReadOptions, flags = 0): Promise<Uint8Array> {
    const task = this.#task;
    if (task.state !== 'running') await this.#gate('beginRead', true);
    const pending = beginRead(this.#kernel, task, ref, options, flags);
    // Local I/O completes synchronously: awaiting only real promises keeps a call to one turn of the event loop.
    const result = pending instanceof Promise ? await pending : pending;
    if (task.state !== 'running') await this.#gate('beginRead', false);
    return result;
  }
  /** end_read: returns a read buffer; resolves to whether the read is still valid. */
  async endRead(ref: number, buffer: Uint8Array, flags = 0): Promise<boolean> {
    const task = this.#task;
    if (task.state !== 'running') await this.#gate('endRead', true);
    const pending = endRead(this.#kernel, task, ref, buffer, flags);
    // Local I/O completes synchronously: awaiting only real promises keeps a call to one turn of the event loop.
    const result = pending instanceof Promise ? await pending : pending;
    if (task.state !== 'running') await this.#gate('endRead', false);
    return result;
  }
  /** begin_write: lends a buffer of `length` bytes to fill. */
  async beginWrite(ref: number, length: number, options?: WriteOptions, flags = 0): Promise<Uint8Array> {
    const task = this.#task;
    if (task.state !== 'running') await this.#gate('beginWrite', true);
    const pending = beginWrite(this.#kernel, task, ref, length, options, flags);
    // Local I/O completes synchronously: awaiting only real promises keeps a call to one turn of the event loop.
    const result = pending instanceof Promise ? await pending : pending;
    if (task.state !== 'running') await this.#gate('beginWrite', false);
    return result;
  }
  /** end_write: commits the buffer atomically (or discards it); resolves to the object's new version. */
  async endWrite(ref: number, buffer: Uint8Array, options?: EndWriteOptions, flags = 0): Promise<number> {
    const task = this.#task;
    if (task.state !== 'running') await this.#gate('endWrite', true);
    const pending = endWrite(this.#kernel, task, ref, buffer, options, flags);
    // Local I/O completes synchronously: awaiting only real promises keeps a call to one turn of the event loop.
    const result = pending instanceof Promise ? await pending : pending;
    if (task.state !== 'running') await this.#gate('endWrite', false);
    return result;
  }

  // A paused task waits at both ends of a call. The I/O calls and delete complete synchronously in the
  // kernel when they can, so their methods are one async frame each. The others take a fast path when
  // the task is running: the system call is called directly (one call site per method keeps the JIT
  // monomorphic) and #settle adds the exit-side check; #call is the general path.
  async #call<T>(syscall: string, body: () => Promise<T> | T): Promise<T> {
    const task = this.#task;
    if (task.state !== 'running') await this.#gate(syscall, true);
    const result = await body();
    if (task.state !== 'running') await this.#gate(syscall, false);
    return result;
  }

  // The exit side of #call for a call started on the fast path (every system call is an async function, so none throws).
  #settle<T>(syscall: string, pending: Promise<T>): Promise<T> {
    return pending.then((result) => (this.#task.state === 'running' ? result : this.#gate(syscall, false).then(() => result)));
  }

  async #gate(syscall: string, entering: boolean): Promise<void> {
    const task = this.#task;
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
