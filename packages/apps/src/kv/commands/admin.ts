/**
 * Administration commands: CONFIG GET, INFO, BGREWRITEAOF (done after the
 * round, not in the background).
 * @module
 */
import { excerpt, isWord, latin1 } from '../core/bytes.js';
import { globMatch } from '../core/glob.js';
import { formatOutputBufferLimit } from '../core/limits.js';
import { SYNTAX_ERROR, type CommandContext, type CommandSpec } from './context.js';
import { REPORTED_VERSION } from './server.js';

function config(args: Uint8Array[], ctx: CommandContext): void {
  if (!isWord(args[1]!, 'GET'))
    return ctx.out.error('ERR CONFIG subcommand not supported by this server (only CONFIG GET)');
  if (args.length < 3) return ctx.out.error("ERR wrong number of arguments for 'config|get' command");
  const params: Record<string, string> = {
    save: '',
    appendonly: 'yes',
    appendfsync: ctx.server.persistenceInfo()['aof_fsync']?.toString() ?? 'no',
    databases: '1',
    port: String(ctx.server.port ?? 0),
    timeout: '0',
    'proto-max-bulk-len': String(ctx.server.limits.maxBulkBytes),
    'client-query-buffer-limit': String(ctx.server.limits.queryBufferBytes),
    'client-output-buffer-limit': formatOutputBufferLimit(ctx.server.limits.output),
  };
  const found: [string, string][] = [];
  for (let i = 2; i < args.length; i++) {
    const pattern = latin1(args[i]!).toLowerCase();
    for (const [k, v] of Object.entries(params))
      if (globMatch(pattern, k) && !found.some((f) => f[0] === k)) found.push([k, v]);
  }
  ctx.out.arrayHeader(found.length * 2);
  for (const [k, v] of found) {
    ctx.out.bulkText(k);
    ctx.out.bulkText(v);
  }
}

function info(args: Uint8Array[], ctx: CommandContext): void {
  if (args.length > 2) return ctx.out.error(SYNTAX_ERROR);
  const want = args.length === 2 ? excerpt(args[1]!).toLowerCase() : 'default';
  const s = ctx.server;
  const sections: Record<string, Record<string, string | number>> = {
    server: {
      redis_version: REPORTED_VERSION,
      dios_kv: 1,
      redis_mode: 'standalone',
      tcp_port: s.port ?? 0,
      uptime_in_seconds: Math.floor((Date.now() - s.startedAt) / 1000),
    },
    clients: { connected_clients: s.connectedClients() },
    persistence: { loading: 0, ...s.persistenceInfo() },
    stats: { total_commands_processed: s.commandsProcessed, ...s.disconnections },
    keyspace: ctx.keys.size > 0 ? { db0: `keys=${ctx.keys.size},expires=${ctx.keys.expiring},avg_ttl=0` } : {},
  };
  const names = want === 'default' || want === 'all' || want === 'everything' ? Object.keys(sections) : [want];
  let text = '';
  for (const name of names) {
    const fields = sections[name];
    if (fields === undefined) continue;
    if (text !== '') text += '\r\n';
    text += `# ${name[0]!.toUpperCase()}${name.slice(1)}\r\n`;
    for (const [k, v] of Object.entries(fields)) text += `${k}:${v}\r\n`;
  }
  ctx.out.bulkText(text);
}

/** The administration commands, as entries of the command table. */
export const ADMIN_COMMANDS: readonly CommandSpec[] = [
  { name: 'config', arity: -2, run: config },
  { name: 'info', arity: -1, run: info },
  {
    name: 'bgrewriteaof',
    arity: 1,
    run: (_a, c) => {
      if (c.server.requestRewrite()) c.out.simple('Background append only file rewriting started');
      else c.out.error('ERR this server keeps no append only file (its kernel has no durable store)');
    },
  },
];
