/**
 * The native client, for DIOS tasks on the server's kernel: no TCP, just
 * two streams. kvConnect makes a request stream and a reply stream and
 * writes their names to the server's inbox; the server then serves them
 * like a TCP connection, with the same RESP.
 * @module
 */
import { DeleteFlags, EndWriteFlags, errors, isDiosError, ObjectType, type SystemCalls } from '@dios/kernel';
import { deleteQuietly } from '@dios/libd';
import { inboxName, KV_INBOX_PATH } from './inbox.js';
import { KvErrorReply, parseReply, type KvReply } from './resp-reply.js';
import { RespWriter } from './core/resp-writer.js';

/** Options of {@link kvConnect}. */
export interface KvConnectOptions {
  /** Path of the server's inbox in the task's first group (default {@link KV_INBOX_PATH}). */
  path?: string;
}

/** SET's options in {@link KvClient.set}. */
export interface KvSetOptions {
  /** Expire after this many seconds. */
  ex?: number;
  /** Expire after this many milliseconds. */
  px?: number;
  /** Only if the key does not exist. */
  nx?: boolean;
  /** Only if the key exists. */
  xx?: boolean;
}

/** A connection to the KV server. Commands on one client run one after another, in call order. */
export interface KvClient {
  /** Sends one command (strings are sent as UTF-8) and resolves to its reply; an error reply rejects with EINVAL naming `args`, the server's message as detail. */
  command(...args: (string | number | Uint8Array)[]): Promise<KvReply>;
  /** GET: the value as UTF-8 text, or null. */
  get(key: string): Promise<string | null>;
  /** SET: true when set, false when NX/XX prevented it. */
  set(key: string, value: string | Uint8Array, options?: KvSetOptions): Promise<boolean>;
  /** DEL: how many of the keys existed. */
  del(...keys: string[]): Promise<number>;
  /** Ends the request stream and drops both streams. */
  close(): Promise<void>;
}

// Request bytes per stream write (well under a stream's default capacity).
const PIECE = 32 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Connects task `sys` to the server whose inbox is at `options.path`.
 * Errors: ECONNREFUSED (`options.path`) when there is no inbox there (no
 * server), EPIPE when the server has stopped; create's errors.
 */
export async function kvConnect(sys: SystemCalls, options: KvConnectOptions = {}): Promise<KvClient> {
  const path = options.path ?? KV_INBOX_PATH;
  let inbox: number;
  try {
    inbox = (await sys.lookup(await inboxName(sys, path)))[0]!;
  } catch (e) {
    if (isDiosError(e, 'ENOENT'))
      throw errors.ECONNREFUSED('kvConnect', 'options.path', `no KV server has an inbox at ${path}`);
    throw e;
  }
  const requests = await sys.create(ObjectType.SHARED_MEMORY_STREAM);
  const replies = await sys.create(ObjectType.SHARED_MEMORY_STREAM);
  try {
    const buf = await sys.beginWrite(inbox, 64);
    buf.set(requests.name.bytes, 0);
    buf.set(replies.name.bytes, 32);
    await sys.endWrite(inbox, buf);
  } catch (e) {
    await deleteQuietly(sys, requests.ref);
    await deleteQuietly(sys, replies.ref);
    if (isDiosError(e, 'EPIPE')) throw errors.EPIPE('kvConnect', 'options.path', 'the KV server has stopped');
    throw e;
  } finally {
    await deleteQuietly(sys, inbox, DeleteFlags.DROP);
  }
  return new StreamClient(sys, requests.ref, replies.ref);
}

class StreamClient implements KvClient {
  readonly #sys: SystemCalls;
  readonly #requests: number;
  readonly #replies: number;
  #pending: Uint8Array = new Uint8Array(0);
  #chain: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(sys: SystemCalls, requests: number, replies: number) {
    this.#sys = sys;
    this.#requests = requests;
    this.#replies = replies;
  }

  command(...args: (string | number | Uint8Array)[]): Promise<KvReply> {
    const run = this.#chain.then(() => this.#roundTrip(args));
    // The chain only orders the commands: the caller gets this one's rejection through `run`.
    this.#chain = run.catch(() => {});
    return run;
  }

  async #roundTrip(args: (string | number | Uint8Array)[]): Promise<KvReply> {
    if (this.#closed) throw errors.EPIPE('kvClient.command', undefined, 'the client is closed');
    if (args.length === 0) throw errors.EINVAL('kvClient.command', 'args', 'a command needs at least its name');
    const w = new RespWriter();
    w.command(args.map((a) => (a instanceof Uint8Array ? a : encoder.encode(String(a)))));
    const bytes = w.bytes();
    const sys = this.#sys;
    try {
      for (let at = 0; at < bytes.length; at += PIECE) {
        const n = Math.min(PIECE, bytes.length - at);
        const buf = await sys.beginWrite(this.#requests, n);
        buf.set(bytes.subarray(at, at + n));
        await sys.endWrite(this.#requests, buf);
      }
    } catch (e) {
      if (isDiosError(e, 'EPIPE'))
        throw errors.EPIPE('kvClient.command', undefined, 'the server closed the connection');
      throw e;
    }
    for (;;) {
      const parsed = parseReply(this.#pending);
      if (parsed !== undefined) {
        this.#pending = this.#pending.slice(parsed.end);
        if (parsed.value instanceof KvErrorReply) throw errors.EINVAL('kvClient.command', 'args', parsed.value.message);
        return parsed.value;
      }
      const view = await sys.beginRead(this.#replies, { length: 64 * 1024 });
      const more = new Uint8Array(this.#pending.length + view.length);
      more.set(this.#pending);
      more.set(view, this.#pending.length);
      await sys.endRead(this.#replies, view);
      if (view.length === 0) throw errors.EPIPE('kvClient.command', undefined, 'the server closed the connection');
      this.#pending = more;
    }
  }

  async get(key: string): Promise<string | null> {
    const v = await this.command('GET', key);
    return v instanceof Uint8Array ? decoder.decode(v) : null;
  }

  async set(key: string, value: string | Uint8Array, options: KvSetOptions = {}): Promise<boolean> {
    const args: (string | number | Uint8Array)[] = ['SET', key, value];
    if (options.ex !== undefined) args.push('EX', options.ex);
    if (options.px !== undefined) args.push('PX', options.px);
    if (options.nx === true) args.push('NX');
    if (options.xx === true) args.push('XX');
    return (await this.command(...args)) === 'OK';
  }

  async del(...keys: string[]): Promise<number> {
    return (await this.command('DEL', ...keys)) as number;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#chain;
    const sys = this.#sys;
    try {
      const buf = await sys.beginWrite(this.#requests, 0);
      await sys.endWrite(this.#requests, buf, undefined, EndWriteFlags.END_OF_STREAM);
    } catch {
      // The server has gone: nothing to tell it.
    }
    await deleteQuietly(sys, this.#requests);
    await deleteQuietly(sys, this.#replies);
  }
}
