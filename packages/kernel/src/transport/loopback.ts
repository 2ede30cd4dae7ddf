/**
 * The loopback transport: kernels in one process exchange requests through a
 * shared {@link LoopbackNetwork}. Messages are structured-cloned in both
 * directions, so kernels share no memory, exactly as over a real network.
 * @module
 */
import { errors } from '../core/errors.js';
import type { PeerReply, PeerRequest, RequestHandler, Transport } from '../core/transport.js';

/** An in-process network of loopback transports. */
export class LoopbackNetwork {
  readonly #nodes = new Map<string, LoopbackTransport>();
  readonly #down = new Set<string>();

  /** Creates the transport of node `id` on this network. */
  connect(id: string): LoopbackTransport {
    if (typeof id !== 'string' || id.length === 0) throw errors.EINVAL('LoopbackNetwork.connect', 'id', 'a node id is a non-empty string');
    if (this.#nodes.has(id)) throw errors.EEXIST('LoopbackNetwork.connect', 'id', `node "${id}" is already on the network`);
    const transport = new LoopbackTransport(this, id);
    this.#nodes.set(id, transport);
    return transport;
  }

  /** Simulates a crash or partition: requests to and from `id` fail with EHOSTDOWN until {@link LoopbackNetwork.restore}. */
  partition(id: string): void {
    this.#down.add(id);
  }
  /** Ends a {@link LoopbackNetwork.partition}. */
  restore(id: string): void {
    this.#down.delete(id);
  }

  /** Ids of nodes that are on the network and up. */
  up(): string[] {
    return [...this.#nodes.keys()].filter((id) => !this.#down.has(id));
  }

  /** @internal Delivers a request from `from` to `to`. */
  async deliver(from: string, to: string, request: PeerRequest): Promise<PeerReply> {
    const target = this.#nodes.get(to);
    if (target === undefined) throw errors.EHOSTUNREACH('request', 'to', `no node "${to}" on the network`);
    if (this.#down.has(to) || this.#down.has(from) || target.handler === undefined) {
      throw errors.EHOSTDOWN('request', 'to', `node "${to}" is down or not listening`);
    }
    // The hop is asynchronous, like any network.
    await Promise.resolve();
    const reply = await target.handler(from, structuredClone(request));
    if (this.#down.has(to) || this.#down.has(from)) throw errors.EHOSTDOWN('request', 'to', `node "${to}" went down before replying`);
    return structuredClone(reply);
  }

  /** @internal Removes a closed node. */
  remove(id: string): void {
    this.#nodes.delete(id);
    this.#down.delete(id);
  }
}

/** One node's endpoint on a {@link LoopbackNetwork}. */
export class LoopbackTransport implements Transport {
  /** This node's id. */
  readonly localId: string;
  readonly #network: LoopbackNetwork;
  /** @internal The handler requests are delivered to. */
  handler: RequestHandler | undefined = undefined;
  #closed = false;

  /** Made by {@link LoopbackNetwork.connect}. */
  constructor(network: LoopbackNetwork, id: string) {
    this.#network = network;
    this.localId = id;
  }

  listen(handler: RequestHandler): void {
    if (this.handler !== undefined) throw errors.EBUSY('listen', 'handler', 'the transport already has a handler');
    this.handler = handler;
  }

  request(to: string, request: PeerRequest): Promise<PeerReply> {
    if (this.#closed) return Promise.reject(errors.EHOSTDOWN('request', undefined, `transport "${this.localId}" is closed`));
    return this.#network.deliver(this.localId, to, request);
  }

  peers(): string[] {
    return this.#closed ? [] : this.#network.up().filter((id) => id !== this.localId);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.handler = undefined;
    this.#network.remove(this.localId);
  }
}
