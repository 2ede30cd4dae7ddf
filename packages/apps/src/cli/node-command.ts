/**
 * `dios node start ...`: one kernel of a cluster, joined to the others over
 * NATS, serving until SIGINT or SIGTERM; control lines on stdin (see
 * `dios help node start`).
 * @module
 */
import { createInterface } from 'node:readline';
import { flowPolicy, isDiosError, Kernel, localityPolicy } from '@dios/kernel';
import { FileBlobStore, useWorkers } from '@dios/kernel/node';
import { connectNats, type NatsTransport } from '@dios/kernel/nats';
import { installMapReducePrograms } from '../mapreduce/install.js';
import { CredentialsError, credentialOptions } from './nats-credentials.js';
import { parseNodeArgs } from './node-args.js';
import { controlLine } from './node-control.js';
import { errorText } from './error-text.js';
import { nodeId } from './node-id.js';
import { InputError } from './wordcount-command.js';

/**
 * Runs `dios node ...`; resolves to the exit status (0 after a signal, 1 if
 * it cannot start; a usage error is thrown as UsageError). Not starting includes EEXIST: a
 * live node of the cluster has the id already (connectNats finds out before
 * the node is heard, so the live one is not disturbed).
 */
export async function nodeCommand(args: readonly string[]): Promise<number> {
  const parsed = parseNodeArgs(args);
  let credentials: ReturnType<typeof credentialOptions>;
  try {
    credentials = credentialOptions(parsed);
  } catch (e) {
    if (!(e instanceof CredentialsError)) throw e;
    process.stderr.write(`dios node: ${e.message}\n`);
    return 1;
  }
  // Listening from the start (and to the end): a signal during boot or shutdown is one more request to stop.
  const stopped = new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  let id: string;
  try {
    id = nodeId(parsed.id, parsed.data);
  } catch (e) {
    process.stderr.write(
      `dios node: ${e instanceof InputError ? e.message : `cannot keep the node id: ${errorText(e)}`}\n`,
    );
    return 1;
  }
  const store = parsed.data === undefined ? undefined : new FileBlobStore(parsed.data);
  const kernel = await Kernel.boot({
    id,
    cluster: parsed.cluster,
    scheduler: parsed.scheduler === 'flow' ? flowPolicy() : localityPolicy,
    ...(parsed.slots !== undefined && { slots: parsed.slots }),
    ...(store !== undefined && { store }),
  });
  kernel.onTaskFailure = (task, error) =>
    process.stderr.write(
      `dios node: task ${task.setup.argv[0] ?? '?'} failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  const pool = useWorkers(kernel, { size: 0 });
  let transport: NatsTransport | undefined;
  try {
    const connecting = connectNats({
      servers: parsed.nats,
      id,
      cluster: parsed.cluster,
      ...credentials,
      // Heartbeats a few times per deadline, so one lost beat does not count as dead.
      ...(parsed.deadMs !== undefined && {
        deadMs: parsed.deadMs,
        heartbeatMs: Math.min(1000, Math.floor(parsed.deadMs / 3)),
      }),
    });
    transport = await Promise.race([connecting, stopped.then(() => undefined)]);
  } catch (e) {
    await pool.close();
    await store?.close();
    if (!isDiosError(e)) throw e;
    process.stderr.write(`dios node: ${e.message}\n`);
    return 1;
  }
  if (transport === undefined) {
    // Stopped while still connecting: the attempt may go on for a while, so do not wait for it.
    await pool.close();
    await store?.close();
    process.stderr.write('dios node: stopped before joining the cluster\n');
    process.exit(1);
  }
  const link = kernel.join(transport, { nameResolution: parsed.nameResolution });
  await installMapReducePrograms(kernel);
  // The scheduler is named when it is not the default, so the line greedy nodes print stays as it was.
  const scheduler = parsed.scheduler === 'greedy' ? '' : `, scheduler ${parsed.scheduler}`;
  process.stdout.write(`node ${id} up (cluster ${parsed.cluster}, nats ${parsed.nats}${scheduler})\n`);

  // Control lines run one at a time, so the replies come in order.
  const lines = createInterface({ input: process.stdin, terminal: false });
  let queue = Promise.resolve();
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    queue = queue.then(async () => {
      const control = {
        sys: kernel.init,
        peers: () => transport.peers(),
        lookups: () => ({ ...link.lookupStats, ...link.directory?.stats }),
      };
      process.stdout.write(`${await controlLine(control, line)}\n`);
    });
  });
  await stopped;
  lines.close();
  process.stdin.destroy();
  await transport.close();
  await pool.close();
  await store?.close();
  process.stdout.write(`node ${id} stopped\n`);
  return 0;
}
