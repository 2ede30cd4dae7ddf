/**
 * The NATS floor of the remote-read benchmarks: the same bytes a remote
 * read moves, published in messages of about 1 MiB from one connection to a
 * subscriber on another, with no kernel in between.
 * @module
 */
import type { NatsConnection } from '@nats-io/transport-node';

/** Publishes `bytes` from `pub` to a new subscription on `sub`; resolves to MB/s once all have arrived. */
export async function natsFloorMBps(pub: NatsConnection, sub: NatsConnection, bytes: number): Promise<number> {
  const chunk = new Uint8Array(1024 * 1024 - 4096);
  const subject = `floor.${Math.random()}`;
  let got = 0;
  const done = new Promise<void>((resolve) => {
    sub.subscribe(subject, {
      callback: (_e, m) => {
        got += m.data.length;
        if (got >= bytes) resolve();
      },
    });
  });
  await sub.flush();
  const t0 = performance.now();
  for (let sent = 0; sent < bytes; sent += chunk.length) pub.publish(subject, chunk);
  await done;
  return bytes / 1e6 / ((performance.now() - t0) / 1000);
}
