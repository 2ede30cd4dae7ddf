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
import type { CommandSpec } from './args/command-spec.js';
import { parseCommand } from './args/parse-command.js';
import { badSubcommand, invalidValue, noMoreThan, oneOf, portValue } from './args/value-checks.js';

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

/** `dios kv serve`'s options, synopsis and help. */
export const KV_SERVE_COMMAND: CommandSpec = {
  name: 'kv serve',
  synopsis: '[options]',
  summary: 'Runs a Redis-compatible key-value store as a DIOS task (RESP2 over TCP) until SIGINT or SIGTERM.',
  details: `  Limits are Redis' settings of the same names; sizes are written as 512mb,
  1gb, 100k.`,
  options: {
    port: { type: 'string', short: 'p', value: 'PORT', help: 'TCP port (default 6379; 0 picks a free one)' },
    host: { type: 'string', value: 'HOST', help: 'address to listen on (default 127.0.0.1)' },
    data: {
      type: 'string',
      value: 'DIR',
      help: 'directory of the durable store (default: a new temporary directory, removed on exit)',
    },
    fsync: {
      type: 'string',
      value: 'WHEN',
      help:
        'always: every acknowledged write is on the device; everysec: synced at most every second; ' +
        'no: the OS decides (default everysec)',
    },
    'proto-max-bulk-len': { type: 'string', value: 'SIZE', help: 'longest bulk string (default 512mb, at most 1gb)' },
    'client-query-buffer-limit': {
      type: 'string',
      value: 'SIZE',
      help: 'most bytes of an incomplete request (default 1gb, at most 1gb)',
    },
    'client-output-buffer-limit': {
      type: 'string',
      value: "'HARD SOFT SECONDS'",
      help:
        'a client whose unsent replies pass HARD, or stay over SOFT for SECONDS, is disconnected ' +
        "(default '256mb 64mb 60'; 0 turns a limit off)",
    },
  },
  example: 'kv serve -p 6380 --data ./kv-data',
};

function sizeOption(option: string, value: string): number {
  const n = parseBytes(value);
  if (n === undefined || n < 1 || n > MAX_CONFIGURED_BYTES)
    throw invalidValue(option, 'a size from 1 to 1gb (such as 512mb)', value);
  return n;
}

/** Parses `serve`'s options (UsageError naming the argument). */
export function parseKvServeArgs(args: readonly string[]): KvServeArgs {
  const p = parseCommand(KV_SERVE_COMMAND, args);
  noMoreThan(p.positionals, 0);
  const port = p.string('port');
  const bulk = p.string('proto-max-bulk-len');
  const query = p.string('client-query-buffer-limit');
  const output = p.string('client-output-buffer-limit');
  let outputBufferLimit = { ...DEFAULT_KV_LIMITS.output };
  if (output !== undefined) {
    const limit = parseOutputBufferLimit(output);
    if (limit === undefined)
      throw invalidValue('--client-output-buffer-limit', "'HARD SOFT SECONDS' (such as '256mb 64mb 60')", output);
    outputBufferLimit = limit;
  }
  return {
    port: port === undefined ? 6379 : portValue('--port', port),
    host: p.string('host') ?? '127.0.0.1',
    data: p.string('data'),
    fsync: oneOf('--fsync', p.string('fsync') ?? 'everysec', Object.keys(FSYNC)),
    maxBulkBytes: bulk === undefined ? DEFAULT_KV_LIMITS.maxBulkBytes : sizeOption('--proto-max-bulk-len', bulk),
    queryBufferBytes:
      query === undefined ? DEFAULT_KV_LIMITS.queryBufferBytes : sizeOption('--client-query-buffer-limit', query),
    outputBufferLimit,
  };
}

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
