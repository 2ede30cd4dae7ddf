/**
 * The NATS transport: kernels on different machines (or processes) exchange
 * requests through a NATS server, on the subjects of {@link Subjects} (each
 * names its sender, so the server can hold nodes to their own ids). Each
 * node publishes a heartbeat every heartbeatMs, and a node silent for
 * `deadMs` is gone. A node started by {@link connectNats} first makes sure
 * no live node has its id (see {@link NatsTransport.claimId}).
 * @module
 */
import type { Msg, MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import { v4 as uuidv4 } from 'uuid';
import { natsClient } from './nats-client.js';
import { Reassembly, PART_HEADER, type ReassemblyLimits } from './parts.js';
import { DiosError, Errno, errors, type ErrnoCode } from '../../core/abi/errors.js';
import type { PeerReply, PeerRequest, RequestHandler, Transport } from '../../core/wire/transport.js';
import { decodeFrame, encodeFrame, encodeFrameParts } from './codec.js';
import { Liveness, MAX_PEERS } from './liveness.js';
import { Subjects } from './subjects.js';

/** What travels on a request, reply or heartbeat subject. */
type Envelope =
  | { t: 'req'; from: string; body: PeerRequest }
  | { t: 'rep'; body: PeerReply }
  | { t: 'err'; code: ErrnoCode; syscall: string; argument?: string; detail: string }
  // A heartbeat, with the sender's instance nonce: another nonce under a live id is a restart.
  | { t: 'hb'; from: string; bye?: boolean; n?: string }
  // Sent by a node starting under id `from` to its own request subject: does a live node have this id?
  | { t: 'probe'; from: string; n: string }
  // The answer of a node that has the id: its instance nonce, and whether it is itself still starting.
  | { t: 'here'; n: string; starting: boolean };

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
  'directory-sync': true,
  'directory-add': true,
  'directory-remove': true,
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
  /** Parts of large frames refused (malformed, out of order, over the sender's or the node's reassembly budget), plus unfinished frames given up because their parts stopped coming. */
  parts: number;
  /** Heartbeats of nodes not tracked yet, ignored because this node already tracks its most peers (`maxPeers`). */
  peers: number;
}

/** What {@link NatsTransport}'s constructor takes (connectNats checks the values). */
export interface NatsTransportConfig {
  /** This node's id. */
  id: string;
  /** The cluster name. */
  cluster: string;
  /** See {@link NatsTransportOptions.requestTimeoutMs}. */
  requestTimeoutMs: number;
  /** See {@link NatsTransportOptions.heartbeatMs}. */
  heartbeatMs: number;
  /** See {@link NatsTransportOptions.deadMs}. */
  deadMs: number;
  /** Most peers tracked as alive at once (default {@link MAX_PEERS}). */
  maxPeers?: number;
  /** Bounds on frames being put back together from parts (defaults in parts.ts). */
  assembly?: Partial<ReassemblyLimits>;
  /** True: do not join yet; {@link NatsTransport.claimId} checks the id is free, then joins. False (default): join at once. */
  claim?: boolean;
}

/** How long a starting node listens for a twin (a node starting with the same id at the same time) at least. */
const CLAIM_WINDOW_MS = 200;

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
  readonly #parts: Reassembly;
  readonly #drops = { malformed: 0, forged: 0, peers: 0 };
  #handler: RequestHandler | undefined;
  #next = 0;
  #closed = false;
  #connected = true;
  #refused: Error | undefined;
  readonly #goneListeners = new Set<(peer: string) => void>();
  readonly #seenListeners = new Set<(peer: string) => void>();
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #sweeper: ReturnType<typeof setInterval> | undefined;
  readonly #deadMs: number;
  // Answering newcomers: one prompt heartbeat at a time, however many newcomers (or forgeries) are heard.
  #prompt: ReturnType<typeof setTimeout> | undefined;
  #lastBeat = 0;
  // Claiming the id: this instance's random nonce, the state, and what probes found.
  readonly #nonce: string;
  #state: 'claiming' | 'running' = 'claiming';
  #twinWins = false;
  #probe: { token: string; answer(event: 'free' | { n: string; starting: boolean }): void } | undefined;

  /** @internal Made by {@link connectNats}, which checks the options. */
  constructor(nc: NatsConnection, options: NatsTransportConfig) {
    // The client made nc, so it is loaded: its headers() makes the header of a frame sent in parts.
    this.#headers = natsClient('NatsTransport').headers;
    this.#nc = nc;
    this.localId = options.id;
    this.cluster = options.cluster;
    this.#subjects = new Subjects(options.cluster, options.id);
    this.#requestTimeoutMs = options.requestTimeoutMs;
    this.#heartbeatMs = options.heartbeatMs;
    this.#deadMs = options.deadMs;
    this.#liveness = new Liveness(options.deadMs, options.maxPeers ?? MAX_PEERS);
    this.#parts = new Reassembly(options.assembly);
    // A random (v4) UUID: unpredictable, and compared as a string to break ties between claims.
    this.#nonce = uuidv4();
    // Replies first: a claim's probes are answered there.
    this.#subscribe(this.#subjects.replies, (msg) => this.#onReply(msg));
    // Never rejects: the end of the status stream is caught there.
    void this.#watchConnection();
    // A connection lost for good (or closed under us) is this node leaving.
    void nc.closed().then(() => this.#shutDown('the NATS connection closed'));
    if (options.claim !== true) {
      this.#subscribe(this.#subjects.requests, (msg) => this.#onRequest(msg));
      this.#run();
    }
  }

  /**
   * @internal Makes sure no live node has this id, then joins (connectNats
   * calls it once). EEXIST naming `id` when one does:
   *
   * 1. Before listening on its request subject, the node sends a probe to
   *    it. The server answers "no responders" when nobody listens there (the
   *    id is free); a live node with the id answers the probe; a listener
   *    that answers neither within requestTimeoutMs (hung, or an older
   *    version) also keeps the id taken.
   * 2. Then it listens, and probes again, listening for `max(200 ms, 4
   *    round trips)` for a twin started at the same moment. Of two starting
   *    nodes at least one receives the other's probe (each listens before
   *    it probes); the one with the smaller random nonce gives way, so one
   *    of them comes up, provided each answer arrives within the window.
   *
   * A node that is refused has sent nothing but its probes: nobody heard it.
   */
  async claimId(): Promise<void> {
    if (this.#state !== 'claiming' || this.#closed) return;
    const taken = (why: string) =>
      errors.EEXIST(
        'connectNats',
        'id',
        `node "${this.localId}" is already live on cluster "${this.cluster}" (${why}): give this node another id, or stop the other first`,
      );
    const started = Date.now();
    const first = await this.#probeOnce(this.#requestTimeoutMs, true);
    // Cut off meanwhile: no answer says nothing about the id.
    if (this.#closed || !this.#connected)
      throw errors.EHOSTDOWN('connectNats', 'servers', 'lost the NATS server while checking that the id is free');
    if (first === 'silent')
      throw taken(`something listens on its subject but did not answer within ${this.#requestTimeoutMs} ms`);
    if (first !== 'free' && (!first.starting || first.n > this.#nonce))
      throw taken(first.starting ? 'another node with this id is starting at the same moment' : 'it answered');
    const window = Math.min(this.#requestTimeoutMs, Math.max(CLAIM_WINDOW_MS, 4 * (Date.now() - started)));
    this.#subscribe(this.#subjects.requests, (msg) => this.#onRequest(msg));
    const answers: { n: string; starting: boolean }[] = [];
    await this.#probeOnce(window, false, (a) => answers.push(a));
    if (this.#closed) throw errors.EHOSTDOWN('connectNats', 'servers', 'the NATS connection closed while joining');
    const winner = answers.find((a) => !a.starting || a.n > this.#nonce);
    if (winner !== undefined || this.#twinWins)
      throw taken(
        winner !== undefined && !winner.starting
          ? 'it answered'
          : 'another node with this id is starting at the same moment',
      );
    this.#run();
  }

  // Sends one probe and waits up to `ms`: for the first answer or "no responders" when `first`, else the whole
  // time, passing every answer to `each`. "silent": no answer and no "no responders" within `ms`.
  async #probeOnce(
    ms: number,
    first: boolean,
    each?: (a: { n: string; starting: boolean }) => void,
  ): Promise<'free' | 'silent' | { n: string; starting: boolean }> {
    const token = `p${this.#nonce}${first ? 'a' : 'b'}`;
    return new Promise((resolve) => {
      const done = (result: 'free' | 'silent' | { n: string; starting: boolean }) => {
        clearTimeout(timer);
        this.#probe = undefined;
        resolve(result);
      };
      const timer = setTimeout(() => done('silent'), ms);
      this.#probe = {
        token,
        answer: (event) => {
          if (first) done(event);
          else if (event !== 'free') each?.(event);
        },
      };
      try {
        this.#nc.publish(
          this.#subjects.request(this.localId),
          encodeFrame({ t: 'probe', from: this.localId, n: this.#nonce } satisfies Envelope),
          { reply: this.#subjects.replyTo(this.localId, token) },
        );
      } catch {
        // The connection is going: nothing will answer, and the caller finds it closed.
      }
    });
  }

  // Joins: hears the others and lets them hear this node.
  #run(): void {
    this.#state = 'running';
    // Listening on the heartbeats only now: a node refused its id never counted anyone as a peer.
    this.#subscribe(this.#subjects.allAlive, (msg) => this.#onHeartbeat(msg));
    this.#beat();
    this.#heartbeat = setInterval(() => this.#beat(), this.#heartbeatMs);
    this.#sweeper = setInterval(() => this.#sweep(), Math.max(10, Math.min(this.#heartbeatMs, this.#deadMs / 4)));
  }

  // Subscribes `handle` to `subject`. A subscription the server refuses ends with an error: this user may not
  // act as this node. A handler that throws (it should not) costs one message, never the connection's reader.
  #subscribe(subject: string, handle: (msg: Msg) => void): void {
    this.#nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err !== null) {
          this.#refused ??= err;
          return;
        }
        try {
          handle(msg);
        } catch {
          this.#drops.malformed++;
        }
      },
    });
  }

  /** @internal Why the server refused one of this node's subscriptions, if it did (connectNats checks it once connected). */
  get refused(): Error | undefined {
    return this.#refused;
  }

  /** Messages dropped so far, by reason: what a node sends can never take another down, but it can be counted. */
  get dropped(): Readonly<NatsDrops> {
    return { ...this.#drops, parts: this.#parts.dropped };
  }

  listen(handler: RequestHandler): void {
    if (this.#handler !== undefined) throw errors.EBUSY('listen', 'handler', 'this transport already has a listener');
    this.#handler = handler;
  }

  request(to: string, request: PeerRequest): Promise<PeerReply> {
    if (this.#closed)
      return Promise.reject(errors.EHOSTDOWN('request', 'to', `node "${this.localId}" has left the network`));
    if (!this.#connected)
      return Promise.reject(
        errors.EHOSTDOWN('request', 'to', `node "${this.localId}" is cut off from the NATS server (reconnecting)`),
      );
    this.#sweep();
    if (!this.#liveness.isAlive(to)) {
      if (this.#liveness.isGone(to))
        return Promise.reject(errors.EHOSTDOWN('request', 'to', `node "${to}" stopped sending heartbeats`));
      return Promise.reject(errors.EHOSTUNREACH('request', 'to', `no node "${to}" heard on cluster "${this.cluster}"`));
    }
    let parts: Uint8Array[];
    try {
      parts = encodeFrameParts({ t: 'req', from: this.localId, body: request } satisfies Envelope, this.#partSize());
    } catch (e) {
      return Promise.reject(
        errors.EINVAL('request', 'request', `cannot encode the request: ${e instanceof Error ? e.message : String(e)}`),
      );
    }
    const token = String(++this.#next);
    const limit = this.#limitFor(request);
    return new Promise<PeerReply>((resolve, reject) => {
      const pending: Pending = { to, resolve, reject, timer: undefined };
      if (limit !== undefined) {
        pending.timer = setTimeout(
          () => this.#fail(token, errors.EHOSTDOWN('request', 'to', `node "${to}" did not answer within ${limit} ms`)),
          limit,
        );
      }
      this.#pending.set(token, pending);
      try {
        this.#publish(this.#subjects.request(to), parts, this.#subjects.replyTo(to, token), token);
      } catch (e) {
        // A message over the server's max_payload is this node's problem (EIO); a connection closing is not.
        const why = `cannot send to "${to}": ${e instanceof Error ? e.message : String(e)}`;
        this.#fail(
          token,
          this.#nc.isClosed() || this.#nc.isDraining()
            ? errors.EHOSTDOWN('request', 'to', why)
            : errors.EIO('request', 'request', why),
        );
      }
    });
  }

  peers(): string[] {
    if (this.#closed || this.#state !== 'running') return [];
    this.#sweep();
    return this.#liveness.alive();
  }

  onPeerSeen(listener: (peer: string) => void): () => void {
    this.#seenListeners.add(listener);
    return () => this.#seenListeners.delete(listener);
  }

  onPeerGone(listener: (peer: string) => void): () => void {
    this.#goneListeners.add(listener);
    return () => this.#goneListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      if (this.#connected && this.#state === 'running')
        this.#nc.publish(
          this.#subjects.alive,
          encodeFrame({ t: 'hb', from: this.localId, bye: true, n: this.#nonce } satisfies Envelope),
        );
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

  readonly #headers: () => MsgHdrs;

  // The most bytes of a frame one message carries: what the server takes (its max_payload), less room for headers.
  #partSize(): number {
    return Math.max(1024, (this.#nc.info?.max_payload ?? 1 << 20) - 4096);
  }

  // Publishes a frame cut by encodeFrameParts(..., #partSize()): one message, or several, each a part with its header.
  #publish(subject: string, parts: readonly Uint8Array[], reply: string | undefined, id: string): void {
    if (parts.length === 1) {
      this.#nc.publish(subject, parts[0], reply === undefined ? undefined : { reply });
      return;
    }
    let total = 0;
    for (const part of parts) total += part.length;
    parts.forEach((part, i) => {
      const h = this.#headers();
      h.set(PART_HEADER, `${id} ${i} ${parts.length} ${total}`);
      this.#nc.publish(subject, part, { headers: h, ...(reply === undefined ? {} : { reply }) });
    });
  }

  // The whole frame of a message from `sender`: itself, or (for a part) the frame's parts once its last one is in.
  // Undefined: a part, or a message whose NATS headers the client cannot parse (dropped, counted).
  #assemble(msg: Msg, sender: string, key: string): Uint8Array | Uint8Array[] | undefined {
    const h = headersOf(msg);
    if (h === 'malformed') {
      this.#drops.malformed++;
      return undefined;
    }
    const part = h?.get(PART_HEADER);
    if (part === undefined || part === '') return msg.data;
    return this.#parts.add(sender, key, part, msg.data, Date.now());
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
    clearTimeout(this.#prompt);
    this.#probe?.answer('free');
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
    if (this.#closed || !this.#connected || this.#state !== 'running') return;
    this.#lastBeat = Date.now();
    try {
      this.#nc.publish(
        this.#subjects.alive,
        encodeFrame({ t: 'hb', from: this.localId, n: this.#nonce } satisfies Envelope),
      );
    } catch {
      // A closing connection: the closed() watcher shuts the node down.
    }
  }

  // A heartbeat soon, for a newcomer: at most one per min(50, heartbeatMs/4) ms, so a flood of (forged) newcomers
  // cannot make this node flood the cluster with heartbeats in turn.
  #answerNewcomer(): void {
    if (this.#prompt !== undefined) return;
    const wait = Math.max(0, this.#lastBeat + Math.min(50, this.#heartbeatMs / 4) - Date.now());
    this.#prompt = setTimeout(() => {
      this.#prompt = undefined;
      this.#beat();
    }, wait);
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
    const hb = headersOf(msg) === 'malformed' ? undefined : safeDecode(msg.data);
    if (sender === undefined || hb === undefined || hb.t !== 'hb' || typeof hb.from !== 'string') {
      this.#drops.malformed++;
      return;
    }
    if (hb.from !== sender) {
      this.#drops.forged++;
      return;
    }
    if (hb.n !== undefined && typeof hb.n !== 'string') {
      this.#drops.malformed++;
      return;
    }
    if (hb.bye === true) {
      if (!this.#liveness.isAlive(sender)) return;
      // A late goodbye of an instance already replaced by a restart says nothing about the one alive now.
      const instance = this.#liveness.instanceOf(sender);
      if (hb.n !== undefined && instance !== undefined && hb.n !== instance) return;
      this.#liveness.left(sender);
      this.#failRequestsTo([sender], 'has left the network');
      return;
    }
    const heard = this.#liveness.heard(sender, Date.now(), hb.n);
    if (heard === 'refused') this.#drops.peers++;
    else if (heard === 'restarted') {
      // Restarted before we found it gone: the instance we knew is gone (its requests fail, the kernel drops what it
      // held and its proxies), and the new one is a newcomer, never taken for the old.
      this.#failRequestsTo([sender], 'restarted');
      this.#answerNewcomer();
      this.#seen(sender);
    }
    // A newcomer hears from us at once instead of after up to a heartbeat period.
    else if (heard === 'new') {
      this.#answerNewcomer();
      this.#seen(sender);
    }
  }

  #seen(peer: string): void {
    for (const listener of [...this.#seenListeners]) {
      try {
        listener(peer);
      } catch {
        // A listener's failure is its own; the transport carries on.
      }
    }
  }

  #onReply(msg: Msg): void {
    const sender = this.#subjects.replySender(msg.subject);
    if (sender === undefined) {
      this.#drops.malformed++;
      return;
    }
    // Replies to probes for this id: this node's own, or a twin's (both listen on the same reply subjects).
    if (sender.from === this.localId) {
      this.#onProbeReply(msg, sender.token);
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
    const h = headersOf(msg);
    if (h !== 'malformed' && h?.code === 503) {
      this.#fail(sender.token, errors.EHOSTDOWN('request', 'to', `node "${pending.to}" is not listening`));
      if (this.#liveness.isAlive(pending.to)) {
        this.#liveness.left(pending.to);
        this.#failRequestsTo([pending.to], 'is not listening');
      }
      return;
    }
    const data = this.#assemble(msg, sender.from, msg.subject);
    if (data === undefined) return;
    // A reply's bytes (a begin-read's) may stay views of the message: the requester copies them where they go.
    const env = safeDecode(data, true);
    if (env !== undefined && env.t === 'rep' && isReply(env.body)) {
      this.#pending.delete(sender.token);
      clearTimeout(pending.timer);
      pending.resolve(env.body);
    } else if (
      env !== undefined &&
      env.t === 'err' &&
      typeof env.code === 'string' &&
      Object.hasOwn(Errno, env.code) &&
      typeof env.syscall === 'string' &&
      typeof env.detail === 'string'
    ) {
      this.#fail(
        sender.token,
        new DiosError(
          env.code as ErrnoCode,
          env.syscall,
          typeof env.argument === 'string' ? env.argument : undefined,
          env.detail,
        ),
      );
    } else {
      this.#drops.malformed++;
    }
  }

  // A probe on this node's own request subject: another instance starting with this id. While this node claims
  // the id, its own probes come back here too, and are ignored.
  #onProbe(msg: Msg, reply: string): void {
    const env = headersOf(msg) === 'malformed' ? undefined : safeDecode(msg.data);
    if (env === undefined || env.t !== 'probe' || env.from !== this.localId || typeof env.n !== 'string') {
      this.#drops.malformed++;
      return;
    }
    if (env.n === this.#nonce) return;
    const starting = this.#state !== 'running';
    // Two starting at once: the smaller nonce gives way (the other side compares the same two nonces).
    if (starting && env.n > this.#nonce) this.#twinWins = true;
    try {
      this.#nc.publish(reply, encodeFrame({ t: 'here', n: this.#nonce, starting } satisfies Envelope));
    } catch {
      // The connection is going.
    }
  }

  // An answer to a probe: "no responders" (nobody has the id), or a live or starting twin.
  #onProbeReply(msg: Msg, token: string): void {
    const probe = this.#probe;
    // A twin's probe answered (twins share reply subjects), or one of ours answered too late.
    if (probe === undefined || token !== probe.token) return;
    const h = headersOf(msg);
    if (h !== 'malformed' && h?.code === 503) {
      probe.answer('free');
      return;
    }
    const env = h === 'malformed' ? undefined : safeDecode(msg.data);
    if (env === undefined || env.t !== 'here' || typeof env.n !== 'string' || typeof env.starting !== 'boolean') {
      this.#drops.malformed++;
      return;
    }
    if (env.n !== this.#nonce) probe.answer({ n: env.n, starting: env.starting });
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
    if (from === this.localId) {
      this.#onProbe(msg, reply);
      return;
    }
    // Starting: a twin may be the one serving this id; this node must not answer in its name.
    if (this.#state !== 'running') return;
    const data = this.#assemble(msg, from, reply);
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
        this.#publish(reply, encodeFrameParts(e, this.#partSize()), undefined, reply);
      } catch (failure) {
        // Too large for the server, say: the requester gets an error rather than a timeout.
        try {
          this.#nc.publish(
            reply,
            encodeFrame({
              t: 'err',
              code: 'EIO',
              syscall: 'request',
              argument: 'to',
              detail: `cannot send the reply: ${failure instanceof Error ? failure.message : String(failure)}`,
            } satisfies Envelope),
          );
        } catch {
          // The connection is gone.
        }
      }
    };
    if (handler === undefined) {
      answer({
        t: 'err',
        code: 'EHOSTDOWN',
        syscall: 'request',
        argument: 'to',
        detail: `node "${this.localId}" is not listening`,
      });
      return;
    }
    const body = env.body;
    (async () => handler(from, body))().then(
      (body) => answer({ t: 'rep', body }),
      (e: unknown) =>
        answer(
          e instanceof DiosError
            ? {
                t: 'err',
                code: e.code,
                syscall: e.syscall,
                ...(e.argument !== undefined ? { argument: e.argument } : {}),
                detail: e.detail,
              }
            : {
                t: 'err',
                code: 'EIO',
                syscall: 'request',
                argument: 'to',
                detail: `node "${this.localId}" failed to handle the request: ${e instanceof Error ? e.message : String(e)}`,
              },
        ),
    );
  }
}

/** A decoded envelope whose fields are still to be checked. */
type Unchecked = {
  [K in 'from' | 'body' | 'code' | 'syscall' | 'argument' | 'detail' | 'bye' | 't' | 'n' | 'starting']?: unknown;
};

// A message's NATS headers; 'malformed' when the client library cannot parse them (it throws on a bad header name).
function headersOf(msg: Msg): Msg['headers'] | 'malformed' {
  try {
    return msg.headers;
  } catch {
    return 'malformed';
  }
}

function safeDecode(data: Uint8Array | readonly Uint8Array[], views = false): Unchecked | undefined {
  try {
    const value = decodeFrame(data, views);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
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
  return (
    ok === false &&
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}
