/**
 * The system-call channel between a worker task and the kernel: one
 * SharedArrayBuffer of request slots. A call is written into a free slot
 * (JSON text in the slot's data area), the slot's state goes REQUEST and a
 * doorbell word is bumped; the kernel answers in the same slot and sets
 * REPLY. Only payloads that do not fit a slot, and the SharedArrayBuffers of
 * objects (sent once each), travel over the MessagePort beside it, read
 * synchronously with receiveMessageOnPort: there is no postMessage per call.
 * @module
 */
import type { SyscallName } from '../../core/abi/syscall-kinds.js';
import type { CreateResult } from '../../core/abi/syscall-options.js';
import type { SystemCallMethod, SystemCalls } from '../../core/abi/system-calls.js';

/** A free slot (the worker owns it). */
export const FREE = 0;
/** A request is written (the kernel may take it). */
export const REQUEST = 1;
/** The kernel is serving the request. */
export const BUSY = 2;
/** The reply is written (the worker reads it, then frees the slot). */
export const REPLY = 3;

/** Request slots per channel: as many calls as one task may have in flight at once. */
export const SLOTS = 16;
/** Bytes of each slot's data area; larger payloads go over the port. */
export const SLOT_BYTES = 64 * 1024;

// Int32 words: [0] doorbell, [1] closed, then 4 words per slot (state, length, extra length, unused).
const HEADER_WORDS = 4;
/** Index of the doorbell word, bumped by the worker after each request. */
export const DOORBELL = 0;
/** Index of the word set to 1 when the channel is closed. */
export const CLOSED = 1;
const DATA_START = (HEADER_WORDS + SLOTS * 4) * 4;

/** Length value meaning "the payload came over the port". */
export const ON_PORT = -1;

/** The shared words and data areas of one channel, as either side sees them. */
export class Channel {
  /** Control words. */
  readonly ctrl: Int32Array;
  /** All of the buffer, for the data areas. */
  readonly bytes: Uint8Array;

  /** Wraps `buffer` (made by {@link Channel.allocate}). */
  constructor(readonly buffer: SharedArrayBuffer) {
    this.ctrl = new Int32Array(buffer, 0, HEADER_WORDS + SLOTS * 4);
    this.bytes = new Uint8Array(buffer);
  }

  /** A new zeroed channel buffer. */
  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer(DATA_START + SLOTS * SLOT_BYTES);
  }

  /** Index of slot `i`'s state word. */
  stateIndex(i: number): number {
    return HEADER_WORDS + i * 4;
  }
  /** Slot `i`'s data area. */
  data(i: number): Uint8Array {
    return this.bytes.subarray(DATA_START + i * SLOT_BYTES, DATA_START + (i + 1) * SLOT_BYTES);
  }
  /** Payload length of slot `i` (or {@link ON_PORT}). */
  length(i: number): number {
    return this.ctrl[HEADER_WORDS + i * 4 + 1]!;
  }
  /** Length of raw bytes that follow the JSON text in slot `i` (or {@link ON_PORT}). */
  extraLength(i: number): number {
    return this.ctrl[HEADER_WORDS + i * 4 + 2]!;
  }
  /** Sets the payload lengths of slot `i`. */
  setLengths(i: number, text: number, extra: number): void {
    this.ctrl[HEADER_WORDS + i * 4 + 1] = text;
    this.ctrl[HEADER_WORDS + i * 4 + 2] = extra;
  }
  /** Whether the channel was closed. */
  get closed(): boolean {
    return Atomics.load(this.ctrl, CLOSED) === 1;
  }
  /** Closes the channel and wakes both sides. */
  close(): void {
    Atomics.store(this.ctrl, CLOSED, 1);
    Atomics.add(this.ctrl, DOORBELL, 1);
    Atomics.notify(this.ctrl, DOORBELL);
    for (let i = 0; i < SLOTS; i++) Atomics.notify(this.ctrl, this.stateIndex(i));
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Where {@link writePayload} put a payload. */
export interface Written {
  /** Length of the text in the slot, or ON_PORT. */
  text: number;
  /** Length of the raw bytes after it, or ON_PORT. */
  extra: number;
}

/**
 * Writes JSON `text` and optional raw `extra` bytes into a slot's data area;
 * what does not fit is handed to `overflow` (sent over the port) instead.
 */
export function writePayload(
  area: Uint8Array,
  text: string,
  extra: Uint8Array | undefined,
  overflow: (text: string | undefined, extra: Uint8Array | undefined) => void,
): Written {
  // UTF-8 needs at most 3 bytes per UTF-16 unit: a short text always fits without trying.
  let written = -1;
  if (text.length * 3 <= area.length) written = encoder.encodeInto(text, area).written;
  else {
    const bytes = encoder.encode(text);
    if (bytes.length <= area.length) {
      area.set(bytes);
      written = bytes.length;
    }
  }
  if (written < 0) {
    overflow(text, extra);
    return { text: ON_PORT, extra: extra === undefined ? 0 : ON_PORT };
  }
  if (extra === undefined) return { text: written, extra: 0 };
  const at = align8(written);
  if (at + extra.length <= area.length) {
    area.set(extra, at);
    return { text: written, extra: extra.length };
  }
  overflow(undefined, extra);
  return { text: written, extra: ON_PORT };
}

/** Reads the JSON text of a slot written by {@link writePayload} (`fromPort` supplies overflowed parts). */
export function readText(area: Uint8Array, length: number, fromPort: () => string): string {
  return length === ON_PORT ? fromPort() : decoder.decode(area.subarray(0, length));
}

/** Reads the raw bytes after the text (a copy), or undefined when there are none. */
export function readExtra(
  area: Uint8Array,
  textLength: number,
  extra: number,
  fromPort: () => Uint8Array,
): Uint8Array | undefined {
  if (extra === 0) return undefined;
  if (extra === ON_PORT) return fromPort();
  const at = align8(textLength);
  return area.slice(at, at + extra);
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** A message on the port beside a channel. */
export type PortMessage =
  | { kind: 'buffer'; id: number; buffer: SharedArrayBuffer }
  | { kind: 'evict'; ids: number[] }
  | { kind: 'text'; slot: number; text: string }
  | { kind: 'extra'; slot: number; bytes: Uint8Array };

/** A lent buffer as the reply describes it: shared (zero-copy) or copied. */
export type BufferReply =
  /** A view of a SharedArrayBuffer the worker has (or gets over the port) by id. */
  | { s: [id: number, byteOffset: number, length: number, token: number] }
  /**
   * A copy: the bytes follow (reads), or a fresh buffer of `length` bytes (writes). `bytes` is not sent
   * as JSON: the worker puts there the bytes that followed the reply.
   */
  | { c: [token: number, length: number]; bytes?: Uint8Array };

// A call's arguments on the channel: its parameters in order, a lent buffer given by its lease token.
type ArgumentsOnChannel<P extends unknown[]> = { [I in keyof P]: P[I] extends Uint8Array ? number : P[I] };

// A call's result on the channel: a lent buffer described, create's Name by its text, anything else as JSON carries it.
type ResultOnChannel<R> = R extends Uint8Array
  ? BufferReply
  : R extends CreateResult
    ? { name: string; ref: number }
    : R;

/** One call on the channel: what the kernel reads as its arguments, and the value its reply carries. */
interface ChannelCall<A extends unknown[], R> {
  /** The arguments (as the kernel's TaskContext methods take them: each is read again there). */
  args: A;
  /** The value of a successful reply. */
  reply: R;
}

/** SystemCalls' methods as the channel carries them. */
type MethodCalls = {
  [K in SystemCallMethod]: ChannelCall<
    ArgumentsOnChannel<Parameters<SystemCalls[K]>>,
    ResultOnChannel<Awaited<ReturnType<SystemCalls[K]>>>
  >;
};

/** Every call a channel carries, by name: SystemCalls' methods, and two more. */
export interface ChannelCalls extends MethodCalls {
  /** SystemCalls' `handles`, asked of the kernel at each read (the table changes). */
  handles: ChannelCall<[], number[]>;
  /** Not a call: the worker's reading of a call's arguments refused it (see refusedCall in core/syscalls/task-context.ts). */
  refused: ChannelCall<[call: SyscallName], null>;
}

/** The name of a call on the channel. */
export type CallName = keyof ChannelCalls;

/**
 * A call's arguments as the worker sends them: one per argument of the call,
 * each a reader's plain snapshot (core/syscalls/arguments.ts), which the
 * kernel reads again.
 */
export type SentArguments<K extends CallName> = Unread<ChannelCalls[K]['args']>;

// Each element unknown: a homomorphic mapped type over a type parameter, so that it stays an array type.
type Unread<A extends unknown[]> = { [I in keyof A]: unknown };

/**
 * Overflowed parts of requests or replies (a text, raw bytes) that came over
 * the port, by slot. Each side reads its port its own way (the kernel's
 * side bounded, for a port the task writes; the worker's also takes shared
 * buffers) and hands every message to {@link Overflow.keep}.
 */
export class Overflow {
  // At most one of each per slot: a later one replaces an earlier.
  readonly #texts = new Map<number, string>();
  readonly #extras = new Map<number, Uint8Array>();

  /** Keeps `message` if it is an overflowed part for a slot; anything else is dropped. */
  keep(message: unknown): void {
    if (typeof message !== 'object' || message === null || !('slot' in message) || !('kind' in message)) return;
    const slot = message.slot;
    if (typeof slot !== 'number' || !Number.isInteger(slot) || slot < 0 || slot >= SLOTS) return;
    if (message.kind === 'text' && 'text' in message && typeof message.text === 'string')
      this.#texts.set(slot, message.text);
    else if (message.kind === 'extra' && 'bytes' in message && message.bytes instanceof Uint8Array)
      this.#extras.set(slot, message.bytes);
  }

  /** The overflowed text of `slot`, calling `read` (false once there is nothing more to read) until it came; undefined if it never does. */
  text(slot: number, read: () => boolean): string | undefined {
    return take(this.#texts, slot, read);
  }

  /** The overflowed raw bytes of `slot`, as {@link Overflow.text} finds a text. */
  extra(slot: number, read: () => boolean): Uint8Array | undefined {
    return take(this.#extras, slot, read);
  }
}

function take<T>(parts: Map<number, T>, slot: number, read: () => boolean): T | undefined {
  for (;;) {
    const found = parts.get(slot);
    if (found !== undefined) {
      parts.delete(slot);
      return found;
    }
    if (!read()) return undefined;
  }
}

type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
  timeout?: number,
) => { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };

/** Atomics.waitAsync (ES2024, in Node since 16), typed here because the project compiles against ES2023. */
export const waitAsync: WaitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
