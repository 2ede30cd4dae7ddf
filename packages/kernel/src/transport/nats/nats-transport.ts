/**
 * The NATS transport: kernels on different machines (or processes) exchange
 * requests through a NATS server, on the subjects of {@link Subjects} (each
 * names its sender, so the server can hold nodes to their own ids). Each
 * node publishes a heartbeat every heartbeatMs, and a node silent for
 * `deadMs` is gone.
 * @module
 */
import { headers, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { Reassembly, PART_HEADER, splitFrame } from './parts.js';
import { DiosError, Errno, errors, type ErrnoCode } from '../../core/errors.js';
import type { PeerReply, PeerRequest, RequestHandler, Transport } from '../../core/transport.js';
import { decodeFrame, encodeFrame } from './codec.js';
import { Liveness } from './liveness.js';
import { Subjects } from './subjects.js';

/** What travels on a request, reply or heartbeat subject. */
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
  'write-part': true,
  watch: true,
  share: true,
  delegate: true,
  run: true,
  pause: true,
  revoked: true,
};
const REQUEST_KINDS = new Set<string>(Object.keys(KINDS));

/** Messages a node dropped, by reason (see {@link NatsTransport.dropped}). */
export interface NatsDrops {
  /** Not a well-formed envelope: undecodable, fields missing or of the wrong type, an unknown request kind. */
  malformed: number;
  /** Sent as another node: the envelope's sender is not the subject's, or a request's reply subject is not its sender's, or a reply came from a node the request did not go to. */
  forged: number;
}

/**
 * One node's endpoint on a NATS cluster; made by {@link connectNats}.
 *
 * When the connection to the server drops, the node is cut off: its pending
 * requests fail at once with EHOSTDOWN (their replies may be lost), new ones
 * fail likewise, and its peers, no longer heard, go after deadMs as they
 * would for any silent node (the peers see it go the same way). The client
 * keeps reconnecting; once it is back, the node sends a heartbeat at once,
 * so the others list it again without waiting a period.
 */
export class NatsTransport implements Transport {
  /** This node's id. */
  readonly localId: string;
  /** The cluster name. */
  readonly cluster: string;
  readonly #nc: NatsConnection;
  readonly #subjects: Subjects;
  readonly #requestTimeoutMs: number;
  readonly #heartbeatMs: number;
  readonly #liveness: Liveness;
  readonly #pending = new Map<string, Pending>();
  // Frames larger than one NATS message travel in parts; these are the ones being put back together.
  readonly #parts = new Reassembly();
  readonly #drops: NatsDrops = { malformed: 0, forged: 0 };
  #handler: RequestHandler | undefined;
  #next = 0;
  #closed = false;
  #connected = true;
  #refused: Error | undefined;
  readonly #goneListeners = new Set<(peer: string) => void>();
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #sweeper: ReturnType<typeof setInterval> | undefined;

  /** @internal Made by {@link connectNats}, which checks the options. */
  constructor(nc: NatsConnection, options: { id: string; cluster: string; requestTimeoutMs: number; heartbeatMs: number; deadMs: number }) {
    this.#nc = nc;
    this.localId = options.id;
    this.cluster = options.cluster;
    this.#subjects = new Subjects(options.cluster, options.id);
    this.#requestTimeoutMs = options.requestTimeoutMs;
    this.#heartbeatMs = options.heartbeatMs;
    this.#liveness = new Liveness(options.deadMs);
    // A subscription the server refuses ends with an error: this user may not act as this node.
    const refused = (err: Error) => void (this.#refused ??= err);
    nc.subscribe(this.#subjects.replies, { callback: (err, msg) => (err !== null ? refused(err) : this.#onReply(msg)) });
    nc.subscribe(this.#subjects.allAlive, { callback: (err, msg) => (err !== null ? refused(err) : this.#onHeartbeat(msg)) });
    // Subscribed before the first heartbeat: the server handles one connection's messages in order, so a peer
    // that has heard this node can reach its subject (listening or not) at once.
    nc.subscribe(this.#subjects.requests, { callback: (err, msg) => (err !== null ? refused(err) : this.#onRequest(msg)) });
    this.#beat();
    this.#heartbeat = setInterval(() => this.#beat(), this.#heartbeatMs);
    this.#sweeper = setInterval(() => this.#sweep(), Math.max(10, Math.min(this.#heartbeatMs, options.deadMs / 4)));
    void this.#watchConnection();
    // A connection lost for good (or closed under us) is this node leaving.
    void nc.closed().then(() => this.#shutDown('the NATS connection closed'));
  }

  /** @internal Why the server refused one of this node's subscriptions, if it did (connectNats checks it once connected). */
  get refused(): Error | undefined {
    return this.#refused;
  }

  /** Messages dropped so far, by reason: what a node sends can never take another down, but it can be counted. */
  get dropped(): Readonly<NatsDrops> {
    return { ...this.#drops };
  }

  listen(handler: RequestHandler): void {
    if (this.#handler !== undefined) throw errors.EBUSY('listen', 'handler', 'this transport already has a listener');
    this.#handler = handler;
  }

  request(to: string, request: PeerRequest): Promise<PeerReply> {
    if (this.#closed) return Promise.reject(errors.EHOSTDOWN('request', 'to', `node "${this.localId}" has left the network`));
    if (!this.#connected) return Promise.reject(errors.EHOSTDOWN('request', 'to', `node "${this.localId}" is cut off from the NATS server (reconnecting)`));
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
        this.#publish(this.#subjects.request(to), frame, this.#subjects.replyTo(to, token), token);
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
      if (this.#connected) this.#nc.publish(this.#subjects.alive, encodeFrame({ t: 'hb', from: this.localId, bye: true } satisfies Envelope));
    } catch {
      // The connection is already gone: nobody to say goodbye to.
    }
    this.#shutDown(`node "${this.localId}" has left the network`);
    try {
      // Cut off, drain would wait for a server that may never come back.
      await (this.#connected ? this.#nc.drain() : this.#nc.close());
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
    this.#failRequestsTo(alive, `cannot be reached: ${why}`);
    for (const token of [...this.#pending.keys()]) this.#fail(token, errors.EHOSTDOWN('request', 'to', why));
  }

  /** Follows the client's connection state: cut off at a disconnect, back (and heard at once) at a reconnect. */
  async #watchConnection(): Promise<void> {
    try {
      for await (const status of this.#nc.status()) {
        if (this.#closed) return;
        if (status.type === 'disconnect') this.#onDisconnect();
        else if (status.type === 'reconnect') this.#onReconnect();
      }
    } catch {
      // The status stream ends with the connection; closed() shuts the node down.
    }
  }

  #onDisconnect(): void {
    if (!this.#connected) return;
    this.#connected = false;
    // Replies sent to this node while it is away are lost, and a blocking read would wait for one for ever.
    const why = `node "${this.localId}" lost its connection to the NATS server`;
    for (const token of [...this.#pending.keys()]) this.#fail(token, errors.EHOSTDOWN('request', 'to', why));
  }

  #onReconnect(): void {
    if (this.#connected) return;
    this.#connected = true;
    // The others may have counted this node gone: let them hear it now rather than a period later.
    this.#beat();
  }

  #beat(): void {
    // Not while cut off: the client would queue the beats and send a stale burst on reconnecting.
    if (this.#closed || !this.#connected) return;
    try {
      this.#nc.publish(this.#subjects.alive, encodeFrame({ t: 'hb', from: this.localId } satisfies Envelope));
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

  // The callbacks below never throw: a bad message is dropped (and counted) and the node carries on.

  #onHeartbeat(msg: Msg): void {
    if (this.#closed) return;
    const sender = this.#subjects.heartbeatSender(msg.subject);
    if (sender === this.localId) return;
    const hb = safeDecode(msg.data);
    if (sender === undefined || hb === undefined || hb.t !== 'hb' || typeof hb.from !== 'string') {
      this.#drops.malformed++;
      return;
    }
    if (hb.from !== sender) {
      this.#drops.forged++;
      return;
    }
    if (hb.bye === true) {
      if (!this.#liveness.isAlive(sender)) return;
      this.#liveness.left(sender);
      this.#failRequestsTo([sender], 'has left the network');
      return;
    }
    // A newcomer hears from us at once instead of after up to a heartbeat period.
    if (this.#liveness.heard(sender, Date.now())) this.#beat();
  }

  #onReply(msg: Msg): void {
    const sender = this.#subjects.replySender(msg.subject);
    if (sender === undefined) {
      this.#drops.malformed++;
      return;
    }
    const pending = this.#pending.get(sender.token);
    // A reply nobody waits for any more (the request timed out, say).
    if (pending === undefined) return;
    if (pending.to !== sender.from) {
      this.#drops.forged++;
      return;
    }
    // The server's "no responders" status: the node is not subscribed any more (cut off, or gone without a
    // goodbye), so it is gone now rather than after deadMs; its next heartbeat brings it back.
    if (msg.headers?.code === 503) {
      this.#fail(sender.token, errors.EHOSTDOWN('request', 'to', `node "${pending.to}" is not listening`));
      if (this.#liveness.isAlive(pending.to)) {
        this.#liveness.left(pending.to);
        this.#failRequestsTo([pending.to], 'is not listening');
      }
      return;
    }
    const data = this.#assemble(msg, msg.subject);
    if (data === undefined) return;
    const env = safeDecode(data);
    if (env !== undefined && env.t === 'rep' && isReply(env.body)) {
      this.#pending.delete(sender.token);
      clearTimeout(pending.timer);
      pending.resolve(env.body);
    } else if (env !== undefined && env.t === 'err' && typeof env.code === 'string' && Object.hasOwn(Errno, env.code) && typeof env.syscall === 'string' && typeof env.detail === 'string') {
      this.#fail(sender.token, new DiosError(env.code as ErrnoCode, env.syscall, typeof env.argument === 'string' ? env.argument : undefined, env.detail));
    } else {
      this.#drops.malformed++;
    }
  }

  #onRequest(msg: Msg): void {
    if (this.#closed) return;
    const from = this.#subjects.requestSender(msg.subject);
    const reply = msg.reply;
    if (from === undefined || reply === undefined || reply === '') {
      this.#drops.malformed++;
      return;
    }
    // Replies go only where the sender itself listens: nobody can have this node answer into another's inbox.
    if (!this.#subjects.isReplyOf(reply, from)) {
      this.#drops.forged++;
      return;
    }
    const data = this.#assemble(msg, reply);
    if (data === undefined) return;
    const env = safeDecode(data);
    if (env === undefined || env.t !== 'req' || typeof env.from !== 'string' || !isRequest(env.body)) {
      this.#drops.malformed++;
      return;
    }
    if (env.from !== from) {
      this.#drops.forged++;
      return;
    }
    const handler = this.#handler;
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
