/**
 * The KV store's sorted sets, run through the command table on a detached
 * context: replies byte for byte as redis-server 7.0.15 gave them (RESP2
 * and RESP3, errors included), the skip list against a plain model, the
 * log (replayed into another keyspace it gives the same sets), encodings
 * by the thresholds, keyspace events, and the blocking pops' park, retry
 * and timeout.
 */
import { describe, expect, it } from 'vitest';
import { type CommandContext, DEFAULT_KV_LIMITS, Keyspace, RespWriter } from '@dios/apps';
import { detachedContext, dispatch } from '@dios/apps/testing';
import { SetValue } from '../src/kv/core/set.js';
import { SortedSetValue } from '../src/kv/core/sorted-set.js';
import { parseScore, strtod } from '../src/kv/core/score-parse.js';

type BlockRequest = Parameters<CommandContext['block']>[0];

const enc = (s: string) => new TextEncoder().encode(s);

/** A server stand-in: one keyspace, replies as text, what was logged, notified and parked. */
function harness(keys = new Keyspace()) {
  const out = new RespWriter();
  const logged: string[][] = [];
  const events: string[] = [];
  const parked: BlockRequest[] = [];
  const ctx: CommandContext = {
    ...detachedContext(keys, out, DEFAULT_KV_LIMITS),
    log: (args) => logged.push(args.map((a) => (typeof a === 'string' ? a : String.fromCharCode(...a)))),
    notify: (type, event, key) => events.push(`${type}:${event}:${key}`),
    block: (request) => parked.push(request),
  };
  /** Runs a command; its reply as a latin1 string. */
  function r(...args: string[]): string {
    out.reset();
    dispatch(
      args.map((a) => enc(a)),
      ctx,
    );
    return String.fromCharCode(...out.bytes());
  }
  return { keys, out, ctx, logged, events, parked, r };
}

// The set {a, b, x} at 's' and a string at 'str', as the reference run had them.
function withOthers(keys: Keyspace): void {
  const s = new SetValue();
  for (const m of ['a', 'b', 'x']) s.members.add(m);
  keys.set('s', s);
  keys.set('str', enc('v'));
}

// Commands and redis-server 7.0.15's replies, in order, RESP2 (random replies left out).
const RESP2: [string[], string][] = [
  [['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'], ':3\r\n'],
  [['ZADD', 'z', 'NX', 'XX', '1', 'a'], '-ERR XX and NX options at the same time are not compatible\r\n'],
  [['ZADD', 'z', 'GT', 'LT', '1', 'a'], '-ERR GT, LT, and/or NX options at the same time are not compatible\r\n'],
  [['ZADD', 'z', 'INCR', '1', 'a', '2', 'b'], '-ERR INCR option supports a single increment-element pair\r\n'],
  [['ZADD', 'z', '1'], "-ERR wrong number of arguments for 'zadd' command\r\n"],
  [['ZADD', 'z', 'nan', 'a'], '-ERR value is not a valid float\r\n'],
  [['ZADD', 'z', '', 'a'], '-ERR value is not a valid float\r\n'],
  [['ZADD', 'z', ' 1', 'a'], '-ERR value is not a valid float\r\n'],
  [['ZADD', 'z', '1e400', 'a'], '-ERR value is not a valid float\r\n'],
  [['ZADD', 'z', '0x10', 'h'], ':1\r\n'],
  [['ZADD', 'z', 'CH', 'GT', '0', 'a', '5', 'b', '4', 'd'], ':2\r\n'],
  [['ZADD', 'z', 'XX', 'INCR', '1', 'nope'], '$-1\r\n'],
  [['ZADD', 'z', 'LT', 'INCR', '1', 'a'], '$-1\r\n'],
  [['ZINCRBY', 'z', '+inf', 'c'], '$3\r\ninf\r\n'],
  [['ZINCRBY', 'z', '-inf', 'c'], '-ERR resulting score is not a number (NaN)\r\n'],
  [['ZINCRBY', 'z', '2.5', 'new'], '$3\r\n2.5\r\n'],
  [['ZSCORE', 'z', 'new'], '$3\r\n2.5\r\n'],
  [['ZSCORE', 'z', 'none'], '$-1\r\n'],
  [['ZMSCORE', 'z', 'a', 'none', 'h'], '*3\r\n$1\r\n1\r\n$-1\r\n$2\r\n16\r\n'],
  [['ZRANK', 'z', 'b'], ':3\r\n'],
  [['ZREVRANK', 'z', 'b'], ':2\r\n'],
  [['ZRANK', 'z', 'none'], '$-1\r\n'],
  [['ZCARD', 'z'], ':6\r\n'],
  [
    ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
    '*12\r\n$1\r\na\r\n$1\r\n1\r\n$3\r\nnew\r\n$3\r\n2.5\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nb\r\n$1\r\n5\r\n$1\r\nh\r\n$2\r\n16\r\n$1\r\nc\r\n$3\r\ninf\r\n',
  ],
  [
    ['ZRANGE', 'z', '(1', '+inf', 'BYSCORE', 'LIMIT', '1', '2', 'WITHSCORES'],
    '*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nb\r\n$1\r\n5\r\n',
  ],
  [['ZRANGE', 'z', '+inf', '(1', 'BYSCORE', 'REV'], '*5\r\n$1\r\nc\r\n$1\r\nh\r\n$1\r\nb\r\n$1\r\nd\r\n$3\r\nnew\r\n'],
  [
    ['ZRANGE', 'z', '0', '1', 'LIMIT', '0', '1'],
    '-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n',
  ],
  [
    ['ZRANGE', 'z', '-', '+', 'BYLEX', 'WITHSCORES'],
    '-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n',
  ],
  [['ZRANGE', 'z', 'x', '1', 'BYSCORE'], '-ERR min or max is not a float\r\n'],
  [['ZRANGE', 'z', 'a', '1'], '-ERR value is not an integer or out of range\r\n'],
  [['ZRANGE', 'z', '0', '1', 'BYSCORE', 'BYLEX'], '-ERR syntax error\r\n'],
  [['ZREVRANGE', 'z', '0', '1'], '*2\r\n$1\r\nc\r\n$1\r\nh\r\n'],
  [['ZRANGEBYSCORE', 'z', '-inf', 'inf', 'LIMIT', '0'], '-ERR syntax error\r\n'],
  [['ZCOUNT', 'z', '(0', '5'], ':4\r\n'],
  [['ZCOUNT', 'z', 'x', '5'], '-ERR min or max is not a float\r\n'],
  [['ZLEXCOUNT', 'z', 'a', '+'], '-ERR min or max not valid string range item\r\n'],
  [['ZREMRANGEBYSCORE', 'z', '(4', '+inf'], ':3\r\n'],
  [['ZREMRANGEBYRANK', 'z', 'x', '1'], '-ERR value is not an integer or out of range\r\n'],
  [['ZPOPMIN', 'z', '-1'], '-ERR value is out of range, must be positive\r\n'],
  [['ZPOPMIN', 'z', '1', '2'], '-ERR syntax error\r\n'],
  [['ZPOPMAX', 'z'], '*2\r\n$1\r\nd\r\n$1\r\n4\r\n'],
  [['ZPOPMIN', 'z', '0'], '*0\r\n'],
  [['ZPOPMIN', 'none'], '*0\r\n'],
  [['ZMPOP', '0', 'z', 'MIN'], '-ERR numkeys should be greater than 0\r\n'],
  [['ZMPOP', '1', 'z', 'MIN', 'COUNT', '0'], '-ERR count should be greater than 0\r\n'],
  [['ZMPOP', '1', 'z'], "-ERR wrong number of arguments for 'zmpop' command\r\n"],
  [
    ['ZMPOP', '2', 'none', 'z', 'MAX', 'COUNT', '5'],
    '*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$3\r\nnew\r\n$3\r\n2.5\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n',
  ],
  [['ZMPOP', '1', 'none', 'MIN'], '*-1\r\n'],
  [['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'], ':3\r\n'],
  [
    ['ZUNION', '2', 'z', 's', 'WITHSCORES'],
    '*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n3\r\n$1\r\nc\r\n$1\r\n3\r\n',
  ],
  [
    ['ZINTER', '2', 'z', 's', 'WEIGHTS', '2', '3', 'AGGREGATE', 'MAX', 'WITHSCORES'],
    '*4\r\n$1\r\na\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n4\r\n',
  ],
  [['ZDIFF', '2', 'z', 's', 'WITHSCORES'], '*2\r\n$1\r\nc\r\n$1\r\n3\r\n'],
  [['ZUNION', '2', 'z', 'str'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  [['ZUNION', '0', 'z'], "-ERR at least 1 input key is needed for 'zunion' command\r\n"],
  [['ZUNIONSTORE', 'd', '0', 'z'], "-ERR at least 1 input key is needed for 'zunionstore' command\r\n"],
  [['ZINTERCARD', '0', 'z'], "-ERR at least 1 input key is needed for 'zintercard' command\r\n"],
  [['ZUNION', '3', 'z', 's'], '-ERR syntax error\r\n'],
  [['ZINTER', '2', 'z', 's', 'WEIGHTS', '1', 'x'], '-ERR weight value is not a float\r\n'],
  [['ZDIFF', '2', 'z', 's', 'WEIGHTS', '1', '1'], '-ERR syntax error\r\n'],
  [['ZINTERCARD', '2', 'z', 's', 'LIMIT', '-1'], "-ERR LIMIT can't be negative\r\n"],
  [['ZINTERCARD', '2', 'z', 's', 'LIMIT', '1'], ':1\r\n'],
  [['ZUNIONSTORE', 'd', '2', 'z', 's', 'WITHSCORES'], '-ERR syntax error\r\n'],
  [['ZUNIONSTORE', 'd', '2', 'z', 's', 'AGGREGATE', 'MIN'], ':4\r\n'],
  [['ZRANGESTORE', 'd2', 'z', '0', '-1', 'WITHSCORES'], '-ERR syntax error\r\n'],
  [['ZRANGESTORE', 'd2', 'z', '1', '(3', 'BYSCORE'], ':2\r\n'],
  [['ZRANGESTORE', 'd2', 'none', '0', '-1'], ':0\r\n'],
  [
    ['ZRANDMEMBER', 'z', '-9223372036854775808'],
    '-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n',
  ],
  [['ZRANDMEMBER', 'z', '1', '2'], '-ERR syntax error\r\n'],
  [['ZRANDMEMBER', 'none'], '$-1\r\n'],
  [['ZRANDMEMBER', 'none', '5'], '*0\r\n'],
  [['ZSCAN', 'z', '0'], '*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n'],
  [['ZSCAN', 'z', 'x'], '-ERR invalid cursor\r\n'],
  [['ZSCAN', 'none', '0', 'COUNT', '0'], '*2\r\n$1\r\n0\r\n*0\r\n'],
  [['ZSCAN', 'z', '0', 'COUNT', '0'], '-ERR syntax error\r\n'],
  [['BZPOPMIN', 'z', 'x'], '-ERR timeout is not a float or out of range\r\n'],
  [['BZPOPMIN', 'z', '-1'], '-ERR timeout is negative\r\n'],
  [['BZPOPMAX', 'str', '1'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  [['BZMPOP', '1', '0', 'z', 'MIN'], '-ERR numkeys should be greater than 0\r\n'],
  [
    ['BZMPOP', '0', '1', 'z', 'MIN', 'COUNT', '2'],
    '*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n',
  ],
  [['ZADD', 'str', '1', 'a'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  [['ZRANGE', 'str', '0', '-1'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  [['ZCARD', 'str'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
];

// The same for a client that said HELLO 3.
const RESP3: [string[], string][] = [
  [['ZADD', 'z', '1', 'a', '2.5', 'b', '3', 'c'], ':3\r\n'],
  [['ZSCORE', 'z', 'b'], ',2.5\r\n'],
  [['ZSCORE', 'z', 'none'], '_\r\n'],
  [['ZMSCORE', 'z', 'a', 'none'], '*2\r\n,1\r\n_\r\n'],
  [['ZADD', 'z', 'XX', 'INCR', '1', 'none'], '_\r\n'],
  [['ZINCRBY', 'z', '1', 'a'], ',2\r\n'],
  [
    ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
    '*3\r\n*2\r\n$1\r\na\r\n,2\r\n*2\r\n$1\r\nb\r\n,2.5\r\n*2\r\n$1\r\nc\r\n,3\r\n',
  ],
  [['ZRANGE', 'z', '0', '-1'], '*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n'],
  [['ZPOPMIN', 'z'], '*2\r\n$1\r\na\r\n,2\r\n'],
  [['ZPOPMIN', 'z', '1'], '*1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n'],
  [['ZPOPMIN', 'none', '1'], '*0\r\n'],
  [['ZADD', 'z', '1', 'a', '2', 'b'], ':2\r\n'],
  [['ZMPOP', '1', 'z', 'MAX'], '*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nc\r\n,3\r\n'],
  [['ZMPOP', '1', 'none', 'MAX'], '_\r\n'],
  [['BZPOPMAX', 'z', '1'], '*3\r\n$1\r\nz\r\n$1\r\nb\r\n,2\r\n'],
  [['BZMPOP', '1', '1', 'z', 'MIN'], '*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n,1\r\n'],
  [['ZADD', 'z', '1', 'a', '2', 'b'], ':2\r\n'],
  [['ZUNION', '1', 'z', 'WITHSCORES'], '*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n'],
  [['ZRANK', 'z', 'none'], '_\r\n'],
  [['ZRANGESTORE', 'd', 'z', '0', '-1'], ':2\r\n'],
  [['ZSCAN', 'z', '0'], '*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n'],
  [['ZADD', 'z', 'inf', 'c'], ':1\r\n'],
  [
    ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
    '*3\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\nc\r\n,inf\r\n',
  ],
  [['ZINCRBY', 'z', '1.5', 'a'], ',2.5\r\n'],
];

describe('sorted set replies, byte for byte as redis-server 7.0.15', () => {
  it('RESP2: options, errors, ranges, pops, set operations, stores, scans', () => {
    const { r, keys } = harness();
    withOthers(keys);
    for (const [args, reply] of RESP2) expect([args, r(...args)]).toEqual([args, reply]);
  });

  it('RESP3: doubles, nulls, and [member, score] pairs', () => {
    const { r, out } = harness();
    out.protocol = 3;
    for (const [args, reply] of RESP3) expect([args, r(...args)]).toEqual([args, reply]);
  });
});

// A deterministic random source (mulberry32), so a failure repeats.
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the skip list behind SortedSetValue', () => {
  it('keeps rank order, ranks, access by rank, back links and score bounds as a sorted model does', () => {
    const rnd = random(7);
    const z = new SortedSetValue();
    const model = new Map<string, number>();
    const sorted = () =>
      [...model].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([m]) => m);
    for (let step = 0; step < 3000; step++) {
      const member = `m${Math.floor(rnd() * 300)}`;
      if (rnd() < 0.3) {
        expect(z.delete(member)).toBe(model.delete(member));
      } else {
        const score = Math.floor(rnd() * 50) - 25;
        z.add(member, score);
        model.set(member, score);
      }
      if (step % 100 !== 99) continue;
      const order = sorted();
      expect(z.entries().map(([m]) => m)).toEqual(order);
      expect(z.size).toBe(order.length);
      order.forEach((m, i) => {
        expect(z.rank(m)).toBe(i);
        expect(z.at(i)!.member).toBe(m);
        expect(z.at(i)!.prev?.member).toBe(i === 0 ? undefined : order[i - 1]);
      });
      expect(z.last()?.member).toBe(order[order.length - 1]);
      const r = { min: -3, max: 4, minex: rnd() < 0.5, maxex: rnd() < 0.5 };
      const inside = order.filter((m) => {
        const s = model.get(m)!;
        return (r.minex ? s > r.min : s >= r.min) && (r.maxex ? s < r.max : s <= r.max);
      });
      expect(z.firstInScore(r)?.member).toBe(inside[0]);
      expect(z.lastInScore(r)?.member).toBe(inside[inside.length - 1]);
    }
  });
});

describe('scores as Redis reads them', () => {
  it('ZADD takes what C strtod reads whole, refusing spaces, NaN and overflow', () => {
    const score = (s: string) => parseScore(enc(s));
    expect(score('1.5')).toBe(1.5);
    expect(score('-inf')).toBe(-Infinity);
    expect(score('+Infinity')).toBe(Infinity);
    expect(score('0x10')).toBe(16);
    expect(score('1e3')).toBe(1000);
    expect(score('.5')).toBe(0.5);
    for (const bad of ['', ' 1', '1 ', 'nan', 'abc', '1e400', '1e-400', '1x', '--1'])
      expect(score(bad)).toBeUndefined();
    expect(strtod('  12abc')).toEqual([12, 4]);
  });
});

describe('the log replays to the same sorted sets', () => {
  it('a random mix of writes, replayed in a fresh keyspace, gives the same members and scores', () => {
    const rnd = random(11);
    const a = harness();
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
    const keys = ['z1', 'z2', 'z3'];
    const members = ['a', 'b', 'c', 'd', 'e', 'ff', 'g'];
    const scores = ['1', '2', '-1', '2.5', '-inf', 'inf', '0'];
    for (let i = 0; i < 1500; i++) {
      const k = pick(keys);
      const cmd = pick([
        ['ZADD', k, pick(scores), pick(members), pick(scores), pick(members)],
        ['ZADD', k, 'GT', 'CH', pick(scores), pick(members)],
        ['ZINCRBY', k, pick(scores), pick(members)],
        ['ZREM', k, pick(members)],
        ['ZPOPMIN', k],
        ['ZPOPMAX', k, '2'],
        ['ZMPOP', '2', k, pick(keys), 'MIN', 'COUNT', '2'],
        ['BZPOPMAX', k, '0.1'],
        ['ZREMRANGEBYSCORE', k, '(0', '2'],
        ['ZREMRANGEBYRANK', k, '0', '0'],
        ['ZREMRANGEBYLEX', k, '[b', '(e'],
        ['ZUNIONSTORE', pick(keys), '2', k, pick(keys), 'WEIGHTS', '2', '1'],
        ['ZINTERSTORE', pick(keys), '2', k, pick(keys), 'AGGREGATE', 'MAX'],
        ['ZDIFFSTORE', pick(keys), '2', k, pick(keys)],
        ['ZRANGESTORE', pick(keys), k, '0', '1', 'REV'],
      ]);
      a.r(...cmd);
    }
    const b = harness();
    for (const args of a.logged) b.r(...args);
    for (const k of keys) {
      const za = a.keys.get(k)?.value as SortedSetValue | undefined;
      const zb = b.keys.get(k)?.value as SortedSetValue | undefined;
      expect(zb?.entries()).toEqual(za?.entries());
    }
    expect(a.logged.length).toBeGreaterThan(500);
  });

  it('logs nothing when nothing changed', () => {
    const { r, logged } = harness();
    r('ZADD', 'z', '1', 'a');
    logged.length = 0;
    r('ZADD', 'z', '1', 'a');
    r('ZADD', 'z', 'NX', '5', 'a');
    r('ZADD', 'z', 'XX', '5', 'b');
    r('ZREM', 'z', 'none');
    r('ZREMRANGEBYSCORE', 'z', '5', '6');
    r('ZPOPMIN', 'none');
    r('ZUNIONSTORE', 'nothing', '1', 'none');
    r('ZADD', 'z', 'x', 'a');
    expect(logged).toEqual([]);
  });
});

describe('encodings as Redis 7.0 reports them', () => {
  it('listpack until zset-max-listpack-entries or -value is passed, then skiplist for good', () => {
    const { r, keys, ctx } = harness();
    const enc = (k: string) => (keys.get(k)?.value as SortedSetValue).encoding;
    ctx.server.config.zsetMaxListpackEntries = 3;
    ctx.server.config.zsetMaxListpackValue = 5;
    r('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
    expect(enc('z')).toBe('listpack');
    r('ZADD', 'z', '4', 'd');
    expect(enc('z')).toBe('skiplist');
    r('ZREM', 'z', 'a', 'b', 'c');
    expect(enc('z')).toBe('skiplist');
    r('ZADD', 'long', '1', 'abcdef');
    expect(enc('long')).toBe('skiplist');
    r('ZADD', 'w', '1', 'abcde');
    r('ZADD', 'w', '1', 'abcdef');
    expect(enc('w')).toBe('skiplist');
    // A computed result takes the encoding its size calls for.
    r('ZUNIONSTORE', 'u', '1', 'z');
    expect(enc('u')).toBe('listpack');
    ctx.server.config.zsetMaxListpackEntries = 0;
    r('ZADD', 'zero', '1', 'a');
    expect(enc('zero')).toBe('skiplist');
  });

  it('a listpack keeps -0 as 0, a skiplist keeps -0', () => {
    const { r, ctx } = harness();
    r('ZADD', 'small', '-0', 'a');
    expect(r('ZSCORE', 'small', 'a')).toBe('$1\r\n0\r\n');
    ctx.server.config.zsetMaxListpackEntries = 0;
    r('ZADD', 'big', '-0', 'a');
    expect(r('ZSCORE', 'big', 'a')).toBe('$2\r\n-0\r\n');
  });
});

describe('keyspace events', () => {
  it('as Redis notifies them', () => {
    const { r, events } = harness();
    r('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
    r('ZINCRBY', 'z', '1', 'a');
    r('ZREM', 'z', 'a');
    r('ZPOPMIN', 'z');
    r('ZREMRANGEBYSCORE', 'z', '-inf', '+inf');
    r('ZADD', 'y', '1', 'a');
    r('ZUNIONSTORE', 'u', '1', 'y');
    r('ZINTERSTORE', 'u', '1', 'none');
    expect(events).toEqual([
      'z:zadd:z',
      'z:zincr:z',
      'z:zrem:z',
      'z:zpopmin:z',
      'z:zremrangebyscore:z',
      'g:del:z',
      'z:zadd:y',
      'z:zunionstore:u',
      'g:del:u',
    ]);
  });
});

describe('blocking pops', () => {
  it('park when every key is empty, are served by a later write, time out with a null array', () => {
    const { r, parked, ctx, out, logged } = harness();
    expect(r('BZPOPMIN', 'a', 'b', '0')).toBe('');
    expect(parked).toHaveLength(1);
    const req = parked[0]!;
    expect(req.keys).toEqual(['a', 'b']);
    expect(req.deadline).toBe(0);
    out.reset();
    expect(req.retry(ctx)).toBe(false);
    expect(out.length).toBe(0);
    r('SET', 'a', 'v');
    out.reset();
    // A key of another type keeps it waiting, as in Redis.
    expect(req.retry(ctx)).toBe(false);
    r('ZADD', 'b', '1', 'x', '2', 'y');
    logged.length = 0;
    out.reset();
    expect(req.retry(ctx)).toBe(true);
    expect(String.fromCharCode(...out.bytes())).toBe('*3\r\n$1\r\nb\r\n$1\r\nx\r\n$1\r\n1\r\n');
    expect(logged).toEqual([['ZPOPMIN', 'b']]);
    expect(r('BZMPOP', '5', '1', 'none', 'MAX', 'COUNT', '3')).toBe('');
    const timed = parked[1]!;
    expect(timed.deadline).toBeGreaterThan(Date.now());
    out.reset();
    timed.timedOut(ctx);
    expect(String.fromCharCode(...out.bytes())).toBe('*-1\r\n');
  });

  it('serve at once when a key has members, and refuse another type before blocking', () => {
    const { r, parked } = harness();
    r('ZADD', 'z', '1', 'a');
    r('SET', 'str', 'v');
    expect(r('BZPOPMIN', 'none', 'str', 'z', '0')).toBe(
      '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n',
    );
    expect(r('BZMPOP', '0', '2', 'none', 'z', 'MIN')).toBe('*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n');
    expect(parked).toHaveLength(0);
  });
});

describe('ZRANDMEMBER and ZSCAN', () => {
  it('distinct members for a positive count, repeats for a negative one, every member over a scan', () => {
    const { r, keys, ctx } = harness();
    ctx.server.config.zsetMaxListpackEntries = 0;
    const args: string[] = [];
    for (let i = 0; i < 200; i++) args.push(String(i), `m${i}`);
    r('ZADD', 'z', ...args);
    const z = keys.get('z')!.value as SortedSetValue;
    const bulkItems = (reply: string) => reply.split('\r\n').filter((_, i) => i > 0 && i % 2 === 0);
    const some = bulkItems(r('ZRANDMEMBER', 'z', '50'));
    expect(new Set(some).size).toBe(50);
    for (const m of some) expect(z.score(m)).toBeDefined();
    expect(bulkItems(r('ZRANDMEMBER', 'z', '-500'))).toHaveLength(500);
    const seen = new Set<string>();
    let cursor = '0';
    do {
      const reply = r('ZSCAN', 'z', cursor, 'COUNT', '7');
      const lines = reply.split('\r\n');
      cursor = lines[2]!;
      const items = lines.slice(4).filter((_, i) => i % 2 === 1);
      for (let i = 0; i < items.length; i += 2) seen.add(items[i]!);
    } while (cursor !== '0');
    expect(seen.size).toBe(200);
  });
});
