/**
 * The simulated network: each node gets a loopback transport whose messages are events of
 * the scheduler. Each request and each reply takes a delay the run's
 * choices pick (so messages overtake each other: reordering), and faults
 * change what gets through: links cut and mended, nodes isolated and lost,
 * messages dropped (the requester then hears EHOSTDOWN once its request
 * times out, as over NATS), links slowed. Within the Transport contract: a
 * request gets its reply or EHOSTDOWN, and peers that become unreachable are
 * reported gone.
 * @module
 */
import { DiosError, errors } from '../../core/abi/errors.js';
import type { PeerReply, PeerRequest } from '../../core/wire/transport.js';
import { LoopbackTransport, type LoopbackHub } from '../../transport/loopback.js';
import { copyMessage } from '../../transport/message-copy.js';
import type { DelayRange, SimScheduler } from './scheduler.js';

/** How the simulated network behaves when no fault says otherwise. */
export interface SimNetworkOptions {
  /** How long a message takes (default 0.1 to 5 ms). */
  readonly delay?: DelayRange;
  /** How long a requester waits for a lost message's reply before EHOSTDOWN (default 1000 ms). */
  readonly requestTimeoutMs?: number;
  /** How long after a peer becomes unreachable a node is told it is gone (default 50 ms). */
  readonly goneAfterMs?: number;
}

interface InFlight {
  readonly from: string;
  readonly to: string;
  readonly fail: (why: string) => void;
}

const link = (from: string, to: string): string => `${from}>${to}`;

/** The network of one simulation: its nodes' transports are loopback transports, their messages events. */
export class SimNetwork implements LoopbackHub {
  readonly #scheduler: SimScheduler;
  readonly #delay: DelayRange;
  readonly #timeoutMs: number;
  readonly #goneAfterMs: number;
  readonly #nodes = new Map<string, LoopbackTransport>();
  readonly #known = new Set<string>();
  readonly #cut = new Set<string>();
  readonly #isolated = new Set<string>();
  readonly #slow = new Map<string, number>();
  readonly #drops = new Map<string, number>();
  readonly #inFlight = new Set<InFlight>();

  /** A network whose messages are events of `scheduler`. */
  constructor(scheduler: SimScheduler, options: SimNetworkOptions = {}) {
    this.#scheduler = scheduler;
    this.#delay = options.delay ?? { min: 0.1, max: 5 };
    this.#timeoutMs = options.requestTimeoutMs ?? 1000;
    this.#goneAfterMs = options.goneAfterMs ?? 50;
  }

  /** The transport of node `id` (again after the node was lost: a restarted node). */
  connect(id: string): LoopbackTransport {
    if (typeof id !== 'string' || id.length === 0)
      throw errors.EINVAL('SimNetwork.connect', 'id', 'a node id is a non-empty string');
    if (this.#nodes.has(id)) throw errors.EEXIST('SimNetwork.connect', 'id', `node "${id}" is already connected`);
    const transport = new LoopbackTransport(this, id);
    // A restart: the kernel that had this id is gone, whether or not its peers have found out yet. Its new heartbeat
    // tells them at once (over NATS, by the new instance's nonce), so it is never taken for its old self.
    if (this.#known.has(id)) for (const [other, t] of this.#nodes) if (other !== id) t.peerGone(id);
    this.#reappear(() => {
      this.#nodes.set(id, transport);
      this.#known.add(id);
    });
    return transport;
  }

  /** Whether a message from `from` gets to `to` now. */
  reachable(from: string, to: string): boolean {
    return (
      this.#nodes.has(from) &&
      this.#nodes.has(to) &&
      !this.#scheduler.isLost(from) &&
      !this.#scheduler.isLost(to) &&
      !this.#isolated.has(from) &&
      !this.#isolated.has(to) &&
      !this.#cut.has(link(from, to))
    );
  }

  /** Ids of the nodes `id` can reach now. */
  peersOf(id: string): string[] {
    return [...this.#nodes.keys()].filter((other) => other !== id && this.reachable(id, other));
  }

  /** Cuts the link between `a` and `b`, both ways. */
  cut(a: string, b: string): void {
    this.#change(() => {
      this.#cut.add(link(a, b));
      this.#cut.add(link(b, a));
    });
  }
  /** Mends a cut link. */
  mend(a: string, b: string): void {
    this.#reappear(() => {
      this.#cut.delete(link(a, b));
      this.#cut.delete(link(b, a));
    });
  }
  /** Cuts `id` off from every other node (a partition of one). */
  isolate(id: string): void {
    this.#change(() => this.#isolated.add(id));
  }
  /** Ends an isolation. */
  rejoin(id: string): void {
    this.#reappear(() => this.#isolated.delete(id));
  }
  /** Ends every cut and isolation. */
  healAll(): void {
    this.#reappear(() => {
      this.#cut.clear();
      this.#isolated.clear();
    });
  }
  /** The node is lost: it leaves the network (its kernel's events stop: see SimScheduler.lose). */
  lose(id: string): void {
    this.#change(() => {
      this.#scheduler.lose(id);
      this.#nodes.get(id)?.detach();
      this.#nodes.delete(id);
    });
  }
  /** Drops the next `count` messages (requests or replies) sent from `from` to `to`. */
  drop(from: string, to: string, count: number): void {
    this.#drops.set(link(from, to), (this.#drops.get(link(from, to)) ?? 0) + count);
  }
  /** Adds `ms` to every message from `from` to `to` (0 ends it). */
  slow(from: string, to: string, ms: number): void {
    if (ms > 0) this.#slow.set(link(from, to), ms);
    else this.#slow.delete(link(from, to));
  }

  /** @internal Sends a request on behalf of `from`'s transport. */
  deliver(from: string, to: string, request: PeerRequest): Promise<PeerReply> {
    if (!this.#known.has(to))
      return Promise.reject(errors.EHOSTUNREACH('request', 'to', `no node "${to}" in the simulation`));
    return new Promise<PeerReply>((resolve, reject) => {
      let settled = false;
      const flight: InFlight = {
        from,
        to,
        fail: (why) => finish(() => reject(errors.EHOSTDOWN('request', 'to', why))),
      };
      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        this.#inFlight.delete(flight);
        settle();
      };
      this.#inFlight.add(flight);
      const what = `${request.kind} ${from} -> ${to}`;
      if (!this.reachable(from, to)) {
        this.#scheduler.at(0, from, 'notice', `${what}: unreachable`, () => flight.fail(`node "${to}" is unreachable`));
        return;
      }
      if (this.#takeDrop(from, to)) {
        this.#lost(from, `${what}: request lost`, flight);
        return;
      }
      this.#scheduler.at(this.#hop(from, to), undefined, 'deliver', what, () => {
        const target = this.#nodes.get(to);
        if (!this.reachable(from, to) || target?.handler === undefined) {
          flight.fail(`node "${to}" went down`);
          return;
        }
        const onReply = (settle: () => void) => {
          if (settled) return;
          if (this.#takeDrop(to, from)) {
            this.#lost(from, `${what}: reply lost`, flight);
            return;
          }
          this.#scheduler.at(this.#hop(to, from), undefined, 'reply', `${what}: reply`, () => {
            if (!this.reachable(to, from)) flight.fail(`node "${to}" went down before replying`);
            else finish(settle);
          });
        };
        (async () => target.handler!(from, copyMessage(request)))().then(
          (reply) => {
            // Copied as it is sent (a reply may hold the home's live memory: a begin-read's lent bytes), not when
            // it arrives: a commit at the home during the hop must not show in bytes already sent.
            const sent = copyMessage(reply);
            onReply(() => resolve(sent));
          },
          (e: unknown) =>
            onReply(() =>
              reject(
                e instanceof DiosError
                  ? new DiosError(e.code, e.syscall, e.argument, e.detail)
                  : errors.EIO('request', 'to', `node "${to}" failed to handle the request: ${String(e)}`),
              ),
            ),
        );
      });
    });
  }

  /** @internal Leaves the network (a transport closed). */
  remove(id: string): void {
    this.#change(() => this.#nodes.delete(id));
  }

  #hop(from: string, to: string): number {
    return this.#scheduler.delay(this.#delay) + (this.#slow.get(link(from, to)) ?? 0);
  }

  #takeDrop(from: string, to: string): boolean {
    const left = this.#drops.get(link(from, to)) ?? 0;
    if (left <= 0) return false;
    this.#drops.set(link(from, to), left - 1);
    return true;
  }

  // A lost message: the requester gives up when its request times out.
  #lost(requester: string, what: string, flight: InFlight): void {
    this.#scheduler.at(this.#timeoutMs, requester, 'notice', `${what}, timed out`, () =>
      flight.fail(`no answer from "${flight.to}" within ${this.#timeoutMs} ms`),
    );
  }

  // Applies a repair, then tells nodes about peers they reach again (a peer never found gone is nothing new to them).
  #reappear(apply: () => void): void {
    const before = new Map([...this.#nodes.keys()].map((id) => [id, new Set(this.peersOf(id))]));
    apply();
    for (const [id, transport] of this.#nodes) {
      for (const peer of this.peersOf(id)) if (!before.get(id)?.has(peer)) transport.peerSeen(peer);
    }
  }

  // Applies a fault, then fails the requests it cut off and tells nodes about peers they can no longer reach.
  #change(apply: () => void): void {
    const before = new Map([...this.#nodes.keys()].map((id) => [id, this.peersOf(id)]));
    apply();
    for (const flight of [...this.#inFlight]) {
      if (!this.reachable(flight.from, flight.to)) flight.fail(`node "${flight.to}" became unreachable`);
    }
    for (const [id, peers] of before) {
      const transport = this.#nodes.get(id);
      if (transport === undefined) continue;
      for (const peer of peers) {
        if (this.reachable(id, peer)) continue;
        const check = this.#scheduler.at(this.#goneAfterMs, id, 'notice', `${id} checks on ${peer}`, () => {
          const gone = !this.reachable(id, peer);
          if (check.entry !== undefined) check.entry.outcome = gone ? 'gone' : 'reachable again: nothing reported';
          if (gone) transport.peerGone(peer);
        });
      }
    }
  }
}
