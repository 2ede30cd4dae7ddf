/**
 * The parameters CONFIG GET and SET know: Redis 7.0's names, aliases,
 * kinds, bounds and defaults (config.c), and where a value takes effect.
 * Parameters this server has no use for are accepted and shown, as Redis
 * would, so that clients and Redis' own tests can set and restore them.
 * @module
 */
import type { KvConfig } from '../core/config.js';
import { formatOutputBufferLimit } from '../core/limits.js';
import { REDIS_PARAMS } from './admin-params-redis.js';
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
      readonly percent?: boolean;
      readonly octal?: boolean;
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
  /** Applies a checked value (in canonical form: a memory value as bytes). */
  set?(config: KvConfig, value: string): void;
}

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const LONG_MAX = 2n ** 63n - 1n;

function int(min: bigint, max: bigint, memory = false): ParamKind {
  return { type: 'int', min, max, memory };
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

// The parameters this server shows or applies itself.
const OWN: readonly Param[] = [
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
  {
    name: 'maxmemory',
    kind: { type: 'int', min: 0n, max: 2n ** 64n - 1n, memory: true },
    initial: '0',
    get: (c) => String(c.maxmemory),
    set: (c, v) => {
      c.maxmemory = Number(v);
    },
  },
  { name: 'port', kind: int(0n, 65535n), initial: '6379', get: (_c, s) => String(s.port ?? 0) },
  // Only database 0 exists.
  { name: 'databases', kind: int(1n, INT_MAX), initial: '1', immutable: true },
  {
    name: 'proto-max-bulk-len',
    kind: int(1024n * 1024n, LONG_MAX, true),
    initial: '',
    get: (c, s) => c.others.get('proto-max-bulk-len') ?? String(s.limits.maxBulkBytes),
  },
  {
    name: 'client-query-buffer-limit',
    kind: int(1024n * 1024n, LONG_MAX, true),
    initial: '',
    get: (c, s) => c.others.get('client-query-buffer-limit') ?? String(s.limits.queryBufferBytes),
  },
  {
    name: 'client-output-buffer-limit',
    kind: { type: 'string' },
    initial: '',
    get: (c, s) => c.others.get('client-output-buffer-limit') ?? formatOutputBufferLimit(s.limits.output),
  },
];

// A line of REDIS_PARAMS as a parameter.
function fromLine(line: string): Param {
  const [name, alias, kind, initial, flags] = line.split('|') as [string, string, string, string, string];
  let k: ParamKind;
  if (kind === 'bool') k = BOOL;
  else if (kind === 'string') k = { type: 'string' };
  else if (kind.startsWith('enum:')) k = { type: 'enum', values: kind.slice(5).split(',') };
  else {
    const [, min, max] = kind.split(':') as [string, string, string];
    k = {
      type: 'int',
      min: BigInt(min),
      max: BigInt(max),
      memory: flags.includes('m'),
      percent: flags.includes('%'),
      octal: flags.includes('o'),
    };
  }
  return {
    name,
    ...(alias !== '' && { alias }),
    kind: k,
    initial,
    ...(flags.includes('i') && { immutable: true }),
    ...(flags.includes('h') && { hidden: true }),
  };
}

/** Every parameter: Redis 7.0's, with this server's own definitions where it has them. */
export const PARAMS: readonly Param[] = (() => {
  const own = new Map(OWN.map((p) => [p.name, p]));
  const all = REDIS_PARAMS.map((line) => {
    const p = fromLine(line);
    return own.get(p.name) ?? p;
  });
  for (const p of OWN) if (!all.includes(p)) all.push(p);
  return all;
})();

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
