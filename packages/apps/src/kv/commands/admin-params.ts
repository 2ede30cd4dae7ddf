/**
 * The parameters CONFIG GET and SET know: Redis 7.0's names, aliases,
 * kinds, bounds and defaults (config.c), and where a value takes effect.
 * Parameters this server has no use for are accepted and shown, as Redis
 * would, so that clients and Redis' own tests can set and restore them.
 * @module
 */
import type { KvConfig } from '../core/config.js';
import { formatOutputBufferLimit } from '../core/limits.js';
import type { ServerState } from './context.js';

/** How a parameter's value is read (config.c's numeric flags and types). */
export type ParamKind =
  | { readonly type: 'bool' }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | {
      readonly type: 'int';
      readonly min: bigint;
      readonly max: bigint;
      readonly memory?: boolean;
      readonly unsigned?: boolean;
    }
  | { readonly type: 'string' }
  | { readonly type: 'special'; check(value: string): string | undefined; canonical?(value: string): string };

/** One parameter. */
export interface Param {
  /** Primary name. */
  readonly name: string;
  /** Older name, accepted by GET and SET. */
  readonly alias?: string;
  /** How values are read. */
  readonly kind: ParamKind;
  /** Redis' default, as CONFIG GET shows it. */
  readonly initial: string;
  /** Cannot be changed at run time ("can't set immutable config"). */
  readonly immutable?: boolean;
  /** Only matched by exact name, not by patterns (config.c's HIDDEN_CONFIG). */
  readonly hidden?: boolean;
  /** Where the value is read from instead of the stored one. */
  get?(config: KvConfig, server: ServerState): string;
  /** Applies a checked value (as given). */
  set?(config: KvConfig, value: string): void;
}

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const LONG_MAX = 2n ** 63n - 1n;
const ULLONG_MAX = 2n ** 64n - 1n;

function int(min: bigint, max: bigint, memory = false, unsigned = false): ParamKind {
  return { type: 'int', min, max, memory, unsigned };
}

const BOOL: ParamKind = { type: 'bool' };

type NumericField =
  | 'listMaxListpackSize'
  | 'listCompressDepth'
  | 'hashMaxListpackEntries'
  | 'hashMaxListpackValue'
  | 'setMaxIntsetEntries'
  | 'zsetMaxListpackEntries'
  | 'zsetMaxListpackValue';

// A threshold kept in KvConfig: shown and set there.
function threshold(name: string, alias: string | undefined, kind: ParamKind, field: NumericField): Param {
  return {
    name,
    ...(alias !== undefined && { alias }),
    kind,
    initial: '',
    get: (c) => String(c[field]),
    set: (c, v) => {
      c[field] = Number(v);
    },
  };
}

const EVENT_FLAGS = 'g$lshzxetdn';
const ALL_EVENTS = 'g$lshzxetd';

/** notify-keyspace-events in Redis' canonical form (notify.c keyspaceEventsFlagsToString), or undefined if invalid. */
export function canonicalEvents(value: string): string | undefined {
  const flags = new Set<string>();
  for (const c of value) {
    if (c === 'A') for (const a of ALL_EVENTS) flags.add(a);
    else if (EVENT_FLAGS.includes(c) || c === 'K' || c === 'E' || c === 'm') flags.add(c);
    else return undefined;
  }
  // As notify.c: A for the full set (n, outside it, then goes unsaid), else the classes one by one.
  let out = '';
  if ([...ALL_EVENTS].every((c) => flags.has(c))) out = 'A';
  else for (const c of EVENT_FLAGS) if (flags.has(c)) out += c;
  for (const c of 'KEm') if (flags.has(c)) out += c;
  return out;
}

function saveCheck(value: string): string | undefined {
  const parts = value.trim() === '' ? [] : value.trim().split(/\s+/);
  if (parts.length % 2 === 1) return 'Invalid save parameters';
  for (let j = 0; j < parts.length; j++) {
    if (!/^-?\d+$/.test(parts[j]!)) return 'Invalid save parameters';
    const n = Number(parts[j]);
    if ((j % 2 === 0 && n < 1) || (j % 2 === 1 && n < 0)) return 'Invalid save parameters';
  }
  return undefined;
}

/** Every parameter, by primary name. */
export const PARAMS: readonly Param[] = [
  threshold('list-max-listpack-size', 'list-max-ziplist-size', int(INT_MIN, INT_MAX), 'listMaxListpackSize'),
  threshold('list-compress-depth', undefined, int(0n, INT_MAX), 'listCompressDepth'),
  threshold('hash-max-listpack-entries', 'hash-max-ziplist-entries', int(0n, LONG_MAX), 'hashMaxListpackEntries'),
  threshold('hash-max-listpack-value', 'hash-max-ziplist-value', int(0n, LONG_MAX, true), 'hashMaxListpackValue'),
  threshold('set-max-intset-entries', undefined, int(0n, LONG_MAX), 'setMaxIntsetEntries'),
  threshold('zset-max-listpack-entries', 'zset-max-ziplist-entries', int(0n, LONG_MAX), 'zsetMaxListpackEntries'),
  threshold('zset-max-listpack-value', 'zset-max-ziplist-value', int(0n, LONG_MAX, true), 'zsetMaxListpackValue'),
  {
    name: 'notify-keyspace-events',
    kind: {
      type: 'special',
      check: (v) =>
        canonicalEvents(v) === undefined ? "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." : undefined,
    },
    initial: '',
    get: (c) => canonicalEvents(c.notifyKeyspaceEvents) ?? '',
    set: (c, v) => {
      c.notifyKeyspaceEvents = v;
    },
  },
  {
    name: 'save',
    kind: { type: 'special', check: saveCheck, canonical: (v) => v.trim().split(/\s+/).join(' ') },
    initial: '3600 1 300 100 60 10000',
  },
  {
    name: 'appendonly',
    kind: BOOL,
    initial: 'no',
    get: (_c, s) => (s.persistenceInfo()['aof_enabled'] === 1 ? 'yes' : 'no'),
  },
  { name: 'appendfsync', kind: { type: 'enum', values: ['everysec', 'always', 'no'] }, initial: 'everysec' },
  { name: 'databases', kind: int(1n, INT_MAX), initial: '1', immutable: true },
  { name: 'port', kind: int(0n, 65535n), initial: '6379', get: (_c, s) => String(s.port ?? 0) },
  { name: 'timeout', kind: int(0n, INT_MAX), initial: '0' },
  { name: 'hz', kind: int(0n, INT_MAX), initial: '10' },
  { name: 'tcp-keepalive', kind: int(0n, INT_MAX), initial: '300' },
  { name: 'maxmemory', kind: int(0n, ULLONG_MAX, true, true), initial: '0' },
  {
    name: 'maxmemory-policy',
    kind: {
      type: 'enum',
      values: [
        'volatile-lru',
        'volatile-lfu',
        'volatile-random',
        'volatile-ttl',
        'allkeys-lru',
        'allkeys-lfu',
        'allkeys-random',
        'noeviction',
      ],
    },
    initial: 'noeviction',
  },
  { name: 'maxmemory-samples', kind: int(1n, INT_MAX), initial: '5' },
  { name: 'busy-reply-threshold', alias: 'lua-time-limit', kind: int(0n, LONG_MAX), initial: '5000' },
  { name: 'replica-serve-stale-data', alias: 'slave-serve-stale-data', kind: BOOL, initial: 'yes' },
  { name: 'rdb-key-save-delay', kind: int(INT_MIN, INT_MAX), initial: '0', hidden: true },
  { name: 'key-load-delay', kind: int(INT_MIN, INT_MAX), initial: '0', hidden: true },
  { name: 'activerehashing', kind: BOOL, initial: 'yes' },
  { name: 'active-expire-effort', kind: int(1n, 10n), initial: '1' },
  { name: 'lazyfree-lazy-eviction', kind: BOOL, initial: 'no' },
  { name: 'lazyfree-lazy-expire', kind: BOOL, initial: 'no' },
  { name: 'lazyfree-lazy-server-del', kind: BOOL, initial: 'no' },
  { name: 'lazyfree-lazy-user-del', kind: BOOL, initial: 'no' },
  { name: 'lazyfree-lazy-user-flush', kind: BOOL, initial: 'no' },
  { name: 'latency-tracking', kind: BOOL, initial: 'yes' },
  { name: 'slowlog-log-slower-than', kind: int(-1n, LONG_MAX), initial: '10000' },
  { name: 'slowlog-max-len', kind: int(0n, LONG_MAX), initial: '128' },
  { name: 'latency-monitor-threshold', kind: int(0n, LONG_MAX), initial: '0' },
  { name: 'stream-node-max-entries', kind: int(0n, LONG_MAX), initial: '100' },
  { name: 'stream-node-max-bytes', kind: int(0n, LONG_MAX, true), initial: '4096' },
  { name: 'lfu-log-factor', kind: int(0n, INT_MAX), initial: '10' },
  { name: 'lfu-decay-time', kind: int(0n, INT_MAX), initial: '1' },
  {
    name: 'proto-max-bulk-len',
    kind: int(1024n * 1024n, LONG_MAX, true),
    initial: '',
    get: (_c, s) => String(s.limits.maxBulkBytes),
  },
  {
    name: 'client-query-buffer-limit',
    kind: int(1024n * 1024n, LONG_MAX, true),
    initial: '',
    get: (_c, s) => String(s.limits.queryBufferBytes),
  },
  {
    name: 'client-output-buffer-limit',
    kind: { type: 'string' },
    initial: '',
    get: (c, s) => c.others.get('client-output-buffer-limit') ?? formatOutputBufferLimit(s.limits.output),
  },
  { name: 'appendfilename', kind: { type: 'string' }, initial: 'appendonly.aof', immutable: true },
  { name: 'appenddirname', kind: { type: 'string' }, initial: 'appendonlydir', immutable: true },
  { name: 'dbfilename', kind: { type: 'string' }, initial: 'dump.rdb' },
];

/** Parameters by lower-case name or alias. */
export const PARAMS_BY_NAME: ReadonlyMap<string, Param> = new Map(
  PARAMS.flatMap((p) =>
    p.alias === undefined
      ? [[p.name, p]]
      : [
          [p.name, p],
          [p.alias, p],
        ],
  ),
);
