/**
 * The cluster compliance suite over NATS, against a real nats-server (started
 * here, with a user and password and the default 1 MiB max_payload). A node
 * is taken down by closing its NATS connection without a goodbye, as a crash
 * would; fast liveness (heartbeat 100 ms, dead after 600 ms) lets the others
 * notice quickly.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Kernel } from '@dios/kernel';
import { clusterCompliance } from '@dios/kernel/compliance';
import { NatsTransport } from '@dios/kernel/nats';
import { natsMissing, startNatsServer, type NatsServer } from '../support/nats-server.js';

const USER = 'dios';
const PASS = 'cc-secret-pw';
const HEARTBEAT_MS = 100;
const DEAD_MS = 600;

const missing = natsMissing();
let server: NatsServer | undefined;
let clusters = 0;

beforeAll(async () => {
  if (missing !== undefined) return;
  server = await startNatsServer({ config: 'max_payload: 1MB\n', args: ['--user', USER, '--pass', PASS] });
}, 20_000);

afterAll(() => {
  server?.stop();
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe.skipIf(missing !== undefined)(`NATS${missing === undefined ? '' : ` (skipped: ${missing})`}`, () => {
  clusterCompliance({
    name: 'nats',
    // Detection takes deadMs plus a sweep period; the rest is slack for a loaded machine.
    downWithinMs: 3000,
    caseTimeoutMs: 15_000,
    async setup(ids) {
      const cluster = `cc-${process.pid}-${++clusters}`;
      const kernels: Record<string, Kernel> = {};
      const nodes: { id: string; nc: NatsConnection; transport: NatsTransport }[] = [];
      for (const id of ids) {
        kernels[id] = await Kernel.boot({ id, cluster });
        // The test holds the connection itself, so it can drop it without a goodbye.
        const nc = await connect({ servers: server!.url, user: USER, pass: PASS });
        const transport = new NatsTransport(nc, {
          id,
          cluster,
          requestTimeoutMs: 5000,
          heartbeatMs: HEARTBEAT_MS,
          deadMs: DEAD_MS,
        });
        kernels[id].join(transport);
        nodes.push({ id, nc, transport });
      }
      const deadline = Date.now() + 3000;
      while (!nodes.every((x) => nodes.every((y) => x === y || x.transport.peers().includes(y.id)))) {
        if (Date.now() > deadline) throw new Error('the kernels did not hear each other within 3 s');
        await sleep(10);
      }
      return {
        kernels,
        takeDown: async (id) => {
          await nodes.find((x) => x.id === id)!.nc.close();
        },
        teardown: async () => {
          // A node taken down has lost its connection already: closing its transport may fail, and that is expected.
          await Promise.all(nodes.map((x) => x.transport.close().catch(() => {})));
        },
      };
    },
  });
});
