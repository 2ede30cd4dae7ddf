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
import { FileBlobStore, useNetwork, writableConsoleSink, type FsyncPolicy } from '@dios/kernel/node';
import { startKvServer } from '../kv/host.js';
import {
  DEFAULT_KV_LIMITS,
  MAX_CONFIGURED_BYTES,
  parseBytes,
  parseOutputBufferLimit,
  type OutputBufferLimit,
} from '../kv/core/limits.js';
import { UsageError } from './usage-error.js';

/** `dios kv --help`. */
export const KV_USAGE = `Usage: dios kv serve [--port P] [--host H] [--data DIR] [--fsync always|everysec|no]
                     [--proto-max-bulk-len N] [--client-query-buffer-limit N]
                     [--client-output-buffer-limit 'HARD SOFT SECONDS']
  Runs a Redis-compatible key-value store as a DIOS task.
    --port P     TCP port (default 6379; 0 picks a free one)
    --host H     address to listen on (default 127.0.0.1)
    --data DIR   directory of the durable store (default: a new temporary
                 directory, removed on exit)
    --fsync F    always: every acknowledged write is on the device; everysec: synced
                 at most every second; no: the OS decides (default everysec)
  Limits, as Redis' settings of the same names (sizes such as 512mb, 1gb, 100k):
    --proto-max-bulk-len N          longest bulk string (default 512mb, at most 1gb)
    --client-query-buffer-limit N   most bytes of an incomplete request (default 1gb,
                                    at most 1gb)
    --client-output-buffer-limit 'HARD SOFT SECONDS'
                                    a client whose unsent replies pass HARD, or stay
                                    over SOFT for SECONDS, is disconnected (default
                                    '256mb 64mb 60'; 0 turns a limit off)
`;

/** Cluster name of the kernel `dios kv serve` boots (its data blobs are found by path in that cluster's root group). */
export const KV_CLUSTER = 'dios-kv';

/** Redis' appendfsync names for the file store's policies. */
const FSYNC: Record<string, { policy: FsyncPolicy; intervalMs?: number }> = {
  always: { policy: 'always' },
  everysec: { policy: 'batch', intervalMs: 1000 },
  no: { policy: 'none' },
};

/** The parsed command line. */
export interface KvServeArgs {
  /** TCP port. */
  port: number;
  /** Listen address. */
  host: string;
  /** Store directory, if given. */
  data: string | undefined;
  /** appendfsync name. */
  fsync: string;
  /** proto-max-bulk-len. */
  maxBulkBytes: number;
  /** client-query-buffer-limit. */
  queryBufferBytes: number;
  /** client-output-buffer-limit. */
  outputBufferLimit: OutputBufferLimit;
}

const FLAGS = [
  '--port',
  '--host',
  '--data',
  '--fsync',
  '--proto-max-bulk-len',
  '--client-query-buffer-limit',
  '--client-output-buffer-limit',
];

function sizeOption(flag: string, value: string): number {
  const n = parseBytes(value);
  if (n === undefined || n < 1 || n > MAX_CONFIGURED_BYTES)
    throw new UsageError(`${flag}: expected a size from 1 to 1gb (such as 512mb), got '${value}'`);
  return n;
}

/** Parses `serve`'s options (UsageError naming the argument). */
export function parseKvServeArgs(args: readonly string[]): KvServeArgs {
  const out: KvServeArgs = {
    port: 6379,
    host: '127.0.0.1',
    data: undefined,
    fsync: 'everysec',
    maxBulkBytes: DEFAULT_KV_LIMITS.maxBulkBytes,
    queryBufferBytes: DEFAULT_KV_LIMITS.queryBufferBytes,
    outputBufferLimit: { ...DEFAULT_KV_LIMITS.output },
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const flag = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
    if (!FLAGS.includes(flag)) throw new UsageError(`unknown option '${arg}'`);
    const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
    if (flag === '--port') {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n > 65535)
        throw new UsageError(`--port: expected a port in [0, 65535], got '${value}'`);
      out.port = n;
    } else if (flag === '--host') out.host = value;
    else if (flag === '--data') out.data = value;
    else if (flag === '--proto-max-bulk-len') out.maxBulkBytes = sizeOption(flag, value);
    else if (flag === '--client-query-buffer-limit') out.queryBufferBytes = sizeOption(flag, value);
    else if (flag === '--client-output-buffer-limit') {
      const limit = parseOutputBufferLimit(value);
      if (limit === undefined)
        throw new UsageError(`${flag}: expected 'HARD SOFT SECONDS' (such as '256mb 64mb 60'), got '${value}'`);
      out.outputBufferLimit = limit;
    } else {
      if (FSYNC[value] === undefined) throw new UsageError(`--fsync: expected always, everysec or no, got '${value}'`);
      out.fsync = value;
    }
  }
  return out;
}

/** Runs `dios kv ...`; resolves to the exit status (2 for a usage error). */
export async function kvCommand(args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '-h' || sub === '--help' || rest.some((a) => a === '-h' || a === '--help')) {
    process.stdout.write(KV_USAGE);
    return 0;
  }
  let parsed: KvServeArgs;
  try {
    if (sub !== 'serve')
      throw new UsageError(sub === undefined ? 'missing subcommand (serve)' : `unknown subcommand '${sub}'`);
    parsed = parseKvServeArgs(rest);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`dios kv: ${e.message} (try 'dios kv --help')\n`);
    return 2;
  }
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
  process.stdout.write(`DIOS KV listening on ${server.address}\ndata: ${dir} (fsync ${parsed.fsync})\n`);
  const stop = () => void server.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const status = await server.done;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await store.close();
  // A directory made for this run only holds this run's data.
  if (parsed.data === undefined) rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`DIOS KV stopped\n`);
  return status === 0 ? 0 : 1;
}
