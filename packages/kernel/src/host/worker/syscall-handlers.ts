/**
 * What the kernel does for each call on a worker task's channel: one handler
 * per call, typed by the call ({@link ChannelCalls}), each making the call
 * through the task's own TaskContext, so that a worker task obeys exactly the
 * rules an in-thread task does (rights, pause, exit).
 * @module
 */
import type { RefAttributes } from '../../core/abi/system-calls.js';
import { refusedCall, type TaskContext } from '../../core/syscalls/task-context.js';
import type { BufferReply, CallName, ChannelCalls } from './channel.js';

/** What the kernel answers to a call: the reply's value, and raw bytes that follow it (a copied read). */
export interface Answer<R> {
  /** The reply, as JSON. */
  reply: { v: R };
  /** Bytes sent after the reply's text. */
  extra?: Uint8Array;
}

/** What the handlers use of the server that serves a task's channel. */
export interface ServedTask {
  /** The task's context: every call is made through it. */
  readonly ctx: TaskContext;
  /** Lends `buffer` to the task: its place in shared memory, or a copy (sent along when `read`). */
  lend(buffer: Uint8Array, read: boolean): Answer<BufferReply>;
  /** The buffer lent under `token`; an empty one for any other value (the call then refuses it as any unlent buffer). */
  lease(token: number): Uint8Array;
  /** Forgets the lease `token`, which its end call returned. */
  release(token: number): void;
}

type Handlers = {
  [K in CallName]: (
    task: ServedTask,
    args: ChannelCalls[K]['args'],
    bytes: Uint8Array | undefined,
  ) => Answer<ChannelCalls[K]['reply']> | Promise<Answer<ChannelCalls[K]['reply']>>;
};

// The arguments are the task's: a lease token may be any JSON value (a Map lookup of a non-number simply finds nothing),
// and every other argument goes to a TaskContext method, which reads it again as an in-thread call's is.
const HANDLERS: Handlers = {
  async create({ ctx }, [type, options, flags]) {
    const r = await ctx.create(type, options, flags);
    return { reply: { v: { name: r.name.key, ref: r.ref } } };
  },
  lookup: async ({ ctx }, [name, flags]) => ({ reply: { v: await ctx.lookup(name, flags) } }),
  copy: async ({ ctx }, [refs, target, options, flags]) => ({
    reply: { v: await ctx.copy(refs, target, options, flags) },
  }),
  delete: async ({ ctx }, [ref, flags]) => ({ reply: { v: await ctx.delete(ref, flags) } }),
  run: async ({ ctx }, [binary, spec, flags]) => ({ reply: { v: await ctx.run(binary, spec, flags) } }),
  pause: async ({ ctx }, [task, flags]) => ({ reply: { v: await ctx.pause(task, flags) } }),
  select: async ({ ctx }, [refs, options, flags]) => ({ reply: { v: await ctx.select(refs, options, flags) } }),
  beginRead: async (task, [ref, options, flags]) => task.lend(await task.ctx.beginRead(ref, options, flags), true),
  beginWrite: async (task, [ref, length, options, flags]) =>
    task.lend(await task.ctx.beginWrite(ref, length, options, flags), false),
  async endRead(task, [ref, token, flags]) {
    const valid = await task.ctx.endRead(ref, task.lease(token), flags);
    task.release(token);
    return { reply: { v: valid } };
  },
  async endWrite(task, [ref, token, options, flags], bytes) {
    const buffer = task.lease(token);
    // A copied write buffer: the worker's bytes come with the call.
    if (bytes !== undefined) buffer.set(bytes.subarray(0, buffer.length));
    const version = await task.ctx.endWrite(ref, buffer, options, flags);
    task.release(token);
    return { reply: { v: version } };
  },
  ref: ({ ctx }, [handle]) => ({ reply: { v: snapshot(ctx.ref(handle)) } }),
  handles: ({ ctx }) => ({ reply: { v: ctx.handles } }),
  async refused({ ctx }, [call]) {
    await refusedCall(ctx, call);
    return { reply: { v: null } };
  },
};

/** Whether `name` (a request's, as the task wrote it) names a call the channel carries. */
export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.hasOwn(HANDLERS, name);
}

/** Serves call `name` for `task` with `args` (and the raw `bytes` that came after them). */
export function handleCall<K extends CallName>(
  task: ServedTask,
  name: K,
  args: ChannelCalls[K]['args'],
  bytes: Uint8Array | undefined,
): Answer<ChannelCalls[K]['reply']> | Promise<Answer<ChannelCalls[K]['reply']>> {
  return HANDLERS[name](task, args, bytes);
}

// RefAttributes' keys, each once: a key missing here, or one RefAttributes lacks, fails to build.
const REF_ATTRIBUTES = Object.keys({
  id: 0,
  type: 0,
  proximity: 0,
  persistent: 0,
  fateShared: 0,
  readBufferSize: 0,
  writeBufferSize: 0,
  consistency: 0,
  ioReady: 0,
  open: 0,
  size: 0,
  version: 0,
  address: 0,
  task: 0,
  process: 0,
} satisfies Record<keyof RefAttributes, 0>) as (keyof RefAttributes)[];

// A worker task's ref() gets a copy of the live view's attributes, as they are now.
function snapshot(view: RefAttributes): RefAttributes {
  const copy: Partial<Record<keyof RefAttributes, unknown>> = {};
  for (const key of REF_ATTRIBUTES) copy[key] = view[key];
  // Every key of RefAttributes was copied with its own value (REF_ATTRIBUTES is checked complete).
  return copy as RefAttributes;
}
