/**
 * A TCP proxy between one NATS client and the server, so a test can cut the
 * network under a node (its connections dropped, new ones refused) and heal
 * it again, while the node's process and transport live on.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

/** A proxy listening on a loopback port of its own. */
export interface TcpProxy {
  /** `nats://127.0.0.1:PORT` of the proxy. */
  readonly url: string;
  /** Drops every connection through the proxy and refuses new ones until {@link TcpProxy.heal}. */
  cut(): void;
  /** Lets connections through again. */
  heal(): void;
  /** When (Date.now()) the last connection was let through; 0 before the first. */
  readonly lastConnectAt: number;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

/** Starts a proxy to `port` on 127.0.0.1. */
export async function startTcpProxy(port: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let down = false;
  let lastConnectAt = 0;
  const server: Server = createServer((client) => {
    // Refused while cut: accepted and dropped at once, as a partition that resets connections would.
    if (down) {
      client.destroy();
      return;
    }
    lastConnectAt = Date.now();
    const upstream = connect({ host: '127.0.0.1', port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      // A reset or refused side shows as 'close' next, which tears down both: the error itself says nothing more.
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const cutAll = () => {
    for (const s of [...sockets]) s.destroy();
  };
  return {
    url: `nats://127.0.0.1:${(server.address() as { port: number }).port}`,
    cut() {
      down = true;
      cutAll();
    },
    heal() {
      down = false;
    },
    get lastConnectAt() {
      return lastConnectAt;
    },
    close() {
      down = true;
      cutAll();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
