/**
 * INFO: Redis 7.0's sections and field names, for the fields this server
 * has (and constant ones clients and Redis' tests read: no forks, no
 * replicas, nothing loading or rewriting in the background).
 * @module
 */
import { excerpt } from '../core/bytes.js';
import { usedMemory } from './admin-memory.js';
import type { CommandContext } from './context.js';
import { REPORTED_VERSION } from './server.js';

// Counters the keyspace may keep besides expiredKeys (read when present).
interface KeyspaceCounters {
  keyspaceHits?: number;
  keyspaceMisses?: number;
}

const DEFAULT_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'keyspace'];

function sections(ctx: CommandContext): Record<string, () => Record<string, string | number>> {
  const s = ctx.server;
  const k = ctx.keys as typeof ctx.keys & KeyspaceCounters;
  const uptime = Math.floor((Date.now() - s.startedAt) / 1000);
  return {
    server: () => ({
      redis_version: REPORTED_VERSION,
      dios_kv: 1,
      redis_mode: 'standalone',
      arch_bits: 64,
      tcp_port: s.port ?? 0,
      uptime_in_seconds: uptime,
      uptime_in_days: Math.floor(uptime / 86400),
      hz: s.config.others.get('hz') ?? 10,
    }),
    clients: () => ({ connected_clients: s.connectedClients(), blocked_clients: s.blockedClients() }),
    memory: () => ({ used_memory: usedMemory(ctx.keys), maxmemory: s.config.maxmemory, mem_allocator: 'libc' }),
    persistence: () => ({
      loading: 0,
      async_loading: 0,
      rdb_bgsave_in_progress: 0,
      aof_rewrite_in_progress: 0,
      aof_rewrite_scheduled: 0,
      ...s.persistenceInfo(),
    }),
    stats: () => ({
      total_commands_processed: s.commandsProcessed,
      expired_keys: k.expiredKeys,
      evicted_keys: 0,
      keyspace_hits: k.keyspaceHits ?? 0,
      keyspace_misses: k.keyspaceMisses ?? 0,
      pubsub_channels: s.pubsubChannels(),
      pubsub_patterns: s.pubsubPatterns(),
      total_forks: 0,
      ...s.disconnections,
    }),
    replication: () => ({ role: 'master', connected_slaves: 0, master_repl_offset: 0 }),
    cpu: () => ({}),
    keyspace: (): Record<string, string> =>
      ctx.keys.size > 0 ? { db0: `keys=${ctx.keys.size},expires=${ctx.keys.expiring},avg_ttl=0` } : {},
  };
}

/** INFO [section ...]: the named sections (default, all and everything name the usual ones). */
export function info(args: Uint8Array[], ctx: CommandContext): void {
  const all = sections(ctx);
  const wanted = new Set<string>();
  if (args.length === 1) for (const n of DEFAULT_SECTIONS) wanted.add(n);
  for (let i = 1; i < args.length; i++) {
    const name = excerpt(args[i]!).toLowerCase();
    if (name === 'default' || name === 'all' || name === 'everything') for (const n of DEFAULT_SECTIONS) wanted.add(n);
    else wanted.add(name);
  }
  let text = '';
  for (const name of DEFAULT_SECTIONS) {
    if (!wanted.has(name)) continue;
    if (text !== '') text += '\r\n';
    text += `# ${name[0]!.toUpperCase()}${name.slice(1)}\r\n`;
    for (const [key, value] of Object.entries(all[name]!())) text += `${key}:${value}\r\n`;
  }
  ctx.out.verbatim(text);
}
