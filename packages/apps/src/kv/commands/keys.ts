/**
 * Keyspace commands: DEL, UNLINK, EXISTS, TOUCH, TYPE, KEYS, SCAN,
 * RANDOMKEY, DBSIZE, FLUSHDB, FLUSHALL; with the expiry commands
 * (expire.ts), those that copy or move keys (keys-copy.ts) and DUMP and
 * RESTORE (keys-dump.ts).
 * @module
 */
import { isWord, latin1, latin1Bytes } from '../core/bytes.js';
import { typeName } from '../core/values.js';
import { SYNTAX_ERROR, type CommandContext, type CommandSpec } from './context.js';
import { EXPIRE_COMMANDS } from './expire.js';
import { COPY_COMMANDS } from './keys-copy.js';
import { DUMP_COMMANDS } from './keys-dump.js';
import { parseScanCursor, parseScanOptions } from './scan-options.js';

function del(args: Uint8Array[], ctx: CommandContext): void {
  let n = 0;
  const logged: Uint8Array[] = [args[0]!];
  for (let i = 1; i < args.length; i++) {
    const key = latin1(args[i]!);
    if (ctx.keys.delete(key)) {
      n++;
      logged.push(args[i]!);
      ctx.notify('g', 'del', key);
    }
  }
  if (n > 0) ctx.log(logged);
  ctx.out.integer(n);
}

// EXISTS and TOUCH: how many of the keys (duplicates counted) exist.
function exists(args: Uint8Array[], ctx: CommandContext): void {
  let n = 0;
  for (let i = 1; i < args.length; i++) if (ctx.keys.get(latin1(args[i]!)) !== undefined) n++;
  ctx.out.integer(n);
}

function type(args: Uint8Array[], ctx: CommandContext): void {
  ctx.out.simple(typeName(ctx.keys.get(latin1(args[1]!))?.value));
}

function keys(args: Uint8Array[], ctx: CommandContext): void {
  const found = ctx.keys.keys(latin1(args[1]!));
  ctx.out.arrayHeader(found.length);
  for (const k of found) ctx.out.bulkText(k);
}

function scan(args: Uint8Array[], ctx: CommandContext): void {
  const cursor = parseScanCursor(args[1]!, ctx);
  if (cursor === undefined) return;
  const options = parseScanOptions(args, 2, ctx, true);
  if (options === undefined) return;
  // This keyspace's cursors are handles it gave out. Redis takes any number (a position in its table): one this
  // keyspace does not know (dropped, or from another server) starts over, which still returns every key.
  const c = cursor > BigInt(Number.MAX_SAFE_INTEGER) ? 0 : Number(cursor);
  const step = ctx.keys.scan(c, options.count, options.pattern) ?? ctx.keys.scan(0, options.count, options.pattern)!;
  const t = options.type;
  const found = t === undefined ? step.keys : step.keys.filter((k) => typeName(ctx.keys.get(k)?.value) === t);
  ctx.out.arrayHeader(2);
  ctx.out.bulk(latin1Bytes(String(step.cursor)));
  ctx.out.arrayHeader(found.length);
  for (const k of found) ctx.out.bulkText(k);
}

function randomKey(_args: Uint8Array[], ctx: CommandContext): void {
  const k = ctx.keys.randomKey();
  if (k === undefined) ctx.out.bulk(null);
  else ctx.out.bulkText(k);
}

function flush(args: Uint8Array[], ctx: CommandContext): void {
  if (args.length > 2 || (args.length === 2 && !isWord(args[1]!, 'ASYNC') && !isWord(args[1]!, 'SYNC'))) {
    return ctx.out.error(SYNTAX_ERROR);
  }
  ctx.keys.flush();
  ctx.log(args);
  ctx.out.simple('OK');
}

/** The keyspace commands. */
export const KEY_COMMANDS: readonly CommandSpec[] = [
  { name: 'del', arity: -2, keys: [1, -1, 1], run: del },
  { name: 'unlink', arity: -2, keys: [1, -1, 1], run: del },
  { name: 'exists', arity: -2, keys: [1, -1, 1], run: exists },
  { name: 'touch', arity: -2, keys: [1, -1, 1], run: exists },
  { name: 'type', arity: 2, keys: [1, 1, 1], run: type },
  { name: 'keys', arity: 2, run: keys },
  { name: 'scan', arity: -2, run: scan },
  { name: 'randomkey', arity: 1, run: randomKey },
  { name: 'dbsize', arity: 1, run: (_a, c) => c.out.integer(c.keys.size) },
  { name: 'flushdb', arity: -1, run: flush },
  { name: 'flushall', arity: -1, run: flush },
  ...EXPIRE_COMMANDS,
  ...COPY_COMMANDS,
  ...DUMP_COMMANDS,
];
