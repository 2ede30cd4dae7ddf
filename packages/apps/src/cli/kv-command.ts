/**
 * `dios kv serve [--port P] [--host H] [--data DIR] [--fsync always|everysec|no]
 * [limits]`: boots a kernel with the network device and a file store at DIR,
 * runs the KV server task on it and prints the address; the server's log goes
 * to stderr; SIGINT or SIGTERM stop it.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDiosError, Kernel } from '@dios/kernel';
import { FileBlobStore, useNetwork, writableConsoleSink } from '@dios/kernel/node';
import { startKvServer } from '../kv/host.js';
import { badSubcommand } from './args/value-checks.js';
import { FSYNC, parseKvServeArgs } from './kv-args.js';

/** Cluster name of the kernel `dios kv serve` boots (its data blobs are found by path in that cluster's root group). */
export const KV_CLUSTER = 'dios-kv';

/** Runs `dios kv ...`; resolves to the exit status; a usage error is thrown (UsageError) for the caller to report. */
export async function kvCommand(args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'serve') throw badSubcommand('kv', sub, ['serve']);
  const parsed = parseKvServeArgs(rest);
  const dir = parsed.data ?? mkdtempSync(join(tmpdir(), 'dios-kv-'));
  const fsync = FSYNC[parsed.fsync]!;
  const store = new FileBlobStore(dir, {
    fsync: fsync.policy,
    ...(fsync.intervalMs !== undefined && { fsyncIntervalMs: fsync.intervalMs }),
  });
  // A fixed cluster name gives the root group, and so the paths of the data blobs, the same names on every boot.
  // The console is the server's log (stderr, so that stdout keeps only the address lines).
  const kernel = await Kernel.boot({ store, cluster: KV_CLUSTER, consoleSink: writableConsoleSink(process.stderr) });
  kernel.onTaskFailure = (_task, error) =>
    process.stderr.write(
      `dios kv: the server task failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  useNetwork(kernel);
  let server;
  try {
    server = await startKvServer(kernel, {
      port: parsed.port,
      host: parsed.host,
      fsync: parsed.fsync,
      maxBulkBytes: parsed.maxBulkBytes,
      queryBufferBytes: parsed.queryBufferBytes,
      outputBufferLimit: parsed.outputBufferLimit,
    });
  } catch (e) {
    if (!isDiosError(e)) throw e;
    process.stderr.write(`dios kv: ${e.message}\n`);
    await store.close();
    if (parsed.data === undefined) rmSync(dir, { recursive: true, force: true });
    return 1;
  }
  // Listening for the signals before saying where it serves: whoever read the address may stop it at once.
  const stop = () => void server.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.write(`DIOS KV listening on ${server.address}\ndata: ${dir} (fsync ${parsed.fsync})\n`);
  const status = await server.done;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await store.close();
  // A directory made for this run only holds this run's data.
  if (parsed.data === undefined) rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`DIOS KV stopped\n`);
  return status === 0 ? 0 : 1;
}
