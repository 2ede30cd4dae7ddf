/**
 * ZSCAN: a small (listpack) sorted set comes whole in one step with cursor
 * 0, as Redis does; a large one is walked in rank order, the cursor being
 * the next rank.
 * @module
 */
import { formatDouble } from '../core/double.js';
import { globMatch } from '../core/glob.js';
import type { CommandContext, CommandSpec } from './context.js';
import { parseScanCursor, parseScanOptions } from './scan-options.js';
import { keyArg, zsetAt } from './zsets-common.js';

function zscan(args: Uint8Array[], ctx: CommandContext): void {
  const c = parseScanCursor(args[2]!, ctx);
  if (c === undefined) return;
  const cursor = c > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(c);
  // Redis reads the key before the options: a missing key answers an empty scan whatever they are.
  const z = zsetAt(keyArg(args, 1), ctx);
  if (z === null) return;
  if (z === undefined) return ctx.out.text('*2\r\n$1\r\n0\r\n*0\r\n');
  const options = parseScanOptions(args, 3, ctx, false);
  if (options === undefined) return;
  const { count, pattern } = options;
  const found: [string, number][] = [];
  let next = 0;
  const whole = z.encoding === 'listpack';
  let n = whole ? z.first() : z.at(cursor);
  let k = 0;
  for (; n !== null && (whole || k < count); n = n.next[0]!, k++)
    if (pattern === undefined || globMatch(pattern, n.member)) found.push([n.member, n.score]);
  if (n !== null) next = cursor + k;
  ctx.out.arrayHeader(2);
  ctx.out.bulkText(String(next));
  ctx.out.arrayHeader(found.length * 2);
  for (const [m, s] of found) {
    ctx.out.bulkText(m);
    ctx.out.bulkText(formatDouble(s));
  }
}

/** ZSCAN, as a command table entry. */
export const ZSET_SCAN_COMMANDS: readonly CommandSpec[] = [{ name: 'zscan', arity: -3, keys: [1, 1, 1], run: zscan }];
