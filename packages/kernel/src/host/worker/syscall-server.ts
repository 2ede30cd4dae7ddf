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
import { isDiosError } from '../../core/errors.js';
import type { TaskContext } from '../../core/task-context.js';
import {
  BUSY,
  Channel,
  DOORBELL,
  readExtra,
  readText,
  REPLY,
  REQUEST,
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
  readonly #inbox: PortMessage[] = [];
  /** Calls served, for tests and monitoring. */
  served = 0;

  /** Serves `channel` for the task whose context is `ctx`; `port` carries overflow and shared buffers. */
  constructor(channel: Channel, port: MessagePort, ctx: TaskContext) {
    this.#channel = channel;
    this.#port = port;
    this.#ctx = ctx;
    void this.#loop();
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
      this.#dispatch();
      if (Atomics.load(ctrl, DOORBELL) !== this.#seen) continue;
      const wait = waitAsync(ctrl, DOORBELL, this.#seen);
      if (wait.async) await wait.value;
    }
  }

  // Takes every slot holding a request; compare-exchange makes sure each is taken once.
  #dispatch(): void {
    const ctrl = this.#channel.ctrl;
    this.#seen = Atomics.load(ctrl, DOORBELL);
    for (let i = 0; i < SLOTS; i++) {
      const state = this.#channel.stateIndex(i);
      if (Atomics.load(ctrl, state) === REQUEST && Atomics.compareExchange(ctrl, state, REQUEST, BUSY) === REQUEST) void this.#serve(i);
    }
  }

  // After a reply: a short spin for the worker's next call, served without a turn of the event loop.
  #poll(): void {
    const ctrl = this.#channel.ctrl;
    for (let k = 0; k < SPIN; k++) {
      if (Atomics.load(ctrl, DOORBELL) !== this.#seen) {
        this.#dispatch();
        return;
      }
    }
  }

  async #serve(slot: number): Promise<void> {
    const channel = this.#channel;
    const area = channel.data(slot);
    let reply: string;
    let extra: Uint8Array | undefined;
    try {
      const textLength = channel.length(slot);
      const text = readText(area, textLength, () => this.#fromPort(slot, 'text') as string);
      const bytes = readExtra(area, textLength, channel.extraLength(slot), () => this.#fromPort(slot, 'extra') as Uint8Array);
      // JSON has no undefined: the request lists which arguments were undefined.
      const [name, undefinedAt, ...args] = JSON.parse(text) as [CallName, number[], ...unknown[]];
      for (const i of undefinedAt) args[i] = undefined;
      const out = await this.#call(name, args, bytes);
      reply = JSON.stringify(out.reply);
      extra = out.extra;
    } catch (e) {
      reply = JSON.stringify(
        isDiosError(e) ? { e: [e.code, e.syscall, e.argument ?? null, e.detail] } : { x: e instanceof Error ? e.message : String(e) },
      );
    }
    if (this.#closed) return;
    this.served++;
    const written = writePayload(area, reply, extra, (t, x) => {
      if (t !== undefined) this.#post({ kind: 'text', slot, text: t });
      if (x !== undefined) this.#post({ kind: 'extra', slot, bytes: x });
    });
    channel.setLengths(slot, written.text, written.extra);
    Atomics.store(channel.ctrl, channel.stateIndex(slot), REPLY);
    Atomics.notify(channel.ctrl, channel.stateIndex(slot));
    this.#poll();
  }

  async #call(name: CallName, a: unknown[], bytes: Uint8Array | undefined): Promise<{ reply: unknown; extra?: Uint8Array }> {
    const ctx = this.#ctx;
    switch (name) {
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
        const token = a[1] as number;
        const valid = await ctx.endRead(a[0] as never, this.#leases.get(token) ?? new Uint8Array(0), a[2] as never);
        this.#leases.delete(token);
        return { reply: { v: valid } };
      }
      case 'endWrite': {
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
      default:
        return { reply: { x: `unknown call ${JSON.stringify(name)}` } };
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

  // Overflowed parts of a request, read synchronously (posted before the request was signalled).
  #fromPort(slot: number, kind: 'text' | 'extra'): string | Uint8Array {
    const match = (m: PortMessage) => (m.kind === 'text' || m.kind === 'extra') && m.slot === slot && m.kind === kind;
    for (;;) {
      const i = this.#inbox.findIndex(match);
      if (i >= 0) {
        const m = this.#inbox.splice(i, 1)[0]!;
        return m.kind === 'text' ? m.text : (m as { bytes: Uint8Array }).bytes;
      }
      const next = receiveMessageOnPort(this.#port);
      if (next === undefined) throw new Error(`channel: the ${kind} of slot ${slot} is missing from the port`);
      this.#inbox.push(next.message as PortMessage);
    }
  }
}
