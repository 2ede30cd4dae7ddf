/**
 * Sorted set ranges: ZRANGE (BYSCORE, BYLEX, REV, LIMIT, WITHSCORES),
 * ZRANGESTORE, the older ZREVRANGE, Z[REV]RANGEBYSCORE and
 * Z[REV]RANGEBYLEX, and ZREMRANGEBYRANK/BYSCORE/BYLEX (Redis' t_zset.c
 * zrangeGenericCommand and zremrangeGenericCommand).
 * @module
 */
import { isWord } from '../core/bytes.js';
import { emptyScoreRange, parseLexRange, parseScoreRange } from '../core/score-parse.js';
import {
  lexGteMin,
  lexLteMax,
  scoreGteMin,
  scoreLteMax,
  type LexRange,
  type ScoreRange,
  type SortedSetValue,
  type ZNode,
} from '../core/sorted-set.js';
import { SYNTAX_ERROR, type CommandContext, type CommandSpec } from './context.js';
import { buildZset, keyArg, longArg, membersHeader, storeResult, writeMember, zsetAt } from './zsets-common.js';

type RangeType = 'auto' | 'rank' | 'score' | 'lex';
type Direction = 'auto' | 'fwd' | 'rev';

/** The nodes of ranks start..end (negative counting from the end), in `reverse` order or not. */
function byRank(z: SortedSetValue, start: number, end: number, reverse: boolean): ZNode[] {
  const len = z.size;
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (start > end || start >= len) return [];
  if (end >= len) end = len - 1;
  const out: ZNode[] = [];
  let n = reverse ? z.at(len - 1 - start) : z.at(start);
  for (let k = end - start + 1; k > 0 && n !== null; k--) {
    out.push(n);
    n = reverse ? n.prev : n.next[0]!;
  }
  return out;
}

// Walks from `n` skipping `offset` nodes (a negative offset skips everything, as in Redis), then takes up to `limit` (negative: all) while `inside`.
function walk(
  n: ZNode | null,
  reverse: boolean,
  offset: number,
  limit: number,
  inside: (n: ZNode) => boolean,
): ZNode[] {
  const step = (x: ZNode): ZNode | null => (reverse ? x.prev : x.next[0]!);
  if (offset < 0) return [];
  while (n !== null && offset-- > 0) n = step(n);
  const out: ZNode[] = [];
  while (n !== null && limit-- !== 0) {
    if (!inside(n)) break;
    out.push(n);
    n = step(n);
  }
  return out;
}

function byScore(z: SortedSetValue, r: ScoreRange, reverse: boolean, offset: number, limit: number): ZNode[] {
  const first = reverse ? z.lastInScore(r) : z.firstInScore(r);
  return walk(first, reverse, offset, limit, (n) => (reverse ? scoreGteMin(n.score, r) : scoreLteMax(n.score, r)));
}

function byLex(z: SortedSetValue, r: LexRange, reverse: boolean, offset: number, limit: number): ZNode[] {
  const first = reverse ? z.lastInLex(r) : z.firstInLex(r);
  return walk(first, reverse, offset, limit, (n) => (reverse ? lexGteMin(n.member, r) : lexLteMax(n.member, r)));
}

/**
 * ZRANGE and its relatives: the source key at `at`, then min and max, then
 * options; `dst` set for ZRANGESTORE.
 */
function zrangeGeneric(
  args: Uint8Array[],
  ctx: CommandContext,
  at: number,
  dst: Uint8Array | undefined,
  type: RangeType,
  dir: Direction,
): void {
  let withScores = false;
  let offset = 0;
  let limit = -1;
  let limited = false;
  for (let j = at + 3; j < args.length; j++) {
    const a = args[j]!;
    const left = args.length - j - 1;
    if (dst === undefined && isWord(a, 'WITHSCORES')) withScores = true;
    else if (isWord(a, 'LIMIT') && left >= 2) {
      const o = longArg(args[j + 1]!, ctx);
      if (o === undefined) return;
      const l = longArg(args[j + 2]!, ctx);
      if (l === undefined) return;
      offset = o;
      limit = l;
      limited = true;
      j += 2;
    } else if (dir === 'auto' && isWord(a, 'REV')) dir = 'rev';
    else if (type === 'auto' && isWord(a, 'BYLEX')) type = 'lex';
    else if (type === 'auto' && isWord(a, 'BYSCORE')) type = 'score';
    else return ctx.out.error(SYNTAX_ERROR);
  }
  const reverse = dir === 'rev';
  if (type === 'auto') type = 'rank';
  if (limited && limit !== -1 && type === 'rank')
    return ctx.out.error('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  if (withScores && type === 'lex')
    return ctx.out.error('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  let minArg = args[at + 1]!;
  let maxArg = args[at + 2]!;
  if (reverse && type !== 'rank') [minArg, maxArg] = [maxArg, minArg];
  let start = 0;
  let end = 0;
  let scoreRange: ScoreRange | undefined;
  let lexRange: LexRange | undefined;
  if (type === 'rank') {
    const s = longArg(minArg, ctx);
    if (s === undefined) return;
    const e = longArg(maxArg, ctx);
    if (e === undefined) return;
    start = s;
    end = e;
  } else if (type === 'score') {
    scoreRange = parseScoreRange(minArg, maxArg);
    if (scoreRange === undefined) return ctx.out.error('ERR min or max is not a float');
  } else {
    lexRange = parseLexRange(minArg, maxArg);
    if (lexRange === undefined) return ctx.out.error('ERR min or max not valid string range item');
  }
  const z = zsetAt(keyArg(args, at), ctx);
  if (z === null) return;
  let nodes: ZNode[] = [];
  if (z !== undefined) {
    if (type === 'rank') nodes = byRank(z, start, end, reverse);
    else if (offset > 0 && offset >= z.size) nodes = [];
    else if (type === 'score') nodes = byScore(z, scoreRange!, reverse, offset, limit);
    else nodes = byLex(z, lexRange!, reverse, offset, limit);
  }
  if (dst !== undefined) {
    const result = buildZset(
      nodes.map((n) => [n.member, n.score] as [string, number]),
      ctx,
    );
    return storeResult(args, dst, result, 'zrangestore', ctx);
  }
  membersHeader(ctx, nodes.length, withScores);
  for (const n of nodes) writeMember(ctx, n.member, n.score, withScores);
}

function zremrange(args: Uint8Array[], ctx: CommandContext, type: 'rank' | 'score' | 'lex'): void {
  let start = 0;
  let end = 0;
  let scoreRange: ScoreRange | undefined;
  let lexRange: LexRange | undefined;
  if (type === 'rank') {
    const s = longArg(args[2]!, ctx);
    if (s === undefined) return;
    const e = longArg(args[3]!, ctx);
    if (e === undefined) return;
    start = s;
    end = e;
  } else if (type === 'score') {
    scoreRange = parseScoreRange(args[2]!, args[3]!);
    if (scoreRange === undefined) return ctx.out.error('ERR min or max is not a float');
  } else {
    lexRange = parseLexRange(args[2]!, args[3]!);
    if (lexRange === undefined) return ctx.out.error('ERR min or max not valid string range item');
  }
  const key = keyArg(args, 1);
  const z = zsetAt(key, ctx);
  if (z === null) return;
  if (z === undefined) return ctx.out.integer(0);
  let nodes: ZNode[];
  if (type === 'rank') nodes = byRank(z, start, end, false);
  else if (type === 'score') nodes = emptyScoreRange(scoreRange!) ? [] : byScore(z, scoreRange!, false, 0, -1);
  else nodes = byLex(z, lexRange!, false, 0, -1);
  for (const n of nodes) z.delete(n.member);
  if (nodes.length > 0) {
    if (z.size === 0) ctx.keys.delete(key);
    ctx.log(args);
    ctx.notify('z', `zremrangeby${type}`, key);
    if (z.size === 0) ctx.notify('g', 'del', key);
  }
  ctx.out.integer(nodes.length);
}

const KEY1: readonly [number, number, number] = [1, 1, 1];

/** ZRANGE, ZRANGESTORE, ZREVRANGE, Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX and ZREMRANGEBY*, as command table entries. */
export const ZSET_RANGE_COMMANDS: readonly CommandSpec[] = [
  { name: 'zrange', arity: -4, keys: KEY1, run: (a, c) => zrangeGeneric(a, c, 1, undefined, 'auto', 'auto') },
  { name: 'zrangestore', arity: -5, keys: [1, 2, 1], run: (a, c) => zrangeGeneric(a, c, 2, a[1], 'auto', 'auto') },
  { name: 'zrevrange', arity: -4, keys: KEY1, run: (a, c) => zrangeGeneric(a, c, 1, undefined, 'rank', 'rev') },
  { name: 'zrangebyscore', arity: -4, keys: KEY1, run: (a, c) => zrangeGeneric(a, c, 1, undefined, 'score', 'fwd') },
  {
    name: 'zrevrangebyscore',
    arity: -4,
    keys: KEY1,
    run: (a, c) => zrangeGeneric(a, c, 1, undefined, 'score', 'rev'),
  },
  { name: 'zrangebylex', arity: -4, keys: KEY1, run: (a, c) => zrangeGeneric(a, c, 1, undefined, 'lex', 'fwd') },
  { name: 'zrevrangebylex', arity: -4, keys: KEY1, run: (a, c) => zrangeGeneric(a, c, 1, undefined, 'lex', 'rev') },
  { name: 'zremrangebyrank', arity: 4, keys: KEY1, run: (a, c) => zremrange(a, c, 'rank') },
  { name: 'zremrangebyscore', arity: 4, keys: KEY1, run: (a, c) => zremrange(a, c, 'score') },
  { name: 'zremrangebylex', arity: 4, keys: KEY1, run: (a, c) => zremrange(a, c, 'lex') },
];
