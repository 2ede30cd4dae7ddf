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
import { DiosError, errors, type ErrnoCode } from '../../core/errors.js';
import { BeginReadFlags, BeginWriteFlags, type ObjectType } from '../../core/flags.js';
import { Name } from '../../core/names.js';
import type { RefAttributes, SystemCalls } from '../../core/system-calls.js';
import type { CreateOptions, CreateResult } from '../../core/syscalls/create.js';
import type { CopyOptions } from '../../core/syscalls/copy.js';
import type { TaskSpec } from '../../core/syscalls/run.js';
import type { SelectOptions } from '../../core/syscalls/select.js';
import type { ReadOptions } from '../../core/syscalls/read.js';
import type { EndWriteOptions, WriteOptions } from '../../core/syscalls/write.js';
import { Channel, DOORBELL, FREE, readExtra, readText, REPLY, REQUEST, SLOTS, waitAsync, writePayload, type BufferReply, type CallName, type PortMessage } from './channel.js';

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
  readonly #channel: Channel;
  readonly #port: MessagePort;
  readonly #shared = new Map<number, SharedArrayBuffer>();
  readonly #inbox: PortMessage[] = [];
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
  }

  /** Handles of every open reference, in increasing order. */
  get handles(): number[] {
    return this.#sync('handles', []) as number[];
  }
  /** A snapshot of reference `handle`'s attributes. */
  ref(handle: number): RefAttributes {
    return Object.freeze(this.#sync('ref', [handle]) as RefAttributes);
  }
  /** create (see SystemCalls). */
  async create(type: ObjectType, options?: CreateOptions, flags = 0): Promise<CreateResult> {
    const r = this.#sync('create', [type, options, flags]) as { name: string; ref: number };
    return { name: Name.parse(r.name), ref: r.ref };
  }
  /** lookup (see SystemCalls). */
  async lookup(name: Name | string, flags = 0): Promise<number[]> {
    return this.#sync('lookup', [name, flags]) as number[];
  }
  /** copy (see SystemCalls). */
  async copy(refs: readonly number[], target: number, options?: CopyOptions, flags = 0): Promise<number[]> {
    return this.#sync('copy', [refs, target, options, flags]) as number[];
  }
  /** delete (see SystemCalls). */
  async delete(ref: number, flags = 0): Promise<void> {
    this.#sync('delete', [ref, flags]);
  }
  /** run (see SystemCalls). */
  run(binary: number, spec: TaskSpec, flags = 0): Promise<number> {
    return this.#async('run', [binary, spec, flags]) as Promise<number>;
  }
  /** pause (see SystemCalls). */
  pause(task: number, flags = 0): Promise<void> {
    return this.#async('pause', [task, flags]) as Promise<void>;
  }
  /** select (see SystemCalls). */
  select(refs: readonly number[], options?: SelectOptions, flags = 0): Promise<number> {
    return this.#async('select', [refs, options, flags]) as Promise<number>;
  }
  /** begin_read (see SystemCalls): a view of the object's shared bytes. */
  async beginRead(ref: number, options?: ReadOptions, flags = 0): Promise<Uint8Array> {
    const args = [ref, options, flags];
    const r = (flags & BeginReadFlags.NONBLOCK ? this.#sync('beginRead', args) : await this.#async('beginRead', args)) as BufferReply;
    return this.#buffer(r, true);
  }
  /** end_read (see SystemCalls). */
  async endRead(ref: number, buffer: Uint8Array, flags = 0): Promise<boolean> {
    return this.#sync('endRead', [ref, this.#tokenOf(buffer), flags]) as boolean;
  }
  /** begin_write (see SystemCalls): for shared objects, a view of a shared buffer the kernel commits from. */
  async beginWrite(ref: number, length: number, options?: WriteOptions, flags = 0): Promise<Uint8Array> {
    const args = [ref, length, options, flags];
    const r = (flags & BeginWriteFlags.NONBLOCK ? this.#sync('beginWrite', args) : await this.#async('beginWrite', args)) as BufferReply;
    return this.#buffer(r, false);
  }
  /** end_write (see SystemCalls). */
  async endWrite(ref: number, buffer: Uint8Array, options?: EndWriteOptions, flags = 0): Promise<number> {
    const copied = buffer instanceof Uint8Array && this.#copies.has(buffer);
    return this.#sync('endWrite', [ref, this.#tokenOf(buffer), options, flags], copied ? buffer : undefined) as number;
  }

  #tokenOf(buffer: unknown): number {
    return buffer instanceof Uint8Array ? (this.#tokens.get(buffer) ?? 0) : 0;
  }

  // Turns a lent-buffer reply into the task's array: a view of shared memory, or a local copy.
  #buffer(r: BufferReply, read: boolean): Uint8Array {
    if ('s' in r) {
      const [id, offset, length, token] = r.s;
      const view = new Uint8Array(this.#sharedBuffer(id), offset, length);
      this.#tokens.set(view, token);
      return view;
    }
    const [token, length] = r.c;
    const local = read ? ((r as { bytes?: Uint8Array }).bytes ?? new Uint8Array(length)) : new Uint8Array(length);
    this.#tokens.set(local, token);
    if (!read) this.#copies.add(local);
    return local;
  }

  #sharedBuffer(id: number): SharedArrayBuffer {
    for (;;) {
      const known = this.#shared.get(id);
      if (known !== undefined) return known;
      if (!this.#drainOne()) throw errors.EIO('beginRead', undefined, `shared buffer ${id} never arrived from the kernel`);
    }
  }

  // Reads one message from the port into the cache or the inbox; false when none is there.
  #drainOne(): boolean {
    const next = receiveMessageOnPort(this.#port);
    if (next === undefined) return false;
    const m = next.message as PortMessage;
    if (m.kind === 'buffer') this.#shared.set(m.id, m.buffer);
    else if (m.kind === 'evict') for (const id of m.ids) this.#shared.delete(id);
    else this.#inbox.push(m);
    return true;
  }

  #fromPort(slot: number, kind: 'text' | 'extra'): string | Uint8Array {
    for (;;) {
      const i = this.#inbox.findIndex((m) => m.kind === kind && m.slot === slot);
      if (i >= 0) {
        const m = this.#inbox.splice(i, 1)[0]!;
        return m.kind === 'text' ? m.text : (m as { bytes: Uint8Array }).bytes;
      }
      if (!this.#drainOne()) throw errors.EIO('channel', undefined, `the ${kind} of slot ${slot} is missing from the port`);
    }
  }

  // Writes a request into a free slot; undefined when every slot is taken.
  #send(name: CallName, args: unknown[], extra: Uint8Array | undefined): number | undefined {
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
    const undefinedAt: number[] = [];
    args.forEach((a, i) => {
      if (a === undefined) undefinedAt.push(i);
    });
    let text: string;
    try {
      text = JSON.stringify([name, undefinedAt, ...args]);
    } catch (e) {
      throw errors.EINVAL(name, undefined, `the arguments cannot be sent to the kernel: ${e instanceof Error ? e.message : String(e)}`);
    }
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

  // A call that never waits in the kernel: the thread blocks until the reply.
  #sync(name: CallName, args: unknown[], extra?: Uint8Array): unknown {
    const channel = this.#channel;
    let slot = this.#send(name, args, extra);
    // Every slot busy (many calls waiting in the kernel): block until one frees.
    while (slot === undefined) {
      Atomics.wait(channel.ctrl, DOORBELL, Atomics.load(channel.ctrl, DOORBELL), 1);
      slot = this.#send(name, args, extra);
    }
    const index = channel.stateIndex(slot);
    for (let state; (state = this.#spin(name, slot)) !== REPLY; ) Atomics.wait(channel.ctrl, index, state);
    return this.#receive(name, slot);
  }

  // A call that may wait in the kernel: spin briefly, then wait without blocking the thread.
  async #async(name: CallName, args: unknown[]): Promise<unknown> {
    const channel = this.#channel;
    let slot = this.#send(name, args, undefined);
    while (slot === undefined) {
      await new Promise<void>((resolve) => this.#waitingForSlot.push(resolve));
      slot = this.#send(name, args, undefined);
    }
    const index = channel.stateIndex(slot);
    for (let state; (state = this.#spin(name, slot)) !== REPLY; ) {
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
  #receive(name: CallName, slot: number): unknown {
    const channel = this.#channel;
    const area = channel.data(slot);
    const textLength = channel.length(slot);
    let reply: { v?: unknown; e?: [ErrnoCode, string, string | null, string]; x?: string };
    try {
      const text = readText(area, textLength, () => this.#fromPort(slot, 'text') as string);
      const bytes = readExtra(area, textLength, channel.extraLength(slot), () => this.#fromPort(slot, 'extra') as Uint8Array);
      reply = JSON.parse(text) as typeof reply;
      // A copied read: its bytes ride beside the reply.
      if (bytes !== undefined && reply.v !== null && typeof reply.v === 'object') (reply.v as { bytes?: Uint8Array }).bytes = bytes;
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
