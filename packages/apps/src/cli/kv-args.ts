/**
 * `dios kv serve`'s command line: its option table and its parser.
 * @module
 */
import type { FsyncPolicy } from '@dios/kernel/node';
import {
  DEFAULT_KV_LIMITS,
  MAX_CONFIGURED_BYTES,
  parseBytes,
  parseOutputBufferLimit,
  type OutputBufferLimit,
} from '../kv/core/limits.js';
import type { CommandSpec } from './args/command-spec.js';
import { parseCommand } from './args/parse-command.js';
import { invalidValue, noMoreThan, oneOf, portValue } from './args/value-checks.js';

/** Redis' appendfsync names for the file store's policies. */
export const FSYNC: Record<string, { policy: FsyncPolicy; intervalMs?: number }> = {
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
