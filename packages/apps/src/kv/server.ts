/**
 * The KV server task: one select loop over the TCP listener, its
 * connections, the inbox stream native clients announce themselves on, and
 * the streams of those clients. Each time a client is readable, every
 * complete request in what was read is run, the batch's write commands are
 * appended to the AOF, and then all the replies go out in one write. It
 * reaches the kernel only through its system calls. Nothing one client does
 * stops it: sizes are limited (limits.ts), and an unexpected error while
 * serving a client is answered with -ERR, logged, and ends that client only.
 * @module
 */
import { KvConfig } from './core/config.js';
import {
  BeginReadFlags,
  BeginWriteFlags,
  EndWriteFlags,
  isDiosError,
  Name,
  ObjectType,
  SelectFlags,
  type SystemCalls,
} from '@dios/kernel';
import { deleteQuietly } from '@dios/libd';
import type { BlockRequest } from './commands/blocking.js';
import {
  keyPositions,
  noDisconnections,
  type CommandContext,
  type CommandSpec,
  type ServerState,
} from './commands/context.js';
import { commandSpec, commandTable, dispatch } from './commands/table.js';
import { BLOCKED, IN_EXEC } from './commands/client-flags.js';
import { Connection } from './connection.js';
import { latin1, latin1Bytes, plainBytes } from './core/bytes.js';
import { ClientHub } from './commands/hub.js';
import { PendingPushes } from './pushes.js';
import { Replication } from './replication.js';
import { Wakeups } from './wakeups.js';
import { Keyspace } from './core/keyspace.js';
import { DEFAULT_KV_LIMITS, MAX_BUFFER_BYTES, type KvLimits } from './core/limits.js';
import { OutputLimiter } from './output-limit.js';
import { Persistence, type PersistenceOptions } from './persistence.js';
import { RespProtocolError, RespQueryLimitError } from './resp-parser.js';
import { RespWriter } from './core/resp-writer.js';

/** What the server task is given. */
export interface KvServerSetup {
  /** Handle of the inbox stream (readable); its end of stream stops the server. */
  inbox: number;
  /** Handle of a TCP listener to accept clients from, if any. */
  listener?: number;
  /** Where the snapshot and AOF live (used when the kernel has a durable store). */
  persistence?: PersistenceOptions;
  /** The fsync policy the host chose, as `appendfsync` names it (reported by INFO and CONFIG GET only). */
  fsync?: string;
  /** Size limits (default {@link DEFAULT_KV_LIMITS}). */
  limits?: KvLimits;
  /** Where the server logs what it does to a client on its own (a disconnection, an unexpected error): one line per call. */
  log?: (line: string) => void;
  /** The clock, in ms since the epoch (default Date.now): what expiry times are measured by. */
  clock?: () => number;
  /** Commands the host adds to the built-in ones, as Redis modules do (clients cannot add any). */
  commands?: readonly CommandSpec[];
}

// Bytes asked for per read; a reply write to a stream, or to a TCP connection, goes in pieces of at most this.
const READ_BYTES = 64 * 1024;
const STREAM_PIECE = 32 * 1024;
const TCP_PIECE = 1024 * 1024;
// Once a round's replies (or its log) pass this, the clients still ready wait for the next round: a round's buffers stay
// below the largest one (with one client's replies at most MAX_BUFFER_BYTES minus this).
const ROUND_BYTES = 64 * 1024 * 1024;
// Smallest TCP write buffer asked for. A connection lends its last write buffer again when it is large enough, so
// asking for a power of two of at least this (committing only the reply's bytes) makes one buffer serve replies of
// varying size instead of a fresh zeroed one whenever a reply is a little longer than the last; it is also well past
// the 64 bytes up to which V8 keeps typed arrays on its heap (a socket write would first move those off it).
const MIN_TCP_LEND = 4096;
// Expiry sweep: how often, and how many keys with an expiry it checks each time.
const SWEEP_MS = 100;
const SWEEP_BUDGET = 200;
// How long a connection whose end we sent may wait for the peer to close.
const CLOSE_GRACE_MS = 2000;
// One announcement on the inbox: the names of the request and reply streams.
const ANNOUNCEMENT = 64;

// One turn of the host's event loop (setImmediate where there is one).
function yieldToHost(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate !== undefined ? immediate(resolve) : setTimeout(resolve, 0)));
}

/** Runs the server until the inbox ends (see the module comment). */
export async function runKvServer(sys: SystemCalls, setup: KvServerSetup): Promise<void> {
  const server = new KvServer(sys, setup);
  await server.start();
  await server.loop();
}

class KvServer {
  readonly #sys: SystemCalls;
  readonly #setup: KvServerSetup;
  readonly #keys = new Keyspace();
  readonly #out = new RespWriter();
  readonly #conns = new Map<number, Connection>();
  #persistence: Persistence | undefined;
  #wake = -1;
  #nextId = 1;
  #inboxBytes = new Uint8Array(0);
  #nextSweep = 0;
  // Whether the last round served anyone.
  #busy = false;
  // BGREWRITEAOF was asked for in this round.
  #rewriteRequested = false;
  readonly #state: ServerState;
  readonly #ctx: CommandContext;
  readonly #hub: ClientHub;
  readonly #wakeups: Wakeups;
  // The client whose requests are being run (its replies go to #out), if any.
  #serving: Connection | undefined;
  // Output for clients not being served, and unblocked clients with requests waiting in their parser.
  readonly #pushes: PendingPushes;
  readonly #resume = new Set<Connection>();
  // Replicas (SYNC).
  readonly #replication = new Replication((c) => this.#writerFor(c));
  readonly #limits: KvLimits;
  readonly #output: OutputLimiter;
  readonly #log: (line: string) => void;

  constructor(sys: SystemCalls, setup: KvServerSetup) {
    this.#sys = sys;
    this.#setup = setup;
    this.#limits = setup.limits ?? DEFAULT_KV_LIMITS;
    this.#output = new OutputLimiter(this.#limits.output);
    this.#pushes = new PendingPushes(this.#output.hard);
    const log = setup.log;
    // A logger that fails must not take the server with it.
    this.#log = (line) => {
      try {
        log?.(line);
      } catch {
        // Nowhere left to say it.
      }
    };
    if (setup.clock !== undefined) this.#keys.now = setup.clock;
    const address = setup.listener === undefined ? undefined : sys.ref(setup.listener).address;
    this.#state = {
      startedAt: Date.now(),
      port: address === undefined ? undefined : Number(address.slice(address.lastIndexOf(':') + 1)),
      connectedClients: () => this.#conns.size,
      blockedClients: () => this.#hub.blocked.count,
      pubsubChannels: () => this.#hub.channels.channelCount,
      pubsubPatterns: () => this.#hub.channels.patternCount,
      commandsProcessed: 0,
      requestRewrite: () => {
        if (this.#persistence === undefined) return false;
        this.#rewriteRequested = true;
        return true;
      },
      persistenceInfo: () => ({ aof_fsync: setup.fsync ?? 'no', ...(this.#persistence?.info() ?? { aof_enabled: 0 }) }),
      limits: this.#limits,
      config: new KvConfig(),
      disconnections: noDisconnections(),
    };
    const hub = (this.#hub = new ClientHub((c) => this.#writerFor(c as Connection)));
    this.#wakeups = new Wakeups(hub.blocked, {
      contextFor: (conn) => this.#contextFor(conn),
      // The requests it sent meanwhile run next.
      unblocked: (conn) => {
        if (conn.parser.buffered > 0) this.#resume.add(conn);
      },
      failed: (conn, e) => {
        this.#state.disconnections.client_internal_error_disconnections++;
        this.#log(`${this.#describe(conn)} closed after an unexpected error: ${describeError(e)}`);
        // Closed at the next housekeeping.
        conn.broken = true;
      },
      served: () => {
        if (this.#replication.pending) this.#replication.flush();
      },
    });
    hub.unblock = (id, withError) => this.#wakeups.unblock(id, withError);
    const replication = this.#replication;
    hub.attachReplica = (client) => {
      // Only the client being served can be attached (its reply is the snapshot).
      if (client !== this.#serving) return false;
      replication.attach(client as Connection, this.#out);
      return true;
    };
    hub.replicate = (args) => replication.record(args);
    hub.demote = (master) => {
      hub.replicaOf = master;
      // A master that becomes a replica drops its replicas (they resync with the new topology).
      if (master !== undefined) replication.dropAll();
    };
    const config = this.#state.config;
    // A logged write modifies the keys of the command logged: WATCH and blocked clients look at them.
    const logWrite = (args: readonly (Uint8Array | string)[]) => {
      this.#persistence?.pending.command(args);
      if (hub.watching) this.#touchLogged(args);
      if (replication.active) replication.record(args);
    };
    // A key created (Redis' dbAdd) is a keyspace event of class 'n'.
    this.#keys.onNew = (key) => hub.notify(config, 'n', 'new', key);
    this.#keys.onExpired = (key) => {
      // As Redis: an expiry reaches replicas as a DEL of its own.
      replication.expired(key);
      hub.notify(config, 'x', 'expired', key);
      if (hub.watching) hub.touched(key, this.#keys);
    };
    this.#ctx = {
      keys: this.#keys,
      out: this.#out,
      log: logWrite,
      client: new Connection(0, 'stream', -1, -1),
      server: this.#state,
      block: (request) => this.#block(request),
      notify: (type, event, key) => hub.notify(config, type, event, key),
      hub,
      ...(setup.commands !== undefined && { commands: commandTable(setup.commands) }),
    };
  }

  async start(): Promise<void> {
    this.#persistence = await Persistence.open(this.#sys, this.#keys, this.#setup.persistence);
    if (this.#persistence !== undefined)
      this.#persistence.onRewriteFailure = (e) =>
        this.#log(`AOF rewrite failed (the log keeps growing; retried later): ${describeError(e)}`);
    // Background writers poke this stream when they finish, so that the select loop takes their client back.
    this.#wake = (await this.#sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 4096 })).ref;
  }

  async loop(): Promise<void> {
    const sys = this.#sys;
    const { inbox, listener } = this.#setup;
    const refs: number[] = [];
    const clients: Connection[] = [];
    for (;;) {
      refs.length = 0;
      refs.push(inbox, this.#wake);
      if (listener !== undefined) refs.push(listener);
      let closingSoonest = Infinity;
      for (const c of this.#conns.values()) {
        if (!c.flushing) refs.push(c.input);
        if (c.closing) closingSoonest = Math.min(closingSoonest, c.closeDeadline);
        // A slow reader over the soft output limit is looked at again when its time is up.
        if (c.flushing) closingSoonest = Math.min(closingSoonest, this.#output.deadline(c));
      }
      const now = Date.now();
      let timeoutMs: number | undefined;
      if (this.#keys.expiring > 0) timeoutMs = Math.max(0, this.#nextSweep - now);
      if (closingSoonest !== Infinity) timeoutMs = Math.max(0, Math.min(timeoutMs ?? Infinity, closingSoonest - now));
      if (this.#hub.blocked.count > 0) {
        const soonest = this.#hub.blocked.soonest();
        if (soonest !== Infinity) timeoutMs = Math.max(0, Math.min(timeoutMs ?? Infinity, soonest - this.#keys.now()));
      }
      // Unblocked clients with requests already read are served without waiting for more.
      for (const c of this.#resume)
        if (!c.flushing) {
          timeoutMs = 0;
          break;
        }
      // After a busy round, let the host deliver what has arrived meanwhile (one turn of its event loop) before
      // selecting: the next round then finds several clients ready instead of blocking for each one.
      if (this.#busy) await yieldToHost();
      let ready: readonly number[] = [];
      try {
        // Every ready reference in one call: a round serves every waiting client (and its writes reach the AOF in one
        // append) without asking about each connection.
        ready = await sys.select(refs, timeoutMs === undefined ? undefined : { timeoutMs }, SelectFlags.ALL);
      } catch (e) {
        if (!isDiosError(e, 'ETIMEDOUT')) throw e;
      }
      await this.#housekeeping();
      if (this.#hub.blocked.count > 0) this.#wakeups.timeouts(this.#keys.now());
      if (ready.length === 0 && this.#resume.size === 0) {
        await this.#flushPushes();
        continue;
      }
      let wake = false;
      let accept = false;
      let announced = false;
      clients.length = 0;
      for (const handle of ready) {
        if (handle === this.#wake) wake = true;
        else if (handle === listener) accept = true;
        else if (handle === inbox) announced = true;
        else {
          // Housekeeping may have dropped it since; a background writer may have taken it.
          const conn = this.#conns.get(handle);
          if (conn !== undefined && !conn.flushing) clients.push(conn);
        }
      }
      for (const conn of this.#resume)
        if (!clients.includes(conn) && !conn.flushing && this.#conns.has(conn.input)) clients.push(conn);
      if (wake) await this.#drainWake();
      if (accept && listener !== undefined) await this.#accept(listener);
      await this.#round(clients);
      await this.#flushPushes();
      if (announced && !(await this.#readInbox())) break;
    }
    await this.#shutdown();
  }

  // Reads every ready client, runs their requests, appends the round's writes to the AOF, then sends each its replies.
  async #round(ready: readonly Connection[]): Promise<void> {
    const served: Connection[] = [];
    this.#busy = false;
    this.#out.reset();
    let read = 0;
    for (; read < ready.length; read++) {
      const conn = ready[read]!;
      // A full round leaves the clients still ready for the next one.
      if (this.#out.length >= ROUND_BYTES || (this.#persistence?.pending.length ?? 0) >= ROUND_BYTES) break;
      try {
        if (await this.#read(conn)) served.push(conn);
      } catch (e) {
        await this.#failed(conn, e);
      }
    }
    // Fairness when a round is cut short: the clients it read go to the back of the order (select reports handles in the
    // order asked), so the ones left waiting come first next time.
    if (read < ready.length)
      for (let i = 0; i < read; i++) {
        const conn = ready[i]!;
        if (this.#conns.delete(conn.input)) this.#conns.set(conn.input, conn);
      }
    if (served.length === 0) {
      // Replies dropped with their client (past its output limit) give their memory back too.
      this.#out.reset();
      return;
    }
    this.#busy = true;
    // Durable before acknowledged: the round's writes reach the AOF before any reply is sent.
    await this.#persistence?.commit();
    if (this.#rewriteRequested) {
      this.#rewriteRequested = false;
      try {
        await this.#persistence?.rewrite();
      } catch (e) {
        this.#log(`BGREWRITEAOF failed (the log keeps growing): ${describeError(e)}`);
      }
    }
    const all = this.#out.bytes();
    for (const conn of served) {
      try {
        await this.#reply(conn, all.subarray(conn.outStart, conn.outEnd));
      } catch (e) {
        await this.#failed(conn, e);
      }
    }
    this.#out.reset();
  }

  // An unexpected error while serving `conn` (not the client's doing, or it would have a proper reply): logged, and the
  // client is told and dropped; every other client goes on.
  async #failed(conn: Connection, error: unknown): Promise<void> {
    this.#state.disconnections.client_internal_error_disconnections++;
    this.#log(`${this.#describe(conn)} closed after an unexpected error: ${describeError(error)}`);
    if (conn.flushing || !this.#conns.has(conn.input)) return this.#drop(conn);
    try {
      const w = new RespWriter();
      w.error('ERR internal error while serving this client; closing the connection');
      const buf = await this.#sys.beginWrite(conn.output, w.length, undefined, BeginWriteFlags.NONBLOCK);
      buf.set(w.bytes());
      await this.#sys.endWrite(conn.output, buf, undefined, EndWriteFlags.END_OF_STREAM);
    } catch {
      // It does not read, or has gone: the drop is all it gets.
    }
    await this.#drop(conn);
  }

  // `client id=N addr=...`, as Redis' log names a client.
  #describe(conn: Connection): string {
    let addr: string = conn.kind;
    try {
      if (conn.kind === 'tcp') addr = this.#sys.ref(conn.input).address ?? addr;
    } catch {
      // Its reference is gone.
    }
    return `client id=${conn.id} addr=${addr}`;
  }

  // The expiry sweep, and connections whose close is overdue or whose background write failed or finished.
  async #housekeeping(): Promise<void> {
    const now = Date.now();
    if (now >= this.#nextSweep) {
      this.#keys.sweep(SWEEP_BUDGET);
      this.#nextSweep = now + SWEEP_MS;
    }
    for (const c of this.#conns.values()) {
      if (c.flushing) {
        if (this.#output.overdue(c, now)) {
          this.#state.disconnections.client_output_buffer_limit_disconnections++;
          this.#log(
            `${this.#describe(c)} closed for overcoming of output buffer limits (${c.pending} bytes unsent for ${((now - c.softSince) / 1000).toFixed(1)} s)`,
          );
          await this.#drop(c);
        }
        continue;
      }
      if (c.broken || (c.closing && now >= c.closeDeadline)) await this.#drop(c);
      else if (c.closeAfterReply && !c.closing) await this.#end(c);
    }
  }

  // Takes the clients waiting on the listener, at most 256 a round (the rest are still ready next round).
  async #accept(listener: number): Promise<void> {
    for (let i = 0; i < 256; i++) if (!(await this.#acceptOne(listener))) return;
  }

  // Takes one client; false when none was waiting.
  async #acceptOne(listener: number): Promise<boolean> {
    const sys = this.#sys;
    let name: Name;
    try {
      const view = await sys.beginRead(listener, { length: 32 }, BeginReadFlags.NONBLOCK);
      name = Name.fromBytes(plainBytes(view).slice());
      await sys.endRead(listener, view);
    } catch (e) {
      if (isDiosError(e, 'EAGAIN')) return false;
      throw e;
    }
    let ref: number;
    try {
      ref = (await sys.lookup(name))[0]!;
    } catch (e) {
      // The client went away before it was taken.
      if (isDiosError(e, 'ENOENT')) return true;
      throw e;
    }
    this.#conns.set(ref, new Connection(this.#nextId++, 'tcp', ref, ref, this.#limits));
    return true;
  }

  // Reads announcements (two stream names each) and takes the clients on; false once the inbox has ended.
  async #readInbox(): Promise<boolean> {
    const sys = this.#sys;
    const { inbox } = this.#setup;
    const view = await sys.beginRead(inbox, { length: READ_BYTES });
    if (view.length === 0) {
      await sys.endRead(inbox, view);
      return false;
    }
    const bytes = new Uint8Array(this.#inboxBytes.length + view.length);
    bytes.set(this.#inboxBytes);
    bytes.set(view, this.#inboxBytes.length);
    await sys.endRead(inbox, view);
    let at = 0;
    for (; at + ANNOUNCEMENT <= bytes.length; at += ANNOUNCEMENT) {
      const requests = await this.#lookupQuietly(Name.fromBytes(bytes.slice(at, at + 32)));
      const replies = await this.#lookupQuietly(Name.fromBytes(bytes.slice(at + 32, at + 64)));
      if (requests === undefined || replies === undefined) {
        // A client that left before it was served: nothing to serve.
        for (const r of [requests, replies]) if (r !== undefined) await deleteQuietly(sys, r);
        continue;
      }
      this.#conns.set(requests, new Connection(this.#nextId++, 'stream', requests, replies, this.#limits));
    }
    this.#inboxBytes = bytes.slice(at);
    return true;
  }

  async #lookupQuietly(name: Name): Promise<number | undefined> {
    try {
      return (await this.#sys.lookup(name))[0];
    } catch {
      // Whatever the reason (gone: ENOENT; its node down), a stream the server cannot reach is one it cannot serve.
      return undefined;
    }
  }

  async #drainWake(): Promise<void> {
    const view = await this.#sys.beginRead(this.#wake, { length: 4096 });
    await this.#sys.endRead(this.#wake, view);
  }

  // One read from a ready client: runs its complete requests, their replies appended to #out
  // (conn.outStart..outEnd). True when there is something to send.
  async #read(conn: Connection): Promise<boolean> {
    const sys = this.#sys;
    // An unblocked client runs the requests it sent meanwhile, whether or not more came.
    const resumed = this.#resume.delete(conn);
    let view: Uint8Array | undefined;
    try {
      view = await sys.beginRead(conn.input, { length: READ_BYTES }, BeginReadFlags.NONBLOCK);
    } catch (e) {
      if (!isDiosError(e, 'EAGAIN')) {
        // A reset (ECONNRESET) or the like: the client is gone.
        await this.#drop(conn);
        return false;
      }
      if (!resumed) return false;
    }
    if (conn.closing) {
      if (view === undefined) return false;
      await sys.endRead(conn.input, view);
      if (view.length === 0) await this.#drop(conn);
      return false;
    }
    const out = this.#out;
    conn.outStart = out.length;
    if (view !== undefined && view.length === 0) {
      await sys.endRead(conn.input, view);
      // The peer ended its side in the middle of a request: say so, as far as it still listens.
      if (conn.parser.buffered === 0 || (conn.flags & BLOCKED) !== 0) {
        await this.#drop(conn);
        return false;
      }
      out.error('ERR Protocol error: unexpected end of stream inside a request');
      conn.closeAfterReply = true;
      conn.outEnd = out.length;
      return true;
    }
    const parser = conn.parser;
    if ((conn.flags & BLOCKED) !== 0) {
      // Parked: what it sends waits in its parser (a disconnection is still seen).
      if (view !== undefined) {
        parser.feed(view);
        parser.retain();
        await sys.endRead(conn.input, view);
      }
      return false;
    }
    const ctx = this.#ctx;
    const state = this.#state;
    ctx.client = conn;
    out.protocol = conn.protocol;
    // Messages that came for it before this round go first.
    if (conn.pushes !== undefined) this.#pushes.moveInto(conn, out);
    // The client's replies may not pass its hard output limit (nor the largest buffer).
    out.limit = conn.outStart + this.#output.hard;
    let replyStart = out.length;
    let overflowed = false;
    const blocked = this.#hub.blocked;
    this.#serving = conn;
    try {
      if (view !== undefined) parser.feed(view);
      for (let args = parser.next(); args !== undefined; args = parser.next()) {
        state.commandsProcessed++;
        dispatch(args, ctx);
        replyStart = out.length;
        // Clients blocked on keys this command wrote are served now, as Redis does after each command.
        if (this.#replication.pending) this.#replication.flush();
        if (blocked.ready.size > 0) this.#wakeups.serveReady();
        if (out.overflowed) {
          overflowed = true;
          break;
        }
        if (conn.closeAfterReply || (conn.flags & BLOCKED) !== 0) break;
      }
      if (!conn.closeAfterReply && !overflowed) parser.retain();
    } catch (e) {
      // Whatever a failed command had begun to write goes (replyStart: the end of the last complete reply).
      out.truncate(replyStart);
      if (e instanceof RespQueryLimitError) {
        state.disconnections.client_query_buffer_limit_disconnections++;
        this.#log(`${this.#describe(conn)} closed: ${e.message}`);
      }
      if (e instanceof RespProtocolError) out.error(`ERR ${e.message}`);
      else {
        state.disconnections.client_internal_error_disconnections++;
        this.#log(`${this.#describe(conn)} closed after an unexpected error: ${describeError(e)}`);
        out.error('ERR internal error while serving this client; closing the connection');
      }
      conn.closeAfterReply = true;
    } finally {
      out.limit = MAX_BUFFER_BYTES;
      this.#serving = undefined;
    }
    if (view !== undefined) await sys.endRead(conn.input, view);
    if (overflowed) {
      // As Redis does past the hard limit: the client is closed at once, its replies dropped.
      out.truncate(conn.outStart);
      state.disconnections.client_output_buffer_limit_disconnections++;
      this.#log(
        `${this.#describe(conn)} closed for overcoming of output buffer limits (a round's replies passed ${this.#output.hard} bytes)`,
      );
      await this.#drop(conn);
      return false;
    }
    conn.outEnd = out.length;
    return conn.outEnd > conn.outStart || conn.closeAfterReply;
  }

  // Sends `bytes` to `conn`: at once as far as the client keeps up, the rest in the background. Pieces of at most
  // TCP_PIECE (STREAM_PIECE), so that the kernel holds little of a slow client's replies and the rest counts against
  // its output limit.
  async #reply(conn: Connection, bytes: Uint8Array): Promise<void> {
    const sys = this.#sys;
    const end = conn.closeAfterReply;
    if (bytes.length === 0 && !end) return;
    const piece = conn.kind === 'tcp' ? TCP_PIECE : STREAM_PIECE;
    let at = 0;
    try {
      do {
        const n = Math.min(piece, bytes.length - at);
        const lend = conn.kind === 'tcp' ? tcpLend(n) : n;
        const buf = await sys.beginWrite(conn.output, lend, undefined, BeginWriteFlags.NONBLOCK);
        buf.set(bytes.subarray(at, at + n));
        at += n;
        await sys.endWrite(
          conn.output,
          buf,
          { length: n },
          end && at === bytes.length ? EndWriteFlags.END_OF_STREAM : 0,
        );
      } while (at < bytes.length);
      if (end) await this.#closed(conn);
      return;
    } catch (e) {
      if (!isDiosError(e, 'EAGAIN')) {
        await this.#drop(conn);
        return;
      }
    }
    conn.flushing = true;
    this.#output.note(conn, bytes.length - at, Date.now());
    void this.#writeInBackground(conn, bytes.slice(at), end);
  }

  // Writes `bytes` to a client that is not keeping up, waiting as long as it takes; the select loop skips it meanwhile
  // (and drops it, which ends this, once it has stayed over the soft output limit too long).
  async #writeInBackground(conn: Connection, bytes: Uint8Array, end: boolean): Promise<void> {
    const sys = this.#sys;
    try {
      const piece = conn.kind === 'tcp' ? TCP_PIECE : STREAM_PIECE;
      let at = 0;
      do {
        const n = Math.min(piece, bytes.length - at);
        const buf = await sys.beginWrite(conn.output, n);
        buf.set(bytes.subarray(at, at + n));
        at += n;
        await sys.endWrite(conn.output, buf, undefined, end && at === bytes.length ? EndWriteFlags.END_OF_STREAM : 0);
        this.#output.note(conn, bytes.length - at, Date.now());
      } while (at < bytes.length);
      if (end) this.#markClosing(conn);
    } catch {
      // The client reset or stopped reading: the connection is dropped, the server goes on.
      conn.broken = true;
    }
    this.#output.note(conn, 0, 0);
    conn.flushing = false;
    try {
      const buf = await sys.beginWrite(this.#wake, 1, undefined, BeginWriteFlags.NONBLOCK);
      await sys.endWrite(this.#wake, buf);
    } catch {
      // Full: the loop has a wake-up pending already.
    }
  }

  // Our side is ended: a TCP client is given a moment to read and close; a stream client has its replies in the stream.
  async #closed(conn: Connection): Promise<void> {
    if (conn.kind === 'stream') await this.#drop(conn);
    else this.#markClosing(conn);
  }

  #markClosing(conn: Connection): void {
    conn.closing = true;
    conn.closeDeadline = Date.now() + CLOSE_GRACE_MS;
  }

  // Ends our side of a connection without a reply (an empty write with END_OF_STREAM).
  async #end(conn: Connection): Promise<void> {
    await this.#reply(conn, new Uint8Array(0));
  }

  // Forgets a connection and deletes its references.
  async #drop(conn: Connection): Promise<void> {
    if (!this.#conns.delete(conn.input)) return;
    this.#forget(conn);
    const sys = this.#sys;
    if (conn.kind === 'stream' && !conn.closing) {
      // Tell a native client there will be no more replies.
      try {
        const buf = await sys.beginWrite(conn.output, 0, undefined, BeginWriteFlags.NONBLOCK);
        await sys.endWrite(conn.output, buf, undefined, EndWriteFlags.END_OF_STREAM);
      } catch {
        // Already ended, or nobody reads it.
      }
    }
    await deleteQuietly(sys, conn.input);
    if (conn.output !== conn.input) await deleteQuietly(sys, conn.output);
  }

  // Takes a client that leaves out of every registry.
  #forget(conn: Connection): void {
    const hub = this.#hub;
    hub.blocked.unblock(conn);
    hub.watched.unwatchAll(conn);
    hub.channels.forget(conn);
    this.#pushes.forget(conn);
    this.#resume.delete(conn);
    this.#replication.detach(conn);
  }

  // Where output for `conn` goes: #out while it is being served, else its pushes (sent after the round).
  #writerFor(conn: Connection): RespWriter {
    return conn === this.#serving ? this.#out : this.#pushes.writer(conn);
  }

  // A context for running part of `conn`'s blocked command (its output to its pushes).
  #contextFor(conn: Connection): CommandContext {
    return { ...this.#ctx, client: conn, out: this.#writerFor(conn) };
  }

  // ctx.block: parks the client being served; inside EXEC (or with no client) the timeout reply at once.
  #block(request: BlockRequest): void {
    const conn = this.#serving;
    if (conn === undefined || (conn.flags & IN_EXEC) !== 0) return request.timedOut(this.#ctx);
    this.#hub.blocked.block(conn, request);
  }

  // The keys of a logged command were modified.
  #touchLogged(args: readonly (Uint8Array | string)[]): void {
    const bytes = args.map((a) => (typeof a === 'string' ? latin1Bytes(a) : a));
    const spec = commandSpec(bytes[0]!, this.#ctx.commands);
    if (spec === undefined) return;
    for (const i of keyPositions(spec, bytes)) {
      const a = args[i]!;
      this.#hub.touched(typeof a === 'string' ? a : latin1(a), this.#keys);
    }
  }

  // Sends the pushes waiting for clients not busy with an earlier write (durable first, as replies are).
  async #flushPushes(): Promise<void> {
    if (this.#pushes.size === 0) return;
    await this.#persistence?.commit();
    for (const [conn, taken] of this.#pushes.take()) {
      if (taken === 'overflowed') {
        this.#state.disconnections.client_output_buffer_limit_disconnections++;
        this.#log(
          `${this.#describe(conn)} closed for overcoming of output buffer limits (messages for it passed ${this.#output.hard} bytes)`,
        );
        await this.#drop(conn);
      } else if (taken instanceof Uint8Array && this.#conns.has(conn.input)) {
        try {
          await this.#reply(conn, taken);
        } catch (e) {
          await this.#failed(conn, e);
        }
      }
    }
  }

  async #shutdown(): Promise<void> {
    for (const c of [...this.#conns.values()]) {
      if (!c.flushing) await this.#drop(c);
    }
    await this.#persistence?.commit();
    if (this.#setup.listener !== undefined) await deleteQuietly(this.#sys, this.#setup.listener);
  }
}

// The size of TCP write buffer to ask for `n` bytes (see MIN_TCP_LEND).
function tcpLend(n: number): number {
  let size = MIN_TCP_LEND;
  while (size < n && size < TCP_PIECE) size *= 2;
  return Math.max(size, n);
}

// An error as a log line: its message, and where it was thrown from.
function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const at = e.stack
    ?.split('\n')
    .find((l) => l.trimStart().startsWith('at '))
    ?.trim();
  return `${e.name}: ${e.message}${at === undefined ? '' : ` (${at})`}`;
}
