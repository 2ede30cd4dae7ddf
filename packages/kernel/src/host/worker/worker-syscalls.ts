/**
 * The system calls as a worker task holds them: each call is written into a
 * slot of the shared channel and answered by the kernel's thread. Calls that
 * cannot wait in the kernel block the worker's thread on Atomics.wait (the
 * task has the thread to itself); calls that may wait long (select, run,
 * pause, blocking I/O) wait with Atomics.waitAsync, so other work of the same
 * task goes on. Lent buffers in shared memory are views of the kernel's own
 * bytes: begin_read copies nothing.
 * @module
 */
import type { MessagePort } from 'node:worker_threads';
import { receiveMessageOnPort } from 'node:worker_threads';
import { DiosError, errors, type ErrnoCode } from '../../core/abi/errors.js';
import { BeginReadFlags, BeginWriteFlags, type ObjectType, type SelectResult } from '../../core/abi/flags.js';
import {
  beginReadArguments,
  beginWriteArguments,
  copyArguments,
  createArguments,
  deleteArguments,
  endReadArguments,
  endWriteArguments,
  lookupArguments,
  pauseArguments,
  refArguments,
  runArguments,
  selectArguments,
} from '../../core/syscalls/arguments.js';
import { encodeArguments } from '../../core/syscalls/argument-encoding.js';
import { Name } from '../../core/abi/names.js';
import type { SyscallName } from '../../core/abi/syscall-kinds.js';
import type { RefAttributes, SystemCalls } from '../../core/abi/system-calls.js';
import type { BlockingSystemCalls } from '../../core/abi/blocking-system-calls.js';
import type {
  CopyOptions,
  CreateOptions,
  CreateResult,
  EndWriteOptions,
  ReadOptions,
  SelectOptions,
  TaskSpec,
  WriteOptions,
} from '../../core/abi/syscall-options.js';
import {
  Channel,
  DOORBELL,
  FREE,
  Overflow,
  readExtra,
  readText,
  REPLY,
  REQUEST,
  SLOTS,
  waitAsync,
  writePayload,
  type BufferReply,
  type CallName,
  type ChannelCalls,
  type PortMessage,
  type SentArguments,
} from './channel.js';
import { withoutStackTraces } from './without-stack-traces.js';

/** What a worker task is told about itself when it starts. */
export interface TaskInit {
  /** Arguments. */
  argv: string[];
  /** Environment. */
  env: Record<string, string>;
  /** Input handles. */
  inputs: number[];
  /** Output handles. */
  outputs: number[];
  /** Self handle. */
  self: number;
  /** Task name (hex). */
  taskName: string;
  /** Group names (hex), first group first. */
  groupNames: string[];
  /** Console name (hex). */
  consoleName: string;
  /** Kernel id. */
  kernelId: string;
  /** The binary an interpreter program runs (a WebAssembly module). */
  image?: Uint8Array;
}

// Checks of the reply word before sleeping: most calls are answered within microseconds.
const SPIN = 4000;

/** The eleven calls over a shared-memory channel (see the module comment). */
export class WorkerSystemCalls implements SystemCalls {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly self: number;
  readonly taskName: Name;
  readonly groupNames: readonly Name[];
  readonly consoleName: Name;
  readonly kernelId: string;
  readonly image: Uint8Array | undefined;
  /** The calls without promises: this thread is the task's, so a call blocks it until the kernel answers. */
  readonly blocking: BlockingSystemCalls;
  readonly #channel: Channel;
  readonly #port: MessagePort;
  readonly #shared = new Map<number, SharedArrayBuffer>();
  readonly #overflow = new Overflow();
  // Reads one port message (false when there is none): the overflow's reader.
  readonly #read = (): boolean => this.#drainOne();
  readonly #tokens = new WeakMap<Uint8Array, number>();
  // Copied write buffers, whose bytes travel with end_write.
  readonly #copies = new WeakSet<Uint8Array>();
  #waitingForSlot: (() => void)[] = [];
  /** Calls made (for the worker's own accounting). */
  calls = 0;
  /** Called every 1024 calls (the worker samples its memory). */
  onCalls: (() => void) | undefined = undefined;

  /** Wraps the channel the kernel serves for this task. */
  constructor(channel: SharedArrayBuffer, port: MessagePort, init: TaskInit) {
    this.#channel = new Channel(channel);
    this.#port = port;
    this.argv = Object.freeze([...init.argv]);
    this.env = Object.freeze({ ...init.env });
    this.inputs = Object.freeze([...init.inputs]);
    this.outputs = Object.freeze([...init.outputs]);
    this.self = init.self;
    this.taskName = Name.parse(init.taskName);
    this.groupNames = Object.freeze(init.groupNames.map((n) => Name.parse(n)));
    this.consoleName = Name.parse(init.consoleName);
    this.kernelId = init.kernelId;
    this.image = init.image;
    this.blocking = this.#blockingCalls();
  }

  get handles(): number[] {
    return this.#sync('handles', []);
  }

  // Every call reads its arguments with the reader the kernel uses (core/syscalls/arguments.ts) before
  // anything is encoded: a bad argument fails here exactly as in the kernel's thread, and only the
  // reader's plain snapshot crosses the channel (the kernel reads it again).

  /** A snapshot of reference `handle`'s attributes, as they were when it was taken. */
  ref(handle: number): RefAttributes {
    this.#live('ref');
    return Object.freeze(this.#sync('ref', [refArguments(handle)]));
  }
  async create(type: ObjectType, options?: CreateOptions, flags = 0): Promise<CreateResult> {
    this.#live('create');
    let a;
    try {
      a = createArguments(type, options, flags);
    } catch (e) {
      return this.#refused('create', e);
    }
    const r = this.#sync('create', [a.type, a.options, a.flags]);
    return { name: Name.parse(r.name), ref: r.ref };
  }
  async lookup(name: Name | string, flags = 0): Promise<number[]> {
    this.#live('lookup');
    let a;
    try {
      a = lookupArguments(name, flags);
    } catch (e) {
      return this.#refused('lookup', e);
    }
    return this.#sync('lookup', [a, flags]);
  }
  async copy(refs: readonly number[], target: number, options?: CopyOptions, flags = 0): Promise<number[]> {
    this.#live('copy');
    let a;
    try {
      a = copyArguments(refs, target, options, flags);
    } catch (e) {
      return this.#refused('copy', e);
    }
    return this.#sync('copy', [a.refs, a.target, a.options, a.flags]);
  }
  async delete(ref: number, flags = 0): Promise<void> {
    this.#live('delete');
    let a;
    try {
      a = deleteArguments(ref, flags);
    } catch (e) {
      return this.#refused('delete', e);
    }
    this.#sync('delete', [a.handle, a.flags]);
  }
  async run(binary: number, spec: TaskSpec, flags = 0): Promise<number> {
    this.#live('run');
    let a;
    try {
      a = runArguments(binary, spec, flags);
    } catch (e) {
      return this.#refused('run', e);
    }
    return await this.#async('run', [a.binary, a.spec, a.flags]);
  }
  async pause(task: number, flags = 0): Promise<void> {
    this.#live('pause');
    let a;
    try {
      a = pauseArguments(task, flags);
    } catch (e) {
      return this.#refused('pause', e);
    }
    await this.#async('pause', [a.handle, a.flags]);
  }
  async select<F extends number = 0>(
    refs: readonly number[],
    options?: SelectOptions,
    flags?: F,
  ): Promise<SelectResult<NoInfer<F>>> {
    this.#live('select');
    let a;
    try {
      a = selectArguments(refs, options, flags ?? 0);
    } catch (e) {
      return this.#refused('select', e);
    }
    return (await this.#async('select', [a.refs, a.options, a.flags])) as SelectResult<NoInfer<F>>;
  }
  /** A view of the object's bytes where they are shared memory; a copy otherwise. */
  async beginRead(ref: number, options?: ReadOptions, flags = 0): Promise<Uint8Array> {
    this.#live('beginRead');
    let a;
    try {
      a = beginReadArguments(ref, options, flags);
    } catch (e) {
      return this.#refused('beginRead', e);
    }
    const args: SentArguments<'beginRead'> = [a.handle, a.options, a.flags];
    const r = a.flags & BeginReadFlags.NONBLOCK ? this.#sync('beginRead', args) : await this.#async('beginRead', args);
    return this.#buffer(r, true);
  }
  async endRead(ref: number, buffer: Uint8Array, flags = 0): Promise<boolean> {
    this.#live('endRead');
    let a;
    try {
      a = endReadArguments(ref, flags);
    } catch (e) {
      return this.#refused('endRead', e);
    }
    return this.#sync('endRead', [a.handle, this.#tokenOf(buffer), a.flags]);
  }
  /** For shared objects, a view of a shared buffer the kernel commits from; a buffer whose bytes go with end_write otherwise. */
  async beginWrite(ref: number, length: number, options?: WriteOptions, flags = 0): Promise<Uint8Array> {
    this.#live('beginWrite');
    let a;
    try {
      a = beginWriteArguments(ref, length, options, flags);
    } catch (e) {
      return this.#refused('beginWrite', e);
    }
    const args: SentArguments<'beginWrite'> = [a.handle, a.length, a.options, a.flags];
    const r =
      a.flags & BeginWriteFlags.NONBLOCK ? this.#sync('beginWrite', args) : await this.#async('beginWrite', args);
    return this.#buffer(r, false);
  }
  async endWrite(ref: number, buffer: Uint8Array, options?: EndWriteOptions, flags = 0): Promise<number> {
    this.#live('endWrite');
    let a;
    try {
      a = endWriteArguments(ref, options, flags);
    } catch (e) {
      return this.#refused('endWrite', e);
    }
    // By identity only (WeakSet, WeakMap): no code of the caller's runs (a Proxy's traps, a getter).
    const copied = this.#copies.has(buffer);
    return this.#sync('endWrite', [a.handle, this.#tokenOf(buffer), a.options, a.flags], copied ? buffer : undefined);
  }

  // The same calls, each waiting for its reply with Atomics.wait (as #sync does) whatever it waits for in the
  // kernel. The arguments are read by the same readers; a refused call is reported to the kernel first.
  #blockingCalls(): BlockingSystemCalls {
    const refuse = (name: SyscallName, error: unknown): never => {
      this.#sync('refused', [name]);
      throw error;
    };
    const read = <T>(name: SyscallName, reader: () => T): T => {
      this.#live(name);
      try {
        return reader();
      } catch (e) {
        return refuse(name, e);
      }
    };
    return Object.freeze({
      create: (type: ObjectType, options?: CreateOptions, flags = 0): CreateResult => {
        const a = read('create', () => createArguments(type, options, flags));
        const r = this.#sync('create', [a.type, a.options, a.flags], undefined, true);
        return { name: Name.parse(r.name), ref: r.ref };
      },
      lookup: (name: Name | string, flags = 0): number[] => {
        const a = read('lookup', () => lookupArguments(name, flags));
        return this.#sync('lookup', [a, flags], undefined, true);
      },
      copy: (refs: readonly number[], target: number, options?: CopyOptions, flags = 0): number[] => {
        const a = read('copy', () => copyArguments(refs, target, options, flags));
        return this.#sync('copy', [a.refs, a.target, a.options, a.flags], undefined, true);
      },
      delete: (ref: number, flags = 0): void => {
        const a = read('delete', () => deleteArguments(ref, flags));
        this.#sync('delete', [a.handle, a.flags], undefined, true);
      },
      run: (binary: number, spec: TaskSpec, flags = 0): number => {
        const a = read('run', () => runArguments(binary, spec, flags));
        return this.#sync('run', [a.binary, a.spec, a.flags], undefined, true);
      },
      pause: (task: number, flags = 0): void => {
        const a = read('pause', () => pauseArguments(task, flags));
        this.#sync('pause', [a.handle, a.flags], undefined, true);
      },
      select: <F extends number = 0>(
        refs: readonly number[],
        options?: SelectOptions,
        flags?: F,
      ): SelectResult<NoInfer<F>> => {
        const a = read('select', () => selectArguments(refs, options, flags ?? 0));
        return this.#sync('select', [a.refs, a.options, a.flags], undefined, true) as SelectResult<NoInfer<F>>;
      },
      beginRead: (ref: number, options?: ReadOptions, flags = 0): Uint8Array => {
        const a = read('beginRead', () => beginReadArguments(ref, options, flags));
        return this.#buffer(this.#sync('beginRead', [a.handle, a.options, a.flags], undefined, true), true);
      },
      endRead: (ref: number, buffer: Uint8Array, flags = 0): boolean => {
        const a = read('endRead', () => endReadArguments(ref, flags));
        return this.#sync('endRead', [a.handle, this.#tokenOf(buffer), a.flags], undefined, true);
      },
      beginWrite: (ref: number, length: number, options?: WriteOptions, flags = 0): Uint8Array => {
        const a = read('beginWrite', () => beginWriteArguments(ref, length, options, flags));
        return this.#buffer(this.#sync('beginWrite', [a.handle, a.length, a.options, a.flags], undefined, true), false);
      },
      endWrite: (ref: number, buffer: Uint8Array, options?: EndWriteOptions, flags = 0): number => {
        const a = read('endWrite', () => endWriteArguments(ref, options, flags));
        const copied = this.#copies.has(buffer);
        return this.#sync(
          'endWrite',
          [a.handle, this.#tokenOf(buffer), a.options, a.flags],
          copied ? buffer : undefined,
          true,
        );
      },
    } satisfies BlockingSystemCalls);
  }

  #tokenOf(buffer: Uint8Array): number {
    return this.#tokens.get(buffer) ?? 0;
  }

  // A task that has exited gets ECANCELED for every call, whatever its arguments (as in the kernel's thread).
  #live(name: CallName): void {
    if (this.#channel.closed) throw errors.ECANCELED(name, undefined, 'the task has exited');
  }

  // A call the reader refused: the kernel counts it and holds it while the task is paused (as it does an
  // in-thread call), then the reader's own error is thrown (or ECANCELED if the task exited meanwhile).
  async #refused(name: SyscallName, error: unknown): Promise<never> {
    await this.#async('refused', [name]);
    throw error;
  }

  // Turns a lent-buffer reply into the task's array: a view of shared memory, or a local copy.
  #buffer(r: BufferReply, read: boolean): Uint8Array {
    if ('s' in r) {
      const [id, offset, length, token] = r.s;
      const view = new Uint8Array(this.#sharedBuffer(id, read ? 'beginRead' : 'beginWrite'), offset, length);
      this.#tokens.set(view, token);
      return view;
    }
    const [token, length] = r.c;
    const local = read ? (r.bytes ?? new Uint8Array(length)) : new Uint8Array(length);
    this.#tokens.set(local, token);
    if (!read) this.#copies.add(local);
    return local;
  }

  #sharedBuffer(id: number, call: 'beginRead' | 'beginWrite'): SharedArrayBuffer {
    for (;;) {
      const known = this.#shared.get(id);
      if (known !== undefined) return known;
      if (!this.#drainOne()) throw errors.EIO(call, undefined, `shared buffer ${id} never arrived from the kernel`);
    }
  }

  // Reads one message from the port into the cache or the inbox; false when none is there.
  #drainOne(): boolean {
    const next = receiveMessageOnPort(this.#port);
    if (next === undefined) return false;
    // The kernel's own messages.
    const m = next.message as PortMessage;
    if (m.kind === 'buffer') this.#shared.set(m.id, m.buffer);
    else if (m.kind === 'evict') for (const id of m.ids) this.#shared.delete(id);
    else this.#overflow.keep(m);
    return true;
  }

  #missing(slot: number, kind: 'text' | 'extra'): never {
    throw errors.EIO('channel', undefined, `the ${kind} of slot ${slot} is missing from the port`);
  }

  // Writes a request into a free slot; undefined when every slot is taken.
  #send<K extends CallName>(name: K, args: SentArguments<K>, extra: Uint8Array | undefined): number | undefined {
    const channel = this.#channel;
    if (channel.closed) throw errors.ECANCELED(name, undefined, 'the task has exited');
    let slot = -1;
    for (let i = 0; i < SLOTS; i++) {
      if (Atomics.load(channel.ctrl, channel.stateIndex(i)) === FREE) {
        slot = i;
        break;
      }
    }
    if (slot < 0) return undefined;
    // The arguments are readers' snapshots: plain data JSON carries, undefined, NaN and ±Infinity named beside it.
    const text = encodeArguments(name, args);
    const written = writePayload(channel.data(slot), text, extra, (t, x) => {
      if (t !== undefined) this.#port.postMessage({ kind: 'text', slot, text: t } satisfies PortMessage);
      if (x !== undefined) this.#port.postMessage({ kind: 'extra', slot, bytes: x } satisfies PortMessage);
    });
    channel.setLengths(slot, written.text, written.extra);
    Atomics.store(channel.ctrl, channel.stateIndex(slot), REQUEST);
    Atomics.add(channel.ctrl, DOORBELL, 1);
    Atomics.notify(channel.ctrl, DOORBELL);
    if (++this.calls % 1024 === 0) this.onCalls?.();
    return slot;
  }

  // A call that never waits in the kernel: the thread blocks until the reply. `bare`: the kernel's error is
  // thrown without a stack trace (the blocking calls: their caller, a legacy program's runtime, turns it into an
  // errno, so capturing one would only add to the cost of every failed call).
  #sync<K extends CallName>(
    name: K,
    args: SentArguments<K>,
    extra?: Uint8Array,
    bare = false,
  ): ChannelCalls[K]['reply'] {
    const channel = this.#channel;
    let slot = this.#send(name, args, extra);
    // Every slot busy (many calls waiting in the kernel): block until one frees.
    while (slot === undefined) {
      Atomics.wait(channel.ctrl, DOORBELL, Atomics.load(channel.ctrl, DOORBELL), 1);
      slot = this.#send(name, args, extra);
    }
    const index = channel.stateIndex(slot);
    for (let state; (state = this.#spin(name, slot)) !== REPLY;) Atomics.wait(channel.ctrl, index, state);
    return bare ? withoutStackTraces(() => this.#receive(name, slot)) : this.#receive(name, slot);
  }

  // A call that may wait in the kernel: spin briefly, then wait without blocking the thread.
  async #async<K extends CallName>(name: K, args: SentArguments<K>): Promise<ChannelCalls[K]['reply']> {
    const channel = this.#channel;
    let slot = this.#send(name, args, undefined);
    while (slot === undefined) {
      await new Promise<void>((resolve) => this.#waitingForSlot.push(resolve));
      slot = this.#send(name, args, undefined);
    }
    const index = channel.stateIndex(slot);
    for (let state; (state = this.#spin(name, slot)) !== REPLY;) {
      const wait = waitAsync(channel.ctrl, index, state);
      if (wait.async) await wait.value;
    }
    return this.#receive(name, slot);
  }

  // Spins briefly on the reply word of `slot`: REPLY once the reply is there, else the state to sleep on.
  #spin(name: CallName, slot: number): number {
    const channel = this.#channel;
    const index = channel.stateIndex(slot);
    for (let spins = 0; ; spins++) {
      const state = Atomics.load(channel.ctrl, index);
      if (state === REPLY) return REPLY;
      if (channel.closed) this.#cancelled(name, slot);
      if (spins >= SPIN) return state;
    }
  }

  #cancelled(name: CallName, slot: number): never {
    Atomics.store(this.#channel.ctrl, this.#channel.stateIndex(slot), FREE);
    throw errors.ECANCELED(name, undefined, 'the task has exited');
  }

  // Reads the reply in `slot`, frees the slot, and returns the value or throws the kernel's error.
  #receive<K extends CallName>(name: K, slot: number): ChannelCalls[K]['reply'] {
    const channel = this.#channel;
    const area = channel.data(slot);
    const textLength = channel.length(slot);
    let reply: Reply<ChannelCalls[K]['reply']>;
    try {
      const text = readText(
        area,
        textLength,
        () => this.#overflow.text(slot, this.#read) ?? this.#missing(slot, 'text'),
      );
      const bytes = readExtra(
        area,
        textLength,
        channel.extraLength(slot),
        () => this.#overflow.extra(slot, this.#read) ?? this.#missing(slot, 'extra'),
      );
      // The kernel's own JSON, for call `name` (syscall-handlers.ts).
      reply = JSON.parse(text) as Reply<ChannelCalls[K]['reply']>;
      // A copied read: its bytes ride beside the reply.
      if (bytes !== undefined && isCopy(reply.v)) reply.v.bytes = bytes;
    } finally {
      Atomics.store(channel.ctrl, channel.stateIndex(slot), FREE);
      const waiting = this.#waitingForSlot.shift();
      waiting?.();
    }
    if (reply.e !== undefined) {
      const [code, syscall, argument, detail] = reply.e;
      throw new DiosError(code, syscall, argument ?? undefined, detail);
    }
    if (reply.x !== undefined) throw errors.EIO(name, undefined, `the kernel failed: ${reply.x}`);
    return reply.v;
  }
}

// A reply: the call's value, or the kernel's error (a DiosError's parts), or a failure's message.
interface Reply<T> {
  v: T;
  e?: [code: ErrnoCode, syscall: string, argument: string | null, detail: string];
  x?: string;
}

function isCopy(v: unknown): v is Extract<BufferReply, { c: unknown }> {
  return typeof v === 'object' && v !== null && 'c' in v;
}
