/**
 * Sorted set commands: ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK,
 * ZREVRANK, ZCOUNT, ZLEXCOUNT here; ranges, pops, set operations and ZSCAN
 * in the zsets-*.ts files, gathered into one table at the end.
 * @module
 */
import { isWord, latin1 } from '../core/bytes.js';
import { parseLexRange, parseScore, parseScoreRange } from '../core/score-parse.js';
import { lexLteMax, SortedSetValue, type ZNode } from '../core/sorted-set.js';
import { SYNTAX_ERROR, type CommandContext, type CommandSpec } from './context.js';
import { keyArg, maybeGrow, zsetAt } from './zsets-common.js';
import { ZSET_POP_COMMANDS } from './zsets-pop.js';
import { ZSET_RANGE_COMMANDS } from './zsets-range.js';
import { ZSET_SCAN_COMMANDS } from './zsets-scan.js';
import { ZSET_SETOP_COMMANDS } from './zsets-setops.js';

const NAN_ERROR = 'ERR resulting score is not a number (NaN)';
const NOT_A_FLOAT = 'ERR value is not a valid float';

function zadd(args: Uint8Array[], ctx: CommandContext, incrCommand: boolean): void {
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  let ch = false;
  let incr = incrCommand;
  let i = 2;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (isWord(a, 'NX')) nx = true;
    else if (isWord(a, 'XX')) xx = true;
    else if (isWord(a, 'CH')) ch = true;
    else if (isWord(a, 'INCR')) incr = true;
    else if (isWord(a, 'GT')) gt = true;
    else if (isWord(a, 'LT')) lt = true;
    else break;
  }
  const rest = args.length - i;
  if (rest % 2 !== 0 || rest === 0) return ctx.out.error(SYNTAX_ERROR);
  if (nx && xx) return ctx.out.error('ERR XX and NX options at the same time are not compatible');
  if ((gt && nx) || (lt && nx) || (gt && lt))
    return ctx.out.error('ERR GT, LT, and/or NX options at the same time are not compatible');
  if (incr && rest > 2) return ctx.out.error('ERR INCR option supports a single increment-element pair');
  const scores: number[] = [];
  for (let j = i; j < args.length; j += 2) {
    const s = parseScore(args[j]!);
    if (s === undefined) return ctx.out.error(NOT_A_FLOAT);
    scores.push(s);
  }
  const key = keyArg(args, 1);
  let z = zsetAt(key, ctx);
  if (z === null) return;
  if (z === undefined) {
    if (xx) return incr ? ctx.out.bulk(null) : ctx.out.integer(0);
    z = new SortedSetValue();
    maybeGrow(z, ctx, args[i + 1]!.length, 1);
    ctx.keys.set(key, z);
  }
  let added = 0;
  let updated = 0;
  let processed = 0;
  let last = 0;
  let failed = false;
  for (let k = 0; k < scores.length; k++) {
    const member = latin1(args[i + 1 + 2 * k]!);
    let score = scores[k]!;
    const cur = z.score(member);
    if (cur !== undefined) {
      if (nx) continue;
      if (incr) {
        score += cur;
        if (Number.isNaN(score)) {
          failed = true;
          break;
        }
      }
      if ((lt && score >= cur) || (gt && score <= cur)) continue;
      processed++;
      last = score;
      if (score !== cur) {
        z.put(member, score);
        updated++;
      }
    } else if (!xx) {
      maybeGrow(z, ctx, member.length, 1);
      z.put(member, score);
      added++;
      processed++;
      last = score;
    }
  }
  if (failed) ctx.out.error(NAN_ERROR);
  else if (!incr) ctx.out.integer(ch ? added + updated : added);
  else if (processed > 0) ctx.out.double(last);
  else ctx.out.bulk(null);
  if (added + updated > 0) {
    // Replayed as sent (Redis propagates ZADD and ZINCRBY verbatim): the same state follows.
    ctx.log(args);
    ctx.notify('z', incr ? 'zincr' : 'zadd', key);
  }
}

function zrem(args: Uint8Array[], ctx: CommandContext): void {
  const key = keyArg(args, 1);
  const z = zsetAt(key, ctx);
  if (z === null) return;
  if (z === undefined) return ctx.out.integer(0);
  let deleted = 0;
  for (let i = 2; i < args.length; i++) {
    if (z.delete(latin1(args[i]!))) deleted++;
    if (z.size === 0) break;
  }
  if (deleted > 0) {
    if (z.size === 0) ctx.keys.delete(key);
    ctx.log(args);
    ctx.notify('z', 'zrem', key);
    if (z.size === 0) ctx.notify('g', 'del', key);
  }
  ctx.out.integer(deleted);
}

function zcard(args: Uint8Array[], ctx: CommandContext): void {
  const z = zsetAt(keyArg(args, 1), ctx);
  if (z !== null) ctx.out.integer(z?.size ?? 0);
}

function zscore(args: Uint8Array[], ctx: CommandContext): void {
  const z = zsetAt(keyArg(args, 1), ctx);
  if (z === null) return;
  const s = z?.score(latin1(args[2]!));
  if (s === undefined) ctx.out.bulk(null);
  else ctx.out.double(s);
}

function zmscore(args: Uint8Array[], ctx: CommandContext): void {
  const z = zsetAt(keyArg(args, 1), ctx);
  if (z === null) return;
  ctx.out.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) {
    const s = z?.score(latin1(args[i]!));
    if (s === undefined) ctx.out.bulk(null);
    else ctx.out.double(s);
  }
}

function zrank(args: Uint8Array[], ctx: CommandContext, reverse: boolean): void {
  const z = zsetAt(keyArg(args, 1), ctx);
  if (z === null) return;
  const r = z?.rank(latin1(args[2]!));
  if (r === undefined) return ctx.out.bulk(null);
  ctx.out.integer(reverse ? z!.size - 1 - r : r);
}

// Members from `first` to `last` (inclusive, in rank order): their count.
function countBetween(z: SortedSetValue, first: ZNode | null, last: ZNode | null): number {
  if (first === null || last === null) return 0;
  const a = z.rank(first.member)!;
  const b = z.rank(last.member)!;
  return b >= a ? b - a + 1 : 0;
}

function zcount(args: Uint8Array[], ctx: CommandContext): void {
  const range = parseScoreRange(args[2]!, args[3]!);
  if (range === undefined) return ctx.out.error('ERR min or max is not a float');
  const z = zsetAt(keyArg(args, 1), ctx);
  if (z === null) return;
  if (z === undefined) return ctx.out.integer(0);
  ctx.out.integer(countBetween(z, z.firstInScore(range), z.lastInScore(range)));
}

function zlexcount(args: Uint8Array[], ctx: CommandContext): void {
  const range = parseLexRange(args[2]!, args[3]!);
  if (range === undefined) return ctx.out.error('ERR min or max not valid string range item');
  const z = zsetAt(keyArg(args, 1), ctx);
  if (z === null) return;
  if (z === undefined) return ctx.out.integer(0);
  if (z.encoding === 'skiplist') return ctx.out.integer(countBetween(z, z.firstInLex(range), z.lastInLex(range)));
  // A listpack counts forward from the first member in range while members stay below max (they differ when scores do).
  let count = 0;
  for (let n = z.firstInLex(range); n !== null && lexLteMax(n.member, range); n = n.next[0]!) count++;
  ctx.out.integer(count);
}

/** The sorted set commands, as entries of the command table. */
export const ZSET_COMMANDS: readonly CommandSpec[] = [
  { name: 'zadd', arity: -4, keys: [1, 1, 1], run: (a, c) => zadd(a, c, false) },
  { name: 'zincrby', arity: 4, keys: [1, 1, 1], run: (a, c) => zadd(a, c, true) },
  { name: 'zrem', arity: -3, keys: [1, 1, 1], run: zrem },
  { name: 'zcard', arity: 2, keys: [1, 1, 1], run: zcard },
  { name: 'zscore', arity: 3, keys: [1, 1, 1], run: zscore },
  { name: 'zmscore', arity: -3, keys: [1, 1, 1], run: zmscore },
  { name: 'zrank', arity: 3, keys: [1, 1, 1], run: (a, c) => zrank(a, c, false) },
  { name: 'zrevrank', arity: 3, keys: [1, 1, 1], run: (a, c) => zrank(a, c, true) },
  { name: 'zcount', arity: 4, keys: [1, 1, 1], run: zcount },
  { name: 'zlexcount', arity: 4, keys: [1, 1, 1], run: zlexcount },
  ...ZSET_RANGE_COMMANDS,
  ...ZSET_POP_COMMANDS,
  ...ZSET_SETOP_COMMANDS,
  ...ZSET_SCAN_COMMANDS,
];
