/**
 * The one-process scale harness: N kernels on one loopback network, each
 * with a host task in the cluster's root group, and every transport request
 * counted by kind (the transports' `request()` is wrapped), so a benchmark
 * can say how many messages an operation cost.
 * @module
 */
import { Kernel, LoopbackNetwork, type NameResolution, type PeerLink, type SystemCalls } from '@dios/kernel';

/** Transport requests sent so far, by request kind, over every kernel of a {@link ScaleCluster}. */
export class RequestCounter {
  /** Requests by kind. */
  readonly byKind = new Map<string, number>();
  /** Every request. */
  total = 0;

  /** Counts one request of `kind`. */
  count(kind: string): void {
    this.total++;
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
  }

  /** A copy of the counts now, to subtract later ones from. */
  snapshot(): { total: number; byKind: Map<string, number> } {
    return { total: this.total, byKind: new Map(this.byKind) };
  }
}

/** N kernels in one process, joined over one loopback network. */
export interface ScaleCluster {
  /** The network every kernel is on. */
  net: LoopbackNetwork;
  /** The kernels, in boot order (ids `k0`, `k1`, ...). */
  kernels: Kernel[];
  /** Each kernel's peer link, in the same order. */
  links: PeerLink[];
  /** A host task on each kernel, in the same order (member of the cluster's root group). */
  sys: SystemCalls[];
  /** Requests sent over the network so far. */
  requests: RequestCounter;
  /** Milliseconds the boot took: all kernels booted, joined and given their task. */
  bootMs: number;
  /** Milliseconds until every kernel's directory had heard from every peer (0 with broadcast). */
  syncMs: number;
  /**
   * Leaves the network, kernel by kernel. Slow at large N: each departure is
   * a peer gone on every kernel left (with the directory, a shard change).
   */
  close(): Promise<void>;
}

let clusters = 0;

/** Yields to the event loop, so messages in flight (syncs, registrations, releases) arrive. */
export function tick(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Boots `n` kernels (ids `k0`...) in one fresh cluster, each joining with
 * `nameResolution` and given an attached host task, then waits until the
 * directory shards are complete (every kernel has heard from every peer).
 */
export async function scaleCluster(n: number, nameResolution: NameResolution): Promise<ScaleCluster> {
  const net = new LoopbackNetwork();
  const cluster = `scale-${process.pid}-${++clusters}`;
  const requests = new RequestCounter();
  const kernels: Kernel[] = [];
  const links: PeerLink[] = [];
  const sys: SystemCalls[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const id = `k${i}`;
    const kernel = await Kernel.boot({ id, cluster });
    const transport = net.connect(id);
    const send = transport.request.bind(transport);
    transport.request = (to, request) => {
      requests.count(request.kind);
      return send(to, request);
    };
    links.push(kernel.join(transport, { nameResolution }));
    sys.push(await kernel.attachTask([`host-${id}`]));
    kernels.push(kernel);
  }
  const bootMs = performance.now() - t0;
  const t1 = performance.now();
  const synced = () => links.every((l) => l.directory === undefined || l.directory.stats.unsynced === 0);
  while (!synced()) await tick(1);
  const syncMs = nameResolution === 'directory' ? performance.now() - t1 : 0;
  return {
    net,
    kernels,
    links,
    sys,
    requests,
    bootMs,
    syncMs,
    async close() {
      for (const link of links) await link.transport.close();
    },
  };
}
