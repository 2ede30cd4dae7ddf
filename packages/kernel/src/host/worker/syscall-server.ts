/**
 * The kernel's end of a worker task's channel: takes requests from the
 * slots, has each served by its call's handler (syscall-handlers.ts: through
 * the task's own TaskContext), and writes the reply back. Lent buffers in
 * shared memory are described by position, not copied; a read of ordinary
 * memory is copied once into a shared window of this task's (read-windows.ts)
 * and described by position too.
 * @module
 */
import type { MessagePort } from 'node:worker_threads';
import { receiveMessageOnPort } from 'node:worker_threads';
import { isDiosError } from '../../core/abi/errors.js';
import { decodeArguments } from '../../core/syscalls/argument-encoding.js';
import type { TaskContext } from '../../core/syscalls/task-context.js';
import {
  BUSY,
  DOORBELL,
  ON_PORT,
  Overflow,
  readExtra,
  readText,
  REPLY,
  REQUEST,
  SLOT_BYTES,
  SLOTS,
  waitAsync,
  writePayload,
  type BufferReply,
  type CallName,
  type Channel,
  type ChannelCalls,
  type PortMessage,
} from './channel.js';
import { ReadWindows } from './read-windows.js';
import { handleCall, isCallName, type Answer, type ServedTask } from './syscall-handlers.js';
import { withoutStackTraces } from './without-stack-traces.js';

// Checks of the doorbell after a reply before going back to waiting: the next call usually follows at once.
const SPIN = 2000;
// Shared buffers the worker is told about; beyond this the oldest are forgotten on both sides.
const MAX_SHARED_BUFFERS = 256;
// Requests served without a turn of the event loop before yielding one: a task calling flat out (or a hostile
// one ringing the doorbell in a loop) must not starve timers, I/O and the other tasks' channels.
const BURST = 256;
/** Largest request text (a larger one, only ever sent over the port, fails without being parsed). */
export const MAX_REQUEST_TEXT = 64 * 1024 * 1024;
// Port messages read past while looking for a request's overflow: a worker has at most one per slot and kind.
const MAX_PORT_SCAN = 4 * SLOTS;

/** Serves one worker task's channel until {@link SyscallServer.close}. */
export class SyscallServer {
  readonly #channel: Channel;
  readonly #port: MessagePort;
  readonly #task: ServedTask;
  readonly #sharedIds = new Map<SharedArrayBuffer, number>();
  #nextSharedId = 1;
  readonly #leases = new Map<number, Uint8Array>();
  // Where reads of ordinary memory are copied for the worker; a window dropped is forgotten on both sides.
  readonly #windows = new ReadWindows((buffer) => this.#unshare(buffer));
  #nextToken = 1;
  #seen = 0;
  #closed = false;
  // Overflowed request parts not yet used.
  readonly #overflow = new Overflow();
  // Requests served since the loop last yielded to the event loop.
  #burst = 0;
  /** Calls served, for tests and monitoring. */
  served = 0;
  /** Requests that were malformed (a task writing into its channel by hand): each got an error reply. */
  malformed = 0;

  /** Serves `channel` for the task whose context is `ctx`; `port` carries overflow and shared buffers. */
  constructor(channel: Channel, port: MessagePort, ctx: TaskContext) {
    this.#channel = channel;
    this.#port = port;
    this.#task = {
      ctx,
      lend: (buffer, read) => this.#lend(buffer, read),
      lease: (token) => this.#leases.get(token) ?? new Uint8Array(0),
      release: (token) => {
        this.#leases.delete(token);
        this.#windows.release(token);
      },
    };
    // Nothing a task writes may throw in the kernel's thread: a failure here is a bug, reported, and the channel closed.
    this.#loop().catch((e: unknown) => {
      console.error('dios: syscall server failed', e);
      this.close();
    });
  }

  /** Stops serving and wakes the worker, whose pending and later calls fail with ECANCELED. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#channel.close();
    this.#leases.clear();
    this.#windows.clear();
    this.#sharedIds.clear();
    this.#port.close();
  }

  async #loop(): Promise<void> {
    const ctrl = this.#channel.ctrl;
    while (!this.#closed) {
      // Each turn without waiting counts: a doorbell rung with no request behind it must not spin here for ever.
      if (++this.#burst > BURST) {
        this.#burst = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      this.#dispatch();
      if (Atomics.load(ctrl, DOORBELL) !== this.#seen) continue;
      const wait = waitAsync(ctrl, DOORBELL, this.#seen);
      if (wait.async) {
        this.#burst = 0;
        await wait.value;
      }
    }
  }

  // Takes every slot holding a request; compare-exchange makes sure each is taken once.
  #dispatch(): void {
    const ctrl = this.#channel.ctrl;
    this.#seen = Atomics.load(ctrl, DOORBELL);
    for (let i = 0; i < SLOTS; i++) {
      const state = this.#channel.stateIndex(i);
      if (Atomics.load(ctrl, state) === REQUEST && Atomics.compareExchange(ctrl, state, REQUEST, BUSY) === REQUEST) {
        this.#burst++;
        void this.#serve(i);
      }
    }
  }

  // After a reply: a short spin for the worker's next call, served without a turn of the event loop (within a burst).
  #poll(): void {
    const ctrl = this.#channel.ctrl;
    if (this.#burst >= BURST) return;
    for (let k = 0; k < SPIN; k++) {
      if (Atomics.load(ctrl, DOORBELL) !== this.#seen) {
        this.#dispatch();
        return;
      }
    }
  }

  // Serves one request. Never rejects: whatever the task wrote, it gets a reply (an error for a malformed request).
  async #serve(slot: number): Promise<void> {
    const channel = this.#channel;
    const area = channel.data(slot);
    let reply: string;
    let extra: Uint8Array | undefined;
    try {
      const out = await this.#call(this.#request(slot, area));
      reply = JSON.stringify(out.reply);
      extra = out.extra;
    } catch (e) {
      reply = failure(e);
    }
    if (this.#closed) return;
    this.served++;
    try {
      const written = writePayload(area, reply, extra, (t, x) => {
        if (t !== undefined) this.#post({ kind: 'text', slot, text: t });
        if (x !== undefined) this.#post({ kind: 'extra', slot, bytes: x });
      });
      channel.setLengths(slot, written.text, written.extra);
    } catch (e) {
      // Not seen: replies are the kernel's own JSON. Still, the worker must be woken with an answer.
      channel.setLengths(slot, writePayload(area, failure(e), undefined, () => {}).text, 0);
    }
    Atomics.store(channel.ctrl, channel.stateIndex(slot), REPLY);
    Atomics.notify(channel.ctrl, channel.stateIndex(slot));
    this.#poll();
  }

  // Decodes the request in `slot`: [call, ...arguments] as JSON, and raw bytes after it (end_write of a copied buffer).
  // Lengths and the text come from memory the task can write at any time: each is checked before use.
  #request(slot: number, area: Uint8Array): { name: unknown; args: unknown[]; bytes: Uint8Array | undefined } {
    const channel = this.#channel;
    const textLength = channel.length(slot);
    const extraLength = channel.extraLength(slot);
    if (
      !fits(textLength, SLOT_BYTES) ||
      !fits(extraLength, SLOT_BYTES - (textLength === ON_PORT ? 0 : (textLength + 7) & ~7))
    ) {
      throw this.#malformed(`bad lengths ${textLength}, ${extraLength} in slot ${slot}`);
    }
    const text = readText(
      area,
      textLength,
      () => this.#overflow.text(slot, this.#portReader()) ?? this.#missing(slot, 'text'),
    );
    const bytes = readExtra(
      area,
      textLength,
      extraLength,
      () => this.#overflow.extra(slot, this.#portReader()) ?? this.#missing(slot, 'extra'),
    );
    if (text.length > MAX_REQUEST_TEXT)
      throw this.#malformed(`a request of ${text.length} characters (at most ${MAX_REQUEST_TEXT})`);
    let request: unknown;
    try {
      request = JSON.parse(text);
    } catch {
      throw this.#malformed(`slot ${slot} holds no JSON request`);
    }
    if (!Array.isArray(request) || typeof request[0] !== 'string')
      throw this.#malformed(`slot ${slot} holds no [call, patches, ...arguments] request`);
    const args: unknown[] = request.slice(2);
    // What JSON cannot carry (undefined, NaN, ±Infinity) is named beside it (see encodeArguments).
    if (request[1] !== 0) decodeArguments(args, request[1]);
    return { name: request[0], args, bytes };
  }

  #malformed(detail: string): Error {
    this.malformed++;
    return new Error(`malformed request: ${detail}`);
  }

  #call(request: {
    name: unknown;
    args: unknown[];
    bytes: Uint8Array | undefined;
  }): Answer<unknown> | Promise<Answer<unknown>> {
    const { name, args, bytes } = request;
    if (!isCallName(name)) throw this.#malformed(`unknown call ${JSON.stringify(name).slice(0, 60)}`);
    // The one cast from the task's JSON: its arguments go on typed as the call's, and the call's TaskContext
    // method reads each again, as it does an in-thread call's (see syscall-handlers.ts). Nothing is trusted here.
    return withoutStackTraces(() => handleCall(this.#task, name, args as ChannelCalls[CallName]['args'], bytes));
  }

  // Describes a lent buffer: its place in shared memory; for a read of ordinary memory, the place of its copy in a
  // window of this task's; for a write to ordinary memory, a copy (its bytes come back with end_write).
  // The lease stays the object's own buffer: end_read and end_write check and commit it as before.
  #lend(buffer: Uint8Array, read: boolean): Answer<BufferReply> {
    const token = this.#nextToken++;
    this.#leases.set(token, buffer);
    const backing = buffer.buffer;
    if (backing instanceof SharedArrayBuffer) {
      return { reply: { v: { s: [this.#shareId(backing), buffer.byteOffset, buffer.length, token] } } };
    }
    if (read) {
      const window = this.#windows.lend(token, buffer);
      return { reply: { v: { s: [this.#shareId(window), 0, buffer.length, token] } } };
    }
    return { reply: { v: { c: [token, buffer.length] } } };
  }

  // A window the task will not be lent again: the worker may let it go.
  #unshare(buffer: SharedArrayBuffer): void {
    const id = this.#sharedIds.get(buffer);
    if (id === undefined) return;
    this.#sharedIds.delete(buffer);
    if (!this.#closed) this.#post({ kind: 'evict', ids: [id] });
  }

  #shareId(buffer: SharedArrayBuffer): number {
    const known = this.#sharedIds.get(buffer);
    if (known !== undefined) return known;
    if (this.#sharedIds.size >= MAX_SHARED_BUFFERS) {
      const [oldest, id] = this.#sharedIds.entries().next().value as [SharedArrayBuffer, number];
      this.#sharedIds.delete(oldest);
      this.#post({ kind: 'evict', ids: [id] });
    }
    const id = this.#nextSharedId++;
    this.#sharedIds.set(buffer, id);
    this.#post({ kind: 'buffer', id, buffer });
    return id;
  }

  #post(message: PortMessage): void {
    this.#port.postMessage(message);
  }

  // Reads port messages into the overflow, synchronously (a request's parts were posted before it was signalled).
  // The port too carries whatever the task posts: the overflow keeps only texts and bytes for a slot, and a
  // search for one request's part reads a bounded number of messages.
  #portReader(): () => boolean {
    let scanned = 0;
    return () => {
      const next = scanned++ < MAX_PORT_SCAN ? receiveMessageOnPort(this.#port) : undefined;
      if (next === undefined) return false;
      this.#overflow.keep(next.message);
      return true;
    };
  }

  #missing(slot: number, kind: 'text' | 'extra'): never {
    throw this.#malformed(`the ${kind} of slot ${slot} is missing from the port`);
  }
}

// Whether a length word is ON_PORT or a length within `room` bytes.
function fits(n: number, room: number): boolean {
  return n === ON_PORT || (n >= 0 && n <= room);
}

// The reply for a call that failed: a DiosError travels whole; anything else (a malformed request, a bug) as its message.
function failure(e: unknown): string {
  if (isDiosError(e)) return JSON.stringify({ e: [e.code, e.syscall, e.argument ?? null, e.detail] });
  let message: string;
  try {
    message = e instanceof Error ? e.message : String(e);
  } catch {
    message = 'an error that cannot be described';
  }
  return JSON.stringify({ x: message });
}
