/**
 * The loopback transport: kernels in one process exchange requests through a
 * shared {@link LoopbackNetwork}. Messages are copied in both directions
 * (byte arrays into fresh buffers of their exact length), so kernels share no
 * memory, exactly as over a real network.
 * @module
 */
import { DiosError, errors } from '../core/abi/errors.js';
import type { PeerReply, PeerRequest, RequestHandler, Transport } from '../core/wire/transport.js';
import { copyMessage } from './message-copy.js';

/**
 * What a loopback transport needs of the network it is on: the
 * {@link LoopbackNetwork}, or the simulated network of `@dios/kernel/testing`.
 */
export interface LoopbackHub {
  /** Carries a request from node `from` to node `to` and brings back the reply. */
  deliver(from: string, to: string, request: PeerRequest): Promise<PeerReply>;
  /** Ids of the nodes `id` can reach now. */
  peersOf(id: string): string[];
  /** Takes a closed node off the network. */
  remove(id: string): void;
}

/** An in-process network of loopback transports. */
export class LoopbackNetwork implements LoopbackHub {
  readonly #nodes = new Map<string, LoopbackTransport>();
  readonly #down = new Set<string>();
  // Nodes that closed: requests to them fail with EHOSTDOWN (the node is gone), not EHOSTUNREACH (never known).
  readonly #left = new Set<string>();
  // Requests waiting for a handler; each fails at once when its sender or target goes down or leaves.
  readonly #pending = new Set<(id: string) => void>();

  /** Creates the transport of node `id` on this network. */
  connect(id: string): LoopbackTransport {
    if (typeof id !== 'string' || id.length === 0)
      throw errors.EINVAL('LoopbackNetwork.connect', 'id', 'a node id is a non-empty string');
    if (this.#nodes.has(id))
      throw errors.EEXIST('LoopbackNetwork.connect', 'id', `node "${id}" is already on the network`);
    const transport = new LoopbackTransport(this, id);
    const before = this.up();
    this.#nodes.set(id, transport);
    this.#left.delete(id);
    this.#seen(id, before);
    return transport;
  }

  /** Simulates a crash or partition: requests to and from `id` fail with EHOSTDOWN until {@link LoopbackNetwork.restore}. */
  partition(id: string): void {
    if (this.#down.has(id)) return;
    const before = this.up();
    this.#down.add(id);
    this.#abort(id);
    this.#gone(id, before);
  }
  /** Ends a {@link LoopbackNetwork.partition}. */
  restore(id: string): void {
    if (!this.#down.delete(id) || !this.#nodes.has(id)) return;
    this.#seen(
      id,
      this.up().filter((other) => other !== id),
    );
  }

  /** Ids of nodes that are on the network and up. */
  up(): string[] {
    return [...this.#nodes.keys()].filter((id) => !this.#down.has(id));
  }

  /** @internal Ids of the nodes up, other than `id`. */
  peersOf(id: string): string[] {
    return this.up().filter((other) => other !== id);
  }

  /** @internal Delivers a request from `from` to `to`. */
  async deliver(from: string, to: string, request: PeerRequest): Promise<PeerReply> {
    const target = this.#nodes.get(to);
    if (target === undefined) {
      if (this.#left.has(to)) throw errors.EHOSTDOWN('request', 'to', `node "${to}" has left the network`);
      throw errors.EHOSTUNREACH('request', 'to', `no node "${to}" on the network`);
    }
    const usable = () =>
      this.#nodes.get(to) === target && this.#nodes.has(from) && !this.#down.has(to) && !this.#down.has(from);
    if (!usable() || target.handler === undefined)
      throw errors.EHOSTDOWN('request', 'to', `node "${to}" is down or not listening`);
    const message = copyMessage(request);
    // The hop is asynchronous, like any network.
    await Promise.resolve();
    const handler = target.handler;
    if (!usable() || handler === undefined) throw errors.EHOSTDOWN('request', 'to', `node "${to}" went down`);
    const reply = await new Promise<PeerReply>((resolve, reject) => {
      // A node that goes down does not answer: the request fails now, whatever its handler does later.
      const abort = (id: string) => {
        if (id !== to && id !== from) return;
        this.#pending.delete(abort);
        reject(errors.EHOSTDOWN('request', 'to', `node "${id}" went down before the reply`));
      };
      this.#pending.add(abort);
      // (A handler that throws instead of rejecting is treated alike.)
      (async () => handler(from, message))().then(
        (r) => {
          this.#pending.delete(abort);
          // Copied as it is sent: a reply may hold the home's live memory (a begin-read's lent bytes).
          resolve(copyMessage(r));
        },
        (e: unknown) => {
          this.#pending.delete(abort);
          // The handler's error object stays on its node; the requester gets a DiosError of its own.
          reject(
            e instanceof DiosError
              ? new DiosError(e.code, e.syscall, e.argument, e.detail)
              : errors.EIO(
                  'request',
                  'to',
                  `node "${to}" failed to handle the request: ${e instanceof Error ? e.message : String(e)}`,
                ),
          );
        },
      );
    });
    if (!usable()) throw errors.EHOSTDOWN('request', 'to', `node "${to}" went down before replying`);
    return reply;
  }

  /** @internal Removes a closed node. */
  remove(id: string): void {
    const before = this.up();
    this.#nodes.delete(id);
    this.#down.delete(id);
    this.#left.add(id);
    this.#abort(id);
    this.#gone(id, before);
  }

  // Tells the nodes that were up with `id` that it is gone, and `id` (if still there) that they are.
  #gone(id: string, before: string[]): void {
    if (!before.includes(id)) return;
    for (const other of before) {
      if (other === id) continue;
      this.#nodes.get(other)?.peerGone(id);
      this.#nodes.get(id)?.peerGone(other);
    }
  }

  // Tells the nodes up that `id` is reachable, and `id` that they are.
  #seen(id: string, others: string[]): void {
    for (const other of others) {
      this.#nodes.get(other)?.peerSeen(id);
      this.#nodes.get(id)?.peerSeen(other);
    }
  }

  #abort(id: string): void {
    for (const abort of [...this.#pending]) abort(id);
  }
}

/** One node's endpoint on an in-process network (a {@link LoopbackNetwork}). */
export class LoopbackTransport implements Transport {
  /** This node's id. */
  readonly localId: string;
  readonly #network: LoopbackHub;
  /** @internal The handler requests are delivered to. */
  handler: RequestHandler | undefined = undefined;
  #closed = false;
  readonly #goneListeners = new Set<(peer: string) => void>();
  readonly #seenListeners = new Set<(peer: string) => void>();

  /** Made by the network's `connect` ({@link LoopbackNetwork.connect}). */
  constructor(network: LoopbackHub, id: string) {
    this.#network = network;
    this.localId = id;
  }

  listen(handler: RequestHandler): void {
    if (this.handler !== undefined) throw errors.EBUSY('listen', 'handler', 'the transport already has a handler');
    this.handler = handler;
  }

  request(to: string, request: PeerRequest): Promise<PeerReply> {
    if (this.#closed)
      return Promise.reject(errors.EHOSTDOWN('request', undefined, `transport "${this.localId}" is closed`));
    return this.#network.deliver(this.localId, to, request);
  }

  peers(): string[] {
    return this.#closed ? [] : this.#network.peersOf(this.localId);
  }

  onPeerGone(listener: (peer: string) => void): () => void {
    this.#goneListeners.add(listener);
    return () => this.#goneListeners.delete(listener);
  }

  onPeerSeen(listener: (peer: string) => void): () => void {
    this.#seenListeners.add(listener);
    return () => this.#seenListeners.delete(listener);
  }

  /** @internal Tells this node's listeners that `peer` is reachable. */
  peerSeen(peer: string): void {
    if (this.#closed) return;
    for (const listener of [...this.#seenListeners]) listener(peer);
  }

  /** @internal Tells this node's listeners that `peer` is gone. */
  peerGone(peer: string): void {
    for (const listener of [...this.#goneListeners]) listener(peer);
  }

  /** @internal The node is lost (a simulated crash): nothing reaches it, and it sends nothing, from now on. */
  detach(): void {
    this.#closed = true;
    this.handler = undefined;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.handler = undefined;
    this.#network.remove(this.localId);
  }
}
