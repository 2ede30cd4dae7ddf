/**
 * The KV store's list commands, run through the command table on a
 * detached context: Redis 7.0's replies byte for byte (errors, RESP3 null
 * shapes), the log (replayed into another keyspace it gives the same state),
 * keyspace events, the blocking commands' park/retry/timeout, and a
 * model-checked random mix of edits on the deque behind the list; and on a
 * real server, clients parked by blocking commands and woken by pushes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandContext, DEFAULT_KV_LIMITS, Keyspace, RespWriter } from '@dios/apps';
import { detachedContext, dispatch } from '@dios/apps/testing';
import { type KvFixture, rawClient, resp, startKv } from './kv-helpers.js';

type BlockRequest = Parameters<CommandContext['block']>[0];

const enc = (s: string) => new TextEncoder().encode(s);

/** A server stand-in: one keyspace, replies as text, what was logged, notified and parked. */
function harness() {
  const keys = new Keyspace();
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

/** An array of bulk strings as RESP2. */
function bulks(...items: string[]): string {
  return `*${items.length}\r\n` + items.map((s) => `$${s.length}\r\n${s}\r\n`).join('');
}

describe('list replies, byte for byte as Redis 7.0', () => {
  it('push, pop with and without a count, RESP2 and RESP3 nulls', () => {
    const { r, out } = harness();
    expect(r('RPUSH', 'l', 'a', 'b', 'c')).toBe(':3\r\n');
    expect(r('LPUSH', 'l', 'x', 'y')).toBe(':5\r\n');
    expect(r('LRANGE', 'l', '0', '-1')).toBe(bulks('y', 'x', 'a', 'b', 'c'));
    expect(r('LPUSHX', 'nope', 'a')).toBe(':0\r\n');
    expect(r('RPUSHX', 'l', 'd')).toBe(':6\r\n');
    expect(r('LPOP', 'l')).toBe('$1\r\ny\r\n');
    expect(r('RPOP', 'l', '2')).toBe(bulks('d', 'c'));
    expect(r('LPOP', 'l', '0')).toBe('*0\r\n');
    expect(r('LPOP', 'missing')).toBe('$-1\r\n');
    expect(r('LPOP', 'missing', '1')).toBe('*-1\r\n');
    expect(r('LPOP', 'l', '-1')).toBe('-ERR value is out of range, must be positive\r\n');
    expect(r('LPOP', 'l', 'x')).toBe('-ERR value is out of range, must be positive\r\n');
    expect(r('LPOP', 'l', '1', '1')).toBe("-ERR wrong number of arguments for 'lpop' command\r\n");
    out.protocol = 3;
    expect(r('LPOP', 'missing')).toBe('_\r\n');
    expect(r('RPOP', 'missing', '3')).toBe('_\r\n');
    expect(r('LMPOP', '1', 'missing', 'LEFT')).toBe('_\r\n');
  });

  it('LINDEX, LSET, LTRIM, LREM, LINSERT and their errors', () => {
    const { r } = harness();
    r('RPUSH', 'l', 'a', 'b', 'c', 'b', 'd');
    expect(r('LINDEX', 'l', '-1')).toBe('$1\r\nd\r\n');
    expect(r('LINDEX', 'l', '5')).toBe('$-1\r\n');
    expect(r('LINDEX', 'l', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(r('LINDEX', 'missing', 'x')).toBe('$-1\r\n');
    expect(r('LSET', 'l', '-2', 'B')).toBe('+OK\r\n');
    expect(r('LSET', 'l', '5', 'z')).toBe('-ERR index out of range\r\n');
    expect(r('LSET', 'missing', '0', 'z')).toBe('-ERR no such key\r\n');
    expect(r('LREM', 'l', '0', 'b')).toBe(':1\r\n');
    expect(r('LRANGE', 'l', '0', '-1')).toBe(bulks('a', 'c', 'B', 'd'));
    expect(r('LINSERT', 'l', 'before', 'c', 'bb')).toBe(':5\r\n');
    expect(r('LINSERT', 'l', 'AFTER', 'd', 'e')).toBe(':6\r\n');
    expect(r('LINSERT', 'l', 'after', 'zz', 'e')).toBe(':-1\r\n');
    expect(r('LINSERT', 'missing', 'after', 'zz', 'e')).toBe(':0\r\n');
    expect(r('LINSERT', 'l', 'aft3r', 'a', 'e')).toBe('-ERR syntax error\r\n');
    expect(r('LRANGE', 'l', '0', '-1')).toBe(bulks('a', 'bb', 'c', 'B', 'd', 'e'));
    expect(r('LTRIM', 'l', '1', '-2')).toBe('+OK\r\n');
    expect(r('LRANGE', 'l', '0', '-1')).toBe(bulks('bb', 'c', 'B', 'd'));
    expect(r('LRANGE', 'l', '3', '1')).toBe('*0\r\n');
    expect(r('LRANGE', 'l', '-100', '100')).toBe(bulks('bb', 'c', 'B', 'd'));
    expect(r('LTRIM', 'l', '5', '10')).toBe('+OK\r\n');
    expect(r('EXISTS', 'l')).toBe(':0\r\n');
    r('SET', 's', 'v');
    for (const cmd of [
      ['LPUSH', 's', 'a'],
      ['LLEN', 's'],
      ['LRANGE', 's', '0', '1'],
      ['LPOS', 's', 'a'],
      ['LMOVE', 's', 'd', 'LEFT', 'LEFT'],
    ])
      expect(r(...cmd)).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
    expect(r('GET', 's')).toBe('$1\r\nv\r\n');
  });

  it('LREM from the tail with a negative count', () => {
    const { r } = harness();
    r('RPUSH', 'l', 'x', 'f', 'b', 'f', 'z', 'f', 'f');
    expect(r('LREM', 'l', '-2', 'f')).toBe(':2\r\n');
    expect(r('LRANGE', 'l', '0', '-1')).toBe(bulks('x', 'f', 'b', 'f', 'z'));
    expect(r('LREM', 'l', '1', 'f')).toBe(':1\r\n');
    expect(r('LRANGE', 'l', '0', '-1')).toBe(bulks('x', 'b', 'f', 'z'));
  });

  it('LPOS with RANK, COUNT and MAXLEN', () => {
    const { r } = harness();
    r('RPUSH', 'l', 'a', 'b', 'c', '1', '2', '3', 'c', 'c');
    expect(r('LPOS', 'l', 'c')).toBe(':2\r\n');
    expect(r('LPOS', 'l', 'c', 'RANK', '-2')).toBe(':6\r\n');
    expect(r('LPOS', 'l', 'c', 'RANK', '4')).toBe('$-1\r\n');
    expect(r('LPOS', 'l', 'c', 'COUNT', '0')).toBe('*3\r\n:2\r\n:6\r\n:7\r\n');
    expect(r('LPOS', 'l', 'c', 'COUNT', '2', 'RANK', '-1')).toBe('*2\r\n:7\r\n:6\r\n');
    expect(r('LPOS', 'l', 'c', 'COUNT', '0', 'MAXLEN', '7', 'RANK', '2')).toBe('*1\r\n:6\r\n');
    expect(r('LPOS', 'missing', 'c', 'COUNT', '0')).toBe('*0\r\n');
    expect(r('LPOS', 'l', 'c', 'RANK', '0')).toBe(
      "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n",
    );
    expect(r('LPOS', 'l', 'c', 'COUNT', '-1')).toBe("-ERR COUNT can't be negative\r\n");
    expect(r('LPOS', 'l', 'c', 'MAXLEN', 'x')).toBe("-ERR MAXLEN can't be negative\r\n");
    expect(r('LPOS', 'l', 'c', 'COUNT')).toBe('-ERR syntax error\r\n');
    // RANK LONG_MIN: C's negation overflows, and Redis reports from the first match at the tail.
    expect(r('LPOS', 'l', 'c', 'RANK', '-9223372036854775808', 'COUNT', '0')).toBe('*3\r\n:7\r\n:6\r\n:2\r\n');
  });

  it('LMOVE, RPOPLPUSH (same list too) and LMPOP', () => {
    const { r } = harness();
    r('RPUSH', 'src', 'a', 'b', 'c');
    expect(r('LMOVE', 'src', 'dst', 'LEFT', 'RIGHT')).toBe('$1\r\na\r\n');
    expect(r('RPOPLPUSH', 'src', 'dst')).toBe('$1\r\nc\r\n');
    expect(r('LRANGE', 'dst', '0', '-1')).toBe(bulks('c', 'a'));
    expect(r('RPOPLPUSH', 'dst', 'dst')).toBe('$1\r\na\r\n');
    expect(r('LRANGE', 'dst', '0', '-1')).toBe(bulks('a', 'c'));
    expect(r('LMOVE', 'src', 'dst', 'up', 'LEFT')).toBe('-ERR syntax error\r\n');
    expect(r('LMOVE', 'none', 'dst', 'LEFT', 'LEFT')).toBe('$-1\r\n');
    r('SET', 'str', 'x');
    expect(r('RPOPLPUSH', 'src', 'str')).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
    expect(r('LRANGE', 'src', '0', '-1')).toBe(bulks('b'));
    expect(r('LMPOP', '2', 'none', 'dst', 'RIGHT', 'COUNT', '5')).toBe('*2\r\n$3\r\ndst\r\n' + bulks('c', 'a'));
    expect(r('LMPOP', '2', 'none', 'dst', 'RIGHT')).toBe('*-1\r\n');
    expect(r('LMPOP', '0', 'a', 'LEFT')).toBe('-ERR numkeys should be greater than 0\r\n');
    expect(r('LMPOP', '3', 'a', 'LEFT')).toBe('-ERR syntax error\r\n');
    expect(r('LMPOP', '1', 'a', 'LEFT', 'COUNT', '1', 'COUNT', '2')).toBe('-ERR syntax error\r\n');
    expect(r('LMPOP', '1', 'a', 'LEFT', 'COUNT', '0')).toBe('-ERR count should be greater than 0\r\n');
    expect(r('LMPOP', '2', 'str', 'src', 'LEFT')).toBe(
      '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n',
    );
  });
});

describe('SORT', () => {
  it('numbers, ALPHA, DESC, LIMIT, BY and GET patterns (strings and hash fields), errors', () => {
    const { r } = harness();
    r('RPUSH', 'l', '3', '1', '2', '10');
    expect(r('SORT', 'l')).toBe(bulks('1', '2', '3', '10'));
    expect(r('SORT', 'l', 'ALPHA')).toBe(bulks('1', '10', '2', '3'));
    expect(r('SORT', 'l', 'DESC', 'LIMIT', '1', '2')).toBe(bulks('3', '2'));
    expect(r('SORT', 'l', 'BY', 'nosort', 'DESC')).toBe(bulks('10', '2', '1', '3'));
    r('SET', 'w_1', '9');
    r('SET', 'w_2', '1');
    // Missing weights count as 0; ties go by the elements' bytes.
    expect(r('SORT', 'l', 'BY', 'w_*')).toBe(bulks('10', '3', '2', '1'));
    // One BY without '*' turns sorting off, even before a BY with one.
    expect(r('SORT', 'l', 'BY', 'nosort', 'BY', 'w_*')).toBe(bulks('3', '1', '2', '10'));
    r('ZADD', 'z', '1', 'b', '2', 'a');
    expect(r('OBJECT', 'ENCODING', 'z')).toBe('$8\r\nlistpack\r\n');
    expect(r('SORT', 'z', 'BY', 'nosort', 'DESC')).toBe(bulks('a', 'b'));
    expect(r('OBJECT', 'ENCODING', 'z')).toBe('$8\r\nskiplist\r\n');
    r('HSET', 'h_1', 'f', 'x');
    expect(r('SORT', 'l', 'LIMIT', '0', '2', 'GET', '#', 'GET', 'h_*->f')).toBe(
      '*4\r\n$1\r\n1\r\n$1\r\nx\r\n$1\r\n2\r\n$-1\r\n',
    );
    // Scores are read as C's strtod reads a C string: up to a NUL, hex too; underflow is an error.
    r('RPUSH', 'c', '2', '1\0zz', '', '0x.8');
    expect(r('SORT', 'c')).toBe(bulks('', '0x.8', '1\0zz', '2'));
    r('RPUSH', 'tiny', '1e-400');
    expect(r('SORT', 'tiny')).toBe("-ERR One or more scores can't be converted into double\r\n");
    r('RPUSH', 'bad', 'x');
    expect(r('SORT', 'bad')).toBe("-ERR One or more scores can't be converted into double\r\n");
    expect(r('SORT', 'l', 'LIMIT', '0', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(r('SORT_RO', 'l', 'STORE', 'x')).toBe('-ERR syntax error\r\n');
    expect(r('SORT', 'w_1')).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
  });

  it('STORE makes a list (a set sorted as bytes), logged as DEL + RPUSH; an empty result deletes', () => {
    const h = harness();
    h.r('SADD', 's', 'b', 'c', 'a');
    h.r('SET', 'dst', 'old');
    expect(h.r('SORT', 's', 'BY', 'nosort', 'STORE', 'dst')).toBe(':3\r\n');
    expect(h.r('LRANGE', 'dst', '0', '-1')).toBe(bulks('a', 'b', 'c'));
    expect(h.logged.slice(-2)).toEqual([
      ['DEL', 'dst'],
      ['RPUSH', 'dst', 'a', 'b', 'c'],
    ]);
    expect(h.r('SORT', 'missing', 'STORE', 'dst')).toBe(':0\r\n');
    expect(h.r('EXISTS', 'dst')).toBe(':0\r\n');
    expect(h.logged.at(-1)).toEqual(['DEL', 'dst']);
    expect(h.events.slice(-2)).toEqual(['l:sortstore:dst', 'g:del:dst']);
  });
});

describe('the log, events and blocking', () => {
  it('logs only real changes, and the log replayed gives the same lists', () => {
    const h = harness();
    const script = [
      ['RPUSH', 'l', 'a', 'b', 'c', 'b', 'd', 'e'],
      ['LINSERT', 'l', 'AFTER', 'c', 'x'],
      ['LINSERT', 'l', 'AFTER', 'nothing', 'x'],
      ['LREM', 'l', '-1', 'b'],
      ['LREM', 'l', '1', 'nothing'],
      ['LSET', 'l', '-1', 'E'],
      ['RPUSH', 'l', 'f', 'g'],
      ['LTRIM', 'l', '1', '-2'],
      ['LTRIM', 'l', '0', '-1'],
      ['LMOVE', 'l', 'm', 'RIGHT', 'LEFT'],
      ['LPOP', 'l', '2'],
      ['LPOP', 'none'],
      ['LMPOP', '2', 'none', 'l', 'RIGHT', 'COUNT', '1'],
      ['BLPOP', 'm', '0'],
    ];
    for (const cmd of script) h.r(...cmd);
    expect(h.logged.map((a) => a[0])).toEqual([
      'RPUSH',
      'LINSERT',
      'LREM',
      'LSET',
      'RPUSH',
      'LTRIM',
      'LMOVE',
      'LPOP',
      'RPOP',
      'LPOP',
    ]);
    const replay = harness();
    for (const cmd of h.logged) replay.r(...cmd);
    for (const key of ['l', 'm']) expect(replay.r('LRANGE', key, '0', '-1')).toBe(h.r('LRANGE', key, '0', '-1'));
    expect(h.r('LRANGE', 'l', '0', '-1')).toBe(bulks('x', 'd'));
  });

  it('notifies as Redis does, with del when a list empties', () => {
    const h = harness();
    h.r('RPUSH', 'l', 'a', 'b');
    h.r('LMOVE', 'l', 'm', 'LEFT', 'RIGHT');
    h.r('LTRIM', 'm', '1', '0');
    h.r('RPOP', 'l', '5');
    expect(h.events).toEqual(['l:rpush:l', 'l:rpush:m', 'l:lpop:l', 'l:ltrim:m', 'g:del:m', 'l:rpop:l', 'g:del:l']);
  });

  it('a blocking pop parks, is served on retry (passing over other types) and times out with a null array', () => {
    const h = harness();
    expect(h.r('BLPOP', 'a', 'b', '0')).toBe('');
    expect(h.parked).toHaveLength(1);
    const req = h.parked[0]!;
    expect(req.keys).toEqual(['a', 'b']);
    expect(req.deadline).toBe(0);
    h.r('SET', 'a', 'str');
    h.out.reset();
    expect(req.retry(h.ctx)).toBe(false);
    h.r('RPUSH', 'b', 'x', 'y');
    h.out.reset();
    h.logged.length = 0;
    expect(req.retry(h.ctx)).toBe(true);
    expect(String.fromCharCode(...h.out.bytes())).toBe(bulks('b', 'x'));
    expect(h.logged).toEqual([['LPOP', 'b']]);
    h.out.reset();
    req.timedOut(h.ctx);
    expect(String.fromCharCode(...h.out.bytes())).toBe('*-1\r\n');
    expect(h.r('BRPOP', 'a', '0')).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
    expect(h.r('BLPOP', 'b', '-1')).toBe('-ERR timeout is negative\r\n');
    expect(h.r('BLPOP', 'b', 'x')).toBe('-ERR timeout is not a float or out of range\r\n');
  });

  it('a retry told the key that woke it serves from that key, as Redis serves the ready key', () => {
    const h = harness();
    h.r('BLPOP', 'a', 'b', '0');
    h.r('RPUSH', 'a', '1');
    h.r('RPUSH', 'b', '2');
    // The server may name the written key (an argument beyond the interface's, ignored where not given).
    const req = h.parked[0] as unknown as { retry(c: CommandContext, ready?: string): boolean };
    h.out.reset();
    expect(req.retry(h.ctx, 'b')).toBe(true);
    expect(String.fromCharCode(...h.out.bytes())).toBe(bulks('b', '2'));
    expect(h.r('LLEN', 'a')).toBe(':1\r\n');
  });

  it('BLMPOP and BLMOVE retry; BLMOVE to a key of another type ends the wait with WRONGTYPE', () => {
    const h = harness();
    h.r('BLMPOP', '0', '1', 'q', 'RIGHT', 'COUNT', '2');
    h.r('BRPOPLPUSH', 'p', 'str', '0');
    h.r('BLMOVE', 'p', 'dst', 'LEFT', 'RIGHT', '0');
    const [mpop, toString, move] = h.parked;
    h.r('RPUSH', 'q', '1', '2', '3');
    h.out.reset();
    expect(mpop!.retry(h.ctx)).toBe(true);
    expect(String.fromCharCode(...h.out.bytes())).toBe('*2\r\n$1\r\nq\r\n' + bulks('3', '2'));
    h.r('SET', 'str', 'v');
    h.r('RPUSH', 'p', 'e1', 'e2');
    h.out.reset();
    expect(toString!.retry(h.ctx)).toBe(true);
    expect(String.fromCharCode(...h.out.bytes())).toBe(
      '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n',
    );
    h.out.reset();
    expect(move!.retry(h.ctx)).toBe(true);
    expect(String.fromCharCode(...h.out.bytes())).toBe('$2\r\ne1\r\n');
    expect(h.r('LRANGE', 'p', '0', '-1')).toBe(bulks('e2'));
    expect(h.r('LRANGE', 'dst', '0', '-1')).toBe(bulks('e1'));
  });
});

describe('the deque behind the list', () => {
  it('a random mix of pushes, pops, inserts, removals and sets matches an array model', () => {
    const h = harness();
    const model: string[] = [];
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let step = 0; step < 4000; step++) {
      const v = String(rand(50));
      switch (rand(7)) {
        case 0:
          h.r('LPUSH', 'l', v);
          model.unshift(v);
          break;
        case 1:
          h.r('RPUSH', 'l', v);
          model.push(v);
          break;
        case 2:
          h.r('LPOP', 'l');
          model.shift();
          break;
        case 3:
          h.r('RPOP', 'l');
          model.pop();
          break;
        case 4: {
          const at = model.indexOf(v);
          h.r('LINSERT', 'l', 'BEFORE', v, 'ins');
          if (at >= 0) model.splice(at, 0, 'ins');
          break;
        }
        case 5: {
          h.r('LREM', 'l', '1', v);
          const at = model.indexOf(v);
          if (at >= 0) model.splice(at, 1);
          break;
        }
        default:
          if (model.length > 0) {
            const i = rand(model.length);
            h.r('LSET', 'l', String(i), v);
            model[i] = v;
          }
      }
      if (step % 97 === 0) expect(h.r('LRANGE', 'l', '0', '-1')).toBe(bulks(...model));
    }
    expect(h.r('LRANGE', 'l', '0', '-1')).toBe(bulks(...model));
  });

  it('the log of a random mix of every list write replays to the same lists', () => {
    const h = harness();
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return (seed >>> 8) % n;
    };
    const keys = ['a', 'b', 'c'];
    const key = () => keys[rand(3)]!;
    const int = () => String(rand(9) - 4);
    const end = () => (rand(2) === 0 ? 'LEFT' : 'RIGHT');
    const makers: (() => string[])[] = [
      () => ['RPUSH', key(), int(), int()],
      () => ['LPUSH', key(), int()],
      () => ['LPUSHX', key(), int()],
      () => ['LPOP', key(), ...(rand(2) === 0 ? [] : [String(rand(3))])],
      () => ['RPOP', key(), ...(rand(2) === 0 ? [] : [String(rand(3))])],
      () => ['LSET', key(), int(), int()],
      () => ['LTRIM', key(), int(), int()],
      () => ['LREM', key(), int(), int()],
      () => ['LINSERT', key(), rand(2) === 0 ? 'BEFORE' : 'AFTER', int(), int()],
      () => ['LMOVE', key(), key(), end(), end()],
      () => ['RPOPLPUSH', key(), key()],
      () => ['LMPOP', '2', key(), key(), end(), 'COUNT', String(1 + rand(3))],
      () => ['BLMOVE', key(), key(), end(), end(), '0'],
      () => ['BLMPOP', '0', '1', key(), end()],
      () => ['SORT', key(), 'DESC', 'STORE', key()],
    ];
    for (let i = 0; i < 3000; i++) h.r(...makers[rand(makers.length)]!());
    const replay = harness();
    for (const cmd of h.logged) replay.r(...cmd);
    for (const k of keys) expect(replay.r('LRANGE', k, '0', '-1')).toBe(h.r('LRANGE', k, '0', '-1'));
    expect(h.logged.length).toBeGreaterThan(1000);
  });

  it('pushes and pops at the head stay cheap on a long list', () => {
    const h = harness();
    const started = Date.now();
    for (let i = 0; i < 100_000; i++) h.r('LPUSH', 'big', 'x');
    for (let i = 0; i < 100_000; i++) h.r('LPOP', 'big');
    expect(h.r('EXISTS', 'big')).toBe(':0\r\n');
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe('blocking commands on a server', () => {
  let kv: KvFixture;
  beforeAll(async () => {
    kv = await startKv();
  });
  afterAll(async () => {
    await kv.close();
  });

  it('BLPOP waits for a push from another client; BRPOPLPUSH is woken and moves', async () => {
    const waiter = await rawClient(kv.port);
    const pusher = await rawClient(kv.port);
    waiter.socket.write(resp('BLPOP', 'bq1', 'bq2', '0'));
    waiter.socket.write(resp('BRPOPLPUSH', 'src', 'dst', '0'));
    await new Promise((r) => setTimeout(r, 100));
    expect(waiter.text()).toBe('');
    pusher.socket.write(resp('RPUSH', 'bq2', 'x', 'y'));
    await waiter.until((t) => t === bulks('bq2', 'x'));
    pusher.socket.write(resp('LPUSH', 'src', 'e'));
    pusher.socket.write(resp('LRANGE', 'dst', '0', '-1'));
    await waiter.until((t) => t === bulks('bq2', 'x') + '$1\r\ne\r\n');
    await pusher.until((t) => t === ':2\r\n:1\r\n' + bulks('e'));
    waiter.socket.end();
    pusher.socket.end();
  });

  it('times out with a null array; inside MULTI answers at once (BLMOVE: a null bulk, as Redis)', async () => {
    const c = await rawClient(kv.port);
    c.socket.write(resp('BLPOP', 'none', '0.05'));
    await c.until((t) => t === '*-1\r\n');
    c.socket.write(resp('MULTI'));
    c.socket.write(resp('BLPOP', 'none', '0'));
    c.socket.write(resp('BLMOVE', 'none', 'dst2', 'LEFT', 'RIGHT', '0'));
    c.socket.write(resp('EXEC'));
    await c.until((t) => t.endsWith('*2\r\n*-1\r\n$-1\r\n'));
    c.socket.end();
  });
});
