/**
 * The kernel's end of a worker task's channel: takes requests from the
 * slots, makes each call through the task's own TaskContext (so a worker
 * task obeys exactly the rules an in-thread task does: rights, pause,
 * exit), and writes the reply back. Lent buffers in shared memory are
 * described by position, not copied.
 * @module
 */
import type { MessagePort } from 'node:worker_threads';
import { receiveMessageOnPort } from 'node:worker_threads';
import { isDiosError } from '../../core/abi/errors.js';
import { decodeArguments } from '../../core/syscalls/argument-encoding.js';
import { refusedCall, type TaskContext } from '../../core/syscalls/task-context.js';
import {
  BUSY,
  Channel,
  DOORBELL,
  ON_PORT,
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
  type PortMessage,
} from './channel.js';

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
  readonly #ctx: TaskContext;
  readonly #sharedIds = new Map<SharedArrayBuffer, number>();
  #nextSharedId = 1;
  readonly #leases = new Map<number, Uint8Array>();
  #nextToken = 1;
  #seen = 0;
  #closed = false;
  // Overflowed request parts not yet used, by kind and slot (at most one each: later ones replace earlier).
  readonly #inbox = new Map<string, string | Uint8Array>();
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
    this.#ctx = ctx;
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
    if (!fits(textLength, SLOT_BYTES) || !fits(extraLength, SLOT_BYTES - (textLength === ON_PORT ? 0 : (textLength + 7) & ~7))) {
      throw this.#malformed(`bad lengths ${textLength}, ${extraLength} in slot ${slot}`);
    }
    const text = readText(area, textLength, () => this.#fromPort(slot, 'text'));
    const bytes = readExtra(area, textLength, extraLength, () => this.#fromPort(slot, 'extra'));
    if (text.length > MAX_REQUEST_TEXT) throw this.#malformed(`a request of ${text.length} characters (at most ${MAX_REQUEST_TEXT})`);
    let request: unknown;
    try {
      request = JSON.parse(text);
    } catch {
      throw this.#malformed(`slot ${slot} holds no JSON request`);
    }
    if (!Array.isArray(request) || typeof request[0] !== 'string') throw this.#malformed(`slot ${slot} holds no [call, patches, ...arguments] request`);
    const args = request.slice(2) as unknown[];
    // What JSON cannot carry (undefined, NaN, ±Infinity) is named beside it (see encodeArguments).
    if (request[1] !== 0) decodeArguments(args, request[1]);
    return { name: request[0], args, bytes };
  }

  #malformed(detail: string): Error {
    this.malformed++;
    return new Error(`malformed request: ${detail}`);
  }

  async #call(request: { name: unknown; args: unknown[]; bytes: Uint8Array | undefined }): Promise<{ reply: unknown; extra?: Uint8Array }> {
    const ctx = this.#ctx;
    const { name, args: a, bytes } = request;
    // Every argument goes to a TaskContext method, which reads it again as an in-thread call's is: nothing is trusted here.
    switch (name as CallName) {
      case 'create': {
        const r = await ctx.create(a[0] as never, a[1] as never, a[2] as never);
        return { reply: { v: { name: r.name.key, ref: r.ref } } };
      }
      case 'lookup':
        return { reply: { v: await ctx.lookup(a[0] as never, a[1] as never) } };
      case 'copy':
        return { reply: { v: await ctx.copy(a[0] as never, a[1] as never, a[2] as never, a[3] as never) } };
      case 'delete':
        return { reply: { v: await ctx.delete(a[0] as never, a[1] as never) } };
      case 'run':
        return { reply: { v: await ctx.run(a[0] as never, a[1] as never, a[2] as never) } };
      case 'pause':
        return { reply: { v: await ctx.pause(a[0] as never, a[1] as never) } };
      case 'select':
        return { reply: { v: await ctx.select(a[0] as never, a[1] as never, a[2] as never) } };
      case 'beginRead':
        return this.#lend(await ctx.beginRead(a[0] as never, a[1] as never, a[2] as never), true);
      case 'beginWrite':
        return this.#lend(await ctx.beginWrite(a[0] as never, a[1] as never, a[2] as never, a[3] as never), false);
      case 'endRead': {
        // Any JSON value: a Map lookup of a non-number simply finds nothing.
        const token = a[1] as number;
        const valid = await ctx.endRead(a[0] as never, this.#leases.get(token) ?? new Uint8Array(0), a[2] as never);
        this.#leases.delete(token);
        return { reply: { v: valid } };
      }
      case 'endWrite': {
        // Any JSON value: a Map lookup of a non-number simply finds nothing.
        const token = a[1] as number;
        const buffer = this.#leases.get(token) ?? new Uint8Array(0);
        // A copied write buffer: the worker's bytes come with the call.
        if (bytes !== undefined) buffer.set(bytes.subarray(0, buffer.length));
        const version = await ctx.endWrite(a[0] as never, buffer, a[2] as never, a[3] as never);
        this.#leases.delete(token);
        return { reply: { v: version } };
      }
      case 'ref': {
        const v = ctx.ref(a[0] as never);
        const snapshot = {
          id: v.id,
          type: v.type,
          proximity: v.proximity,
          persistent: v.persistent,
          fateShared: v.fateShared,
          readBufferSize: v.readBufferSize,
          writeBufferSize: v.writeBufferSize,
          consistency: v.consistency,
          ioReady: v.ioReady,
          open: v.open,
          size: v.size,
          version: v.version,
          address: v.address,
          task: v.task,
        };
        return { reply: { v: snapshot } };
      }
      case 'handles':
        return { reply: { v: ctx.handles } };
      case 'refused':
        await refusedCall(ctx, a[0]);
        return { reply: { v: null } };
      default:
        throw this.#malformed(`unknown call ${JSON.stringify(name).slice(0, 60)}`);
    }
  }

  // Describes a lent buffer: its place in shared memory, or (ordinary memory) a copy.
  #lend(buffer: Uint8Array, read: boolean): { reply: { v: BufferReply }; extra?: Uint8Array } {
    const token = this.#nextToken++;
    this.#leases.set(token, buffer);
    const backing = buffer.buffer;
    if (backing instanceof SharedArrayBuffer) {
      return { reply: { v: { s: [this.#shareId(backing), buffer.byteOffset, buffer.length, token] } } };
    }
    return { reply: { v: { c: [token, buffer.length] } }, extra: read ? buffer : undefined };
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

  // Overflowed parts of a request, read synchronously (posted before the request was signalled). The port too
  // carries whatever the task posts: anything but a text or bytes for a slot is dropped, and the scan is bounded.
  #fromPort(slot: number, kind: 'text'): string;
  #fromPort(slot: number, kind: 'extra'): Uint8Array;
  #fromPort(slot: number, kind: 'text' | 'extra'): string | Uint8Array {
    const key = `${kind}:${slot}`;
    for (let scanned = 0; ; scanned++) {
      const found = this.#inbox.get(key);
      if (found !== undefined) {
        this.#inbox.delete(key);
        return found;
      }
      const next = scanned < MAX_PORT_SCAN ? receiveMessageOnPort(this.#port) : undefined;
      if (next === undefined) throw this.#malformed(`the ${kind} of slot ${slot} is missing from the port`);
      const m = next.message as Record<string, unknown> | null;
      if (typeof m !== 'object' || m === null) continue;
      const at = m.slot;
      if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || at >= SLOTS) continue;
      if (m.kind === 'text' && typeof m.text === 'string') this.#inbox.set(`text:${at}`, m.text);
      else if (m.kind === 'extra' && m.bytes instanceof Uint8Array) this.#inbox.set(`extra:${at}`, m.bytes);
    }
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
