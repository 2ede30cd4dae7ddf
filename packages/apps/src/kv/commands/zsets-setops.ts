/**
 * Sorted set algebra: ZUNION, ZINTER, ZDIFF, their *STORE forms and
 * ZINTERCARD, over sorted sets and plain sets (members of a set score 1),
 * with WEIGHTS and AGGREGATE (Redis' t_zset.c zunionInterDiffGenericCommand).
 * @module
 */
import { isWord, latin1, parseInteger } from '../core/bytes.js';
import { parseScore } from '../core/score-parse.js';
import { SetValue } from '../core/set.js';
import { SortedSetValue } from '../core/sorted-set.js';
import { SYNTAX_ERROR, WRONGTYPE, type CommandContext, type CommandSpec } from './context.js';
import { buildZset, longArg, membersHeader, rangeLong, storeResult, writeMember } from './zsets-common.js';

type Op = 'union' | 'inter' | 'diff';
type Aggregate = 'sum' | 'min' | 'max';

/** One input: a sorted set, a set, or nothing (a missing key), and its weight. */
interface Source {
  readonly value: SortedSetValue | SetValue | undefined;
  weight: number;
}

function sizeOf(s: Source): number {
  return s.value?.size ?? 0;
}

function scoreIn(s: Source, member: string): number | undefined {
  const v = s.value;
  if (v === undefined) return undefined;
  if (v instanceof SetValue) return v.members.has(member) ? 1 : undefined;
  return v.score(member);
}

function* members(s: Source): Generator<[string, number]> {
  const v = s.value;
  if (v === undefined) return;
  if (v instanceof SetValue) for (const m of v.members) yield [m, 1];
  else for (const m of v.scores) yield m;
}

function aggregate(a: number, b: number, how: Aggregate): number {
  if (how === 'sum') {
    const s = a + b;
    return Number.isNaN(s) ? 0 : s;
  }
  return how === 'min' ? Math.min(a, b) : Math.max(a, b);
}

function weighted(score: number, weight: number): number {
  const s = score * weight;
  return Number.isNaN(s) ? 0 : s;
}

/**
 * The shared implementation: numkeys at `at`, `dst` for the *STORE forms,
 * `cardOnly` for ZINTERCARD. `name` is the command's, for an error.
 */
function zsetop(
  args: Uint8Array[],
  ctx: CommandContext,
  at: number,
  dst: Uint8Array | undefined,
  op: Op,
  name: string,
  cardOnly = false,
): void {
  const n = longArg(args[at]!, ctx);
  if (n === undefined) return;
  if (n < 1) return ctx.out.error(`ERR at least 1 input key is needed for '${name}' command`);
  if (n > args.length - (at + 1)) return ctx.out.error(SYNTAX_ERROR);
  const sources: Source[] = [];
  let j = at + 1;
  for (let i = 0; i < n; i++, j++) {
    const v = ctx.keys.get(latin1(args[j]!))?.value;
    if (v !== undefined && !(v instanceof SortedSetValue) && !(v instanceof SetValue)) return ctx.out.error(WRONGTYPE);
    sources.push({ value: v, weight: 1 });
  }
  let how: Aggregate = 'sum';
  let withScores = false;
  let limit = 0;
  while (j < args.length) {
    const remaining = args.length - j;
    const a = args[j]!;
    if (op !== 'diff' && !cardOnly && remaining >= n + 1 && isWord(a, 'WEIGHTS')) {
      j++;
      for (let i = 0; i < n; i++, j++) {
        const w = parseScore(args[j]!);
        if (w === undefined) return ctx.out.error('ERR weight value is not a float');
        sources[i]!.weight = w;
      }
    } else if (op !== 'diff' && !cardOnly && remaining >= 2 && isWord(a, 'AGGREGATE')) {
      const h = args[j + 1]!;
      if (isWord(h, 'SUM')) how = 'sum';
      else if (isWord(h, 'MIN')) how = 'min';
      else if (isWord(h, 'MAX')) how = 'max';
      else return ctx.out.error(SYNTAX_ERROR);
      j += 2;
    } else if (dst === undefined && !cardOnly && isWord(a, 'WITHSCORES')) {
      withScores = true;
      j++;
    } else if (cardOnly && remaining >= 2 && isWord(a, 'LIMIT')) {
      const l = rangeLong(args[j + 1]!, ctx, 0, Infinity, "LIMIT can't be negative");
      if (l === undefined) return;
      limit = l;
      j += 2;
    } else return ctx.out.error(SYNTAX_ERROR);
  }
  const result = new Map<string, number>();
  if (op === 'inter') {
    sources.sort((x, y) => sizeOf(x) - sizeOf(y));
    const first = sources[0]!;
    for (const [m, s] of members(first)) {
      let score = weighted(s, first.weight);
      let all = true;
      for (let i = 1; i < sources.length; i++) {
        const other = scoreIn(sources[i]!, m);
        if (other === undefined) {
          all = false;
          break;
        }
        score = aggregate(score, other * sources[i]!.weight, how);
      }
      if (!all) continue;
      result.set(m, score);
      if (cardOnly && limit > 0 && result.size >= limit) break;
    }
  } else if (op === 'union') {
    sources.sort((x, y) => sizeOf(x) - sizeOf(y));
    for (const src of sources)
      for (const [m, s] of members(src)) {
        const score = weighted(s, src.weight);
        const had = result.get(m);
        result.set(m, had === undefined ? score : aggregate(had, score, how));
      }
  } else {
    for (const [m, s] of members(sources[0]!)) {
      let kept = true;
      for (let i = 1; i < sources.length && kept; i++) kept = scoreIn(sources[i]!, m) === undefined;
      if (kept) result.set(m, s);
    }
  }
  if (cardOnly) return ctx.out.integer(result.size);
  const z = buildZset(result, ctx, dst !== undefined);
  if (dst !== undefined) return storeResult(args, dst, z, `z${op}store`, ctx);
  membersHeader(ctx, z.size, withScores);
  for (let node = z.first(); node !== null; node = node.next[0]!) writeMember(ctx, node.member, node.score, withScores);
}

// The input keys' positions: numkeys at `at`, the keys after it, and the destination at 1 for the *STORE forms.
function opKeys(at: number, store: boolean): (args: Uint8Array[]) => number[] {
  return (args) => {
    const n = Number(parseInteger(args[at] ?? new Uint8Array()) ?? 0n);
    const out: number[] = store ? [1] : [];
    for (let i = 0; i < n && at + 1 + i < args.length; i++) out.push(at + 1 + i);
    return out;
  };
}

/** ZUNION, ZINTER, ZDIFF, ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE and ZINTERCARD, as command table entries. */
export const ZSET_SETOP_COMMANDS: readonly CommandSpec[] = [
  { name: 'zunion', arity: -3, keys: opKeys(1, false), run: (a, c) => zsetop(a, c, 1, undefined, 'union', 'zunion') },
  { name: 'zinter', arity: -3, keys: opKeys(1, false), run: (a, c) => zsetop(a, c, 1, undefined, 'inter', 'zinter') },
  { name: 'zdiff', arity: -3, keys: opKeys(1, false), run: (a, c) => zsetop(a, c, 1, undefined, 'diff', 'zdiff') },
  {
    name: 'zintercard',
    arity: -3,
    keys: opKeys(1, false),
    run: (a, c) => zsetop(a, c, 1, undefined, 'inter', 'zintercard', true),
  },
  {
    name: 'zunionstore',
    arity: -4,
    keys: opKeys(2, true),
    run: (a, c) => zsetop(a, c, 2, a[1], 'union', 'zunionstore'),
  },
  {
    name: 'zinterstore',
    arity: -4,
    keys: opKeys(2, true),
    run: (a, c) => zsetop(a, c, 2, a[1], 'inter', 'zinterstore'),
  },
  { name: 'zdiffstore', arity: -4, keys: opKeys(2, true), run: (a, c) => zsetop(a, c, 2, a[1], 'diff', 'zdiffstore') },
];
