/**
 * The NATS transport: kernels on different machines (or processes) exchange
 * requests through a NATS server. Each node subscribes to its own subject
 * `dios.<cluster>.node.<id>`; a request is published there with a reply
 * subject in the sender's inbox. Each node publishes a heartbeat on
 * `dios.<cluster>.alive`, and a node silent for `deadMs` is gone.
 * @module
 */
import { connect, createInbox, headers, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { Reassembly, PART_HEADER, splitFrame } from './parts.js';
import { DiosError, Errno, errors, type ErrnoCode } from '../../core/errors.js';
import type { PeerReply, PeerRequest, RequestHandler, Transport } from '../../core/transport.js';
import { decodeFrame, encodeFrame } from './codec.js';
import { Liveness } from './liveness.js';

/** Options of {@link connectNats}. */
export interface NatsTransportOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. */
  servers: string | string[];
  /** This node's id (the kernel id): letters, digits, `-` and `_`. */
  id: string;
  /** Cluster name, which scopes every subject (same characters as `id`). */
  cluster: string;
  /** User name, with {@link NatsTransportOptions.pass}, for a server that requires them. */
  user?: string;
  /** Password for {@link NatsTransportOptions.user}. */
  pass?: string;
  /** Token, for a server started with one. */
  token?: string;
  /**
   * How long a request that does not wait for anything at the peer may take
   * before it fails with EHOSTDOWN (default 5000 ms). A `watch` gets its own
   * limit plus this; a blocking `begin-read`/`begin-write` has no limit, since
   * it waits at the peer as long as a local one would, and fails only when
   * the peer stops (see {@link NatsTransportOptions.deadMs}).
   */
  requestTimeoutMs?: number;
  /** Period of this node's heartbeats (default 1000 ms). */
  heartbeatMs?: number;
  /** A node whose last heartbeat is older than this is gone (default 3000 ms; more than heartbeatMs). */
  deadMs?: number;
}

/** Connects to a NATS server and returns the transport of node `options.id` (EINVAL for bad options; EACCES if the server refuses the credentials, ECONNREFUSED if it cannot be reached). */
export async function connectNats(options: NatsTransportOptions): Promise<NatsTransport> {
  const where = 'connectNats';
  const token = /^[A-Za-z0-9_-]+$/;
  if (typeof options.id !== 'string' || !token.test(options.id)) throw errors.EINVAL(where, 'id', 'a node id is a non-empty string of letters, digits, - and _');
  if (typeof options.cluster !== 'string' || !token.test(options.cluster)) throw errors.EINVAL(where, 'cluster', 'a cluster name is a non-empty string of letters, digits, - and _');
  const requestTimeoutMs = positive(options.requestTimeoutMs ?? 5000, 'requestTimeoutMs');
  const heartbeatMs = positive(options.heartbeatMs ?? 1000, 'heartbeatMs');
  const deadMs = positive(options.deadMs ?? 3000, 'deadMs');
  if (deadMs <= heartbeatMs) throw errors.EINVAL(where, 'deadMs', `deadMs (${deadMs}) must exceed heartbeatMs (${heartbeatMs})`);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: options.servers,
      name: `dios-${options.cluster}-${options.id}`,
      ...(options.user !== undefined ? { user: options.user } : {}),
      ...(options.pass !== undefined ? { pass: options.pass } : {}),
      ...(options.token !== undefined ? { token: options.token } : {}),
    });
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    if (/authori[sz]ation|auth/i.test(text)) throw errors.EACCES(where, 'options', `the NATS server refused the credentials: ${text}`);
    throw errors.ECONNREFUSED(where, 'servers', `cannot connect to NATS: ${text}`);
  }
  return new NatsTransport(nc, { id: options.id, cluster: options.cluster, requestTimeoutMs, heartbeatMs, deadMs });

  function positive(n: number, name: string): number {
    if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) throw errors.EINVAL(where, name, `${name} must be a positive number of milliseconds`);
    return n;
  }
}

/** What travels on a node subject, an inbox or the heartbeat subject. */
type Envelope =
  | { t: 'req'; from: string; body: PeerRequest }
  | { t: 'rep'; body: PeerReply }
  | { t: 'err'; code: ErrnoCode; syscall: string; argument?: string; detail: string }
  | { t: 'hb'; from: string; bye?: boolean };

interface Pending {
  to: string;
  resolve(reply: PeerReply): void;
  reject(error: DiosError): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

// Every request kind, as a record so that the compiler flags a kind added to PeerRequest and missing here.
const KINDS: Record<PeerRequest['kind'], true> = {
  load: true,
  lookup: true,
  release: true,
  'begin-read': true,
  'end-read': true,
  'begin-write': true,
  'end-write': true,
  watch: true,
  share: true,
  delegate: true,
  run: true,
  pause: true,
  revoked: true,
};
const REQUEST_KINDS = new Set<string>(Object.keys(KINDS));

/** One node's endpoint on a NATS cluster; made by {@link connectNats}. */
export class NatsTransport implements Transport {
  /** This node's id. */
  readonly localId: string;
  /** The cluster name. */
  readonly cluster: string;
  readonly #nc: NatsConnection;
  readonly #requestTimeoutMs: number;
  readonly #heartbeatMs: number;
  readonly #liveness: Liveness;
  readonly #inbox: string;
  readonly #pending = new Map<string, Pending>();
  // Frames larger than one NATS message travel in parts; these are the ones being put back together.
  readonly #parts = new Reassembly();
  #handler: RequestHandler | undefined;
  #next = 0;
  #closed = false;
  readonly #goneListeners = new Set<(peer: string) => void>();
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #sweeper: ReturnType<typeof setInterval> | undefined;

  /** @internal Made by {@link connectNats}, which checks the options. */
  constructor(nc: NatsConnection, options: { id: string; cluster: string; requestTimeoutMs: number; heartbeatMs: number; deadMs: number }) {
    this.#nc = nc;
    this.localId = options.id;
    this.cluster = options.cluster;
    this.#requestTimeoutMs = options.requestTimeoutMs;
    this.#heartbeatMs = options.heartbeatMs;
    this.#liveness = new Liveness(options.deadMs);
    this.#inbox = createInbox();
    nc.subscribe(`${this.#inbox}.*`, { callback: (err, msg) => this.#onReply(err, msg) });
    nc.subscribe(this.#aliveSubject, { callback: (err, msg) => this.#onHeartbeat(err, msg) });
    // Subscribed before the first heartbeat: the server handles one connection's messages in order, so a peer
    // that has heard this node can reach its subject (listening or not) at once.
    nc.subscribe(this.#nodeSubject(this.localId), { callback: (err, msg) => this.#onRequest(err, msg) });
    this.#beat();
    this.#heartbeat = setInterval(() => this.#beat(), this.#heartbeatMs);
    this.#sweeper = setInterval(() => this.#sweep(), Math.max(10, Math.min(this.#heartbeatMs, options.deadMs / 4)));
    // A connection lost for good (or closed under us) is this node leaving.
    void nc.closed().then(() => this.#shutDown('the NATS connection closed'));
  }

  get #aliveSubject(): string {
    return `dios.${this.cluster}.alive`;
  }

  #nodeSubject(id: string): string {
    return `dios.${this.cluster}.node.${id}`;
  }

  listen(handler: RequestHandler): void {
    if (this.#handler !== undefined) throw errors.EBUSY('listen', 'handler', 'this transport already has a listener');
    this.#handler = handler;
  }

  request(to: string, request: PeerRequest): Promise<PeerReply> {
    if (this.#closed) return Promise.reject(errors.EHOSTDOWN('request', 'to', `node "${this.localId}" has left the network`));
    this.#sweep();
    if (!this.#liveness.isAlive(to)) {
      if (this.#liveness.isGone(to)) return Promise.reject(errors.EHOSTDOWN('request', 'to', `node "${to}" stopped sending heartbeats`));
      return Promise.reject(errors.EHOSTUNREACH('request', 'to', `no node "${to}" heard on cluster "${this.cluster}"`));
    }
    let frame: Uint8Array;
    try {
      frame = encodeFrame({ t: 'req', from: this.localId, body: request } satisfies Envelope);
    } catch (e) {
      return Promise.reject(errors.EINVAL('request', 'request', `cannot encode the request: ${e instanceof Error ? e.message : String(e)}`));
    }
    const token = String(++this.#next);
    const limit = this.#limitFor(request);
    return new Promise<PeerReply>((resolve, reject) => {
      const pending: Pending = { to, resolve, reject, timer: undefined };
      if (limit !== undefined) {
        pending.timer = setTimeout(() => this.#fail(token, errors.EHOSTDOWN('request', 'to', `node "${to}" did not answer within ${limit} ms`)), limit);
      }
      this.#pending.set(token, pending);
      try {
        this.#publish(this.#nodeSubject(to), frame, `${this.#inbox}.${token}`, `${this.localId}.${token}`);
      } catch (e) {
        // A message over the server's max_payload is this node's problem (EIO); a connection closing is not.
        const why = `cannot send to "${to}": ${e instanceof Error ? e.message : String(e)}`;
        this.#fail(token, this.#nc.isClosed() || this.#nc.isDraining() ? errors.EHOSTDOWN('request', 'to', why) : errors.EIO('request', 'request', why));
      }
    });
  }

  peers(): string[] {
    if (this.#closed) return [];
    this.#sweep();
    return this.#liveness.alive();
  }

  onPeerGone(listener: (peer: string) => void): () => void {
    this.#goneListeners.add(listener);
    return () => this.#goneListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      this.#nc.publish(this.#aliveSubject, encodeFrame({ t: 'hb', from: this.localId, bye: true } satisfies Envelope));
    } catch {
      // The connection is already gone: nobody to say goodbye to.
    }
    this.#shutDown(`node "${this.localId}" has left the network`);
    try {
      await this.#nc.drain();
    } catch {
      // Already closed.
    }
  }

  // Publishes a frame, in parts when it exceeds what the server takes in one message (its max_payload).
  #publish(subject: string, frame: Uint8Array, reply: string | undefined, id: string): void {
    const limit = Math.max(1024, (this.#nc.info?.max_payload ?? 1 << 20) - 4096);
    if (frame.length <= limit) {
      this.#nc.publish(subject, frame, reply === undefined ? undefined : { reply });
      return;
    }
    const parts = splitFrame(frame, limit);
    parts.forEach((part, i) => {
      const h = headers();
      h.set(PART_HEADER, `${id} ${i} ${parts.length} ${frame.length}`);
      this.#nc.publish(subject, part, { headers: h, ...(reply === undefined ? {} : { reply }) });
    });
  }

  // The whole frame of a message: itself, or (for a part) the assembled frame once its last part is in.
  #assemble(msg: Msg, key: string): Uint8Array | undefined {
    const part = msg.headers?.get(PART_HEADER);
    if (part === undefined || part === '') return msg.data;
    return this.#parts.add(key, part, msg.data, Date.now());
  }

  /** The longest a request may wait for its reply; undefined when only the peer's liveness bounds it. */
  #limitFor(request: PeerRequest): number | undefined {
    if (request.kind === 'watch') return Math.min(Math.max(0, request.timeoutMs), 60_000) + this.#requestTimeoutMs;
    if ((request.kind === 'begin-read' || request.kind === 'begin-write') && !request.nonblock) return undefined;
    return this.#requestTimeoutMs;
  }

  #fail(token: string, error: DiosError): void {
    const pending = this.#pending.get(token);
    if (pending === undefined) return;
    this.#pending.delete(token);
    clearTimeout(pending.timer);
    pending.reject(error);
  }

  #shutDown(why: string): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    clearInterval(this.#sweeper);
    const alive = this.#liveness.alive();
    this.#liveness.clear();
    // Cut off from everyone: every peer is gone as far as this node can tell.
    this.#failRequestsTo(alive, why);
    for (const token of [...this.#pending.keys()]) this.#fail(token, errors.EHOSTDOWN('request', 'to', why));
  }

  #beat(): void {
    if (this.#closed) return;
    try {
      this.#nc.publish(this.#aliveSubject, encodeFrame({ t: 'hb', from: this.localId } satisfies Envelope));
    } catch {
      // A closing connection: the closed() watcher shuts the node down.
    }
  }

  /** Drops nodes that stopped beating and fails the requests waiting on them. */
  #sweep(): void {
    if (this.#closed) return;
    this.#parts.expire(Date.now());
    const gone = this.#liveness.sweep(Date.now());
    if (gone.length > 0) this.#failRequestsTo(gone, 'stopped sending heartbeats');
  }

  // Fails the requests waiting on `ids`, then tells the listeners they are gone.
  #failRequestsTo(ids: string[], why: string): void {
    for (const [token, p] of [...this.#pending]) {
      if (ids.includes(p.to)) this.#fail(token, errors.EHOSTDOWN('request', 'to', `node "${p.to}" ${why}`));
    }
    for (const id of ids) {
      for (const listener of [...this.#goneListeners]) {
        try {
          listener(id);
        } catch {
          // A listener's failure is its own; the transport carries on.
        }
      }
    }
  }

  // The callbacks below never throw: a bad message is dropped and the node carries on.

  #onHeartbeat(err: Error | null, msg: Msg): void {
    if (err !== null || this.#closed) return;
    const hb = safeDecode(msg.data);
    if (hb === undefined || hb.t !== 'hb' || typeof hb.from !== 'string' || hb.from === '' || hb.from === this.localId) return;
    if (hb.bye === true) {
      if (!this.#liveness.isAlive(hb.from)) return;
      this.#liveness.left(hb.from);
      this.#failRequestsTo([hb.from], 'has left the network');
      return;
    }
    // A newcomer hears from us at once instead of after up to a heartbeat period.
    if (this.#liveness.heard(hb.from, Date.now())) this.#beat();
  }

  #onReply(err: Error | null, msg: Msg): void {
    if (err !== null) return;
    const token = msg.subject.slice(this.#inbox.length + 1);
    const pending = this.#pending.get(token);
    if (pending === undefined) return;
    // The server's "no responders" status: nobody listens on the node's subject any more.
    if (msg.headers?.code === 503) {
      this.#fail(token, errors.EHOSTDOWN('request', 'to', `node "${pending.to}" is not listening`));
      return;
    }
    const data = this.#assemble(msg, token);
    if (data === undefined) return;
    const env = safeDecode(data);
    if (env === undefined) return;
    if (env.t === 'rep' && isReply(env.body)) {
      this.#pending.delete(token);
      clearTimeout(pending.timer);
      pending.resolve(env.body);
    } else if (env.t === 'err' && typeof env.code === 'string' && Object.hasOwn(Errno, env.code) && typeof env.syscall === 'string' && typeof env.detail === 'string') {
      this.#fail(token, new DiosError(env.code as ErrnoCode, env.syscall, typeof env.argument === 'string' ? env.argument : undefined, env.detail));
    }
  }

  #onRequest(err: Error | null, msg: Msg): void {
    if (err !== null || this.#closed) return;
    const reply = msg.reply;
    const handler = this.#handler;
    const data = reply === undefined ? undefined : this.#assemble(msg, reply);
    if (data === undefined) return;
    const env = safeDecode(data);
    if (reply === undefined || env === undefined || env.t !== 'req' || typeof env.from !== 'string' || !isRequest(env.body)) return;
    const answer = (e: Envelope) => {
      if (this.#closed) return;
      try {
        this.#publish(reply, encodeFrame(e), undefined, reply);
      } catch (failure) {
        // Too large for the server, say: the requester gets an error rather than a timeout.
        try {
          this.#nc.publish(reply, encodeFrame({ t: 'err', code: 'EIO', syscall: 'request', argument: 'to', detail: `cannot send the reply: ${failure instanceof Error ? failure.message : String(failure)}` } satisfies Envelope));
        } catch {
          // The connection is gone.
        }
      }
    };
    if (handler === undefined) {
      answer({ t: 'err', code: 'EHOSTDOWN', syscall: 'request', argument: 'to', detail: `node "${this.localId}" is not listening` });
      return;
    }
    const from = env.from;
    const body = env.body;
    (async () => handler(from, body))().then(
      (body) => answer({ t: 'rep', body }),
      (e: unknown) =>
        answer(
          e instanceof DiosError
            ? { t: 'err', code: e.code, syscall: e.syscall, ...(e.argument !== undefined ? { argument: e.argument } : {}), detail: e.detail }
            : { t: 'err', code: 'EIO', syscall: 'request', argument: 'to', detail: `node "${this.localId}" failed to handle the request: ${e instanceof Error ? e.message : String(e)}` },
        ),
    );
  }
}

/** A decoded envelope whose fields are still to be checked. */
type Unchecked = { [K in 'from' | 'body' | 'code' | 'syscall' | 'argument' | 'detail' | 'bye' | 't']?: unknown };

function safeDecode(data: Uint8Array): Unchecked | undefined {
  try {
    const value = decodeFrame(data);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Unchecked) : undefined;
  } catch {
    return undefined;
  }
}

function isRequest(body: unknown): body is PeerRequest {
  return typeof body === 'object' && body !== null && REQUEST_KINDS.has((body as { kind?: unknown }).kind as string);
}

function isReply(body: unknown): body is PeerReply {
  if (typeof body !== 'object' || body === null) return false;
  const ok = (body as { ok?: unknown }).ok;
  if (ok === true) return true;
  const error = (body as { error?: unknown }).error;
  return ok === false && typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}
