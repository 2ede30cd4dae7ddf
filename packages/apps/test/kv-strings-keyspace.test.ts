/**
 * Strings, keyspace and expiry commands replying as Redis 7.0.15 does, byte
 * for byte (errors included), logging only real changes, with their
 * keyspace events; run on a detached context with a fake clock.
 */
import { describe, expect, it } from 'vitest';
import { type CommandContext, DEFAULT_KV_LIMITS, Keyspace, RespWriter } from '@dios/apps';
import { detachedContext, dispatch } from '@dios/apps/testing';
import { addLongDouble, formatLongDouble, parseLongDouble } from '../src/kv/core/long-double.js';

const NOW = 1_700_000_000_000;
const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const text = (b: Uint8Array) => String.fromCharCode(...b);

interface Harness {
  ctx: CommandContext;
  keys: Keyspace;
  logged: string[];
  events: string[];
  clock: { now: number };
  /** Runs one command; its reply as a latin1 string. */
  r(...args: (string | Uint8Array)[]): string;
}

function harness(): Harness {
  const keys = new Keyspace();
  const clock = { now: NOW };
  keys.now = () => clock.now;
  const logged: string[] = [];
  const events: string[] = [];
  const base = detachedContext(keys, new RespWriter(), DEFAULT_KV_LIMITS);
  const ctx: CommandContext = {
    ...base,
    log: (args) => logged.push(args.map((a) => (typeof a === 'string' ? a : text(a))).join(' ')),
    notify: (type, event, key) => events.push(`${type} ${event} ${key}`),
  };
  return {
    ctx,
    keys,
    logged,
    events,
    clock,
    r(...args) {
      ctx.out.reset();
      dispatch(
        args.map((a) => (typeof a === 'string' ? enc(a) : a)),
        ctx,
      );
      return text(ctx.out.bytes());
    },
  };
}

const OK = '+OK\r\n';
const NIL = '$-1\r\n';
const SYNTAX = '-ERR syntax error\r\n';
const NOT_INT = '-ERR value is not an integer or out of range\r\n';
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`;
const int = (n: number) => `:${n}\r\n`;

describe('SET and its options', () => {
  it('refuses conflicting or incomplete options with a syntax error, and changes nothing', () => {
    const h = harness();
    for (const opts of [['NX', 'XX'], ['EX', '1', 'PX', '1'], ['KEEPTTL', 'EX', '1'], ['EX'], ['PERSIST'], ['FOO']])
      expect(h.r('SET', 'k', 'v', ...opts)).toBe(SYNTAX);
    expect(h.keys.size).toBe(0);
    expect(h.logged).toEqual([]);
  });

  it('checks the expiry as Redis: integer, positive, no overflow once in ms', () => {
    const h = harness();
    expect(h.r('SET', 'k', 'v', 'EX', 'x')).toBe(NOT_INT);
    expect(h.r('SET', 'k', 'v', 'EX', '0')).toBe("-ERR invalid expire time in 'set' command\r\n");
    expect(h.r('SET', 'k', 'v', 'EX', '10000000000000000')).toBe("-ERR invalid expire time in 'set' command\r\n");
    expect(h.r('SET', 'k', 'v', 'PX', '-5')).toBe("-ERR invalid expire time in 'set' command\r\n");
    expect(h.r('GETEX', 'k', 'EX', '1')).toBe(NIL);
    expect(h.r('SET', 'k', 'v')).toBe(OK);
    expect(h.r('GETEX', 'k', 'EX', '-9999999999999999')).toBe("-ERR invalid expire time in 'getex' command\r\n");
    expect(h.r('SETEX', 'k', '0', 'v')).toBe("-ERR invalid expire time in 'setex' command\r\n");
  });

  it('NX, XX, GET and KEEPTTL, logging absolute expiry times', () => {
    const h = harness();
    expect(h.r('SET', 'k', 'a', 'NX', 'GET')).toBe(NIL);
    expect(h.r('SET', 'k', 'b', 'NX')).toBe(NIL);
    expect(h.r('SET', 'k', 'b', 'XX', 'GET', 'EX', '100')).toBe(bulk('a'));
    expect(h.r('PTTL', 'k')).toBe(int(100_000));
    expect(h.r('SET', 'k', 'c', 'KEEPTTL')).toBe(OK);
    expect(h.r('TTL', 'k')).toBe(int(100));
    expect(h.r('SET', 'k', 'd')).toBe(OK);
    expect(h.r('TTL', 'k')).toBe(int(-1));
    expect(h.logged).toEqual(['SET k a', `SET k b PXAT ${NOW + 100_000}`, `SET k c PXAT ${NOW + 100_000}`, 'SET k d']);
    expect(h.events).toContain('g expire k');
    h.r('LPUSH', 'l', 'x');
    expect(h.r('SET', 'l', 'v', 'GET')).toBe(WRONGTYPE);
  });

  it('SETNX, MSETNX (all or nothing), GETSET, GETDEL', () => {
    const h = harness();
    expect(h.r('SETNX', 'a', '1')).toBe(int(1));
    expect(h.r('SETNX', 'a', '2')).toBe(int(0));
    expect(h.r('MSETNX', 'b', '1', 'a', '1')).toBe(int(0));
    expect(h.r('EXISTS', 'b')).toBe(int(0));
    expect(h.r('MSETNX', 'b', '1', 'c', '2')).toBe(int(1));
    expect(h.r('MSETNX', 'b', '1', 'c')).toBe("-ERR wrong number of arguments for 'msetnx' command\r\n");
    expect(h.r('GETSET', 'a', 'z')).toBe(bulk('1'));
    expect(h.r('GETDEL', 'a')).toBe(bulk('z'));
    expect(h.r('GETDEL', 'a')).toBe(NIL);
    expect(h.logged.at(-1)).toBe('DEL a');
  });

  it('GETEX: PERSIST, and an EXAT in the past deletes after replying', () => {
    const h = harness();
    h.r('SET', 'k', 'v', 'EX', '50');
    expect(h.r('GETEX', 'k', 'PERSIST', 'EX', '1')).toBe(SYNTAX);
    expect(h.r('GETEX', 'k', 'PERSIST')).toBe(bulk('v'));
    expect(h.r('TTL', 'k')).toBe(int(-1));
    expect(h.r('GETEX', 'k', 'EXAT', String(NOW / 1000 - 1))).toBe(bulk('v'));
    expect(h.r('EXISTS', 'k')).toBe(int(0));
    expect(h.logged.slice(-2)).toEqual(['PERSIST k', 'DEL k']);
  });
});

describe('counters', () => {
  it('INCR family range checks', () => {
    const h = harness();
    h.r('SET', 'n', '9223372036854775806');
    expect(h.r('INCR', 'n')).toBe(':9223372036854775807\r\n');
    expect(h.r('INCR', 'n')).toBe('-ERR increment or decrement would overflow\r\n');
    expect(h.r('DECRBY', 'n', '-9223372036854775808')).toBe('-ERR decrement would overflow\r\n');
    h.r('SET', 's', ' 1');
    expect(h.r('INCR', 's')).toBe(NOT_INT);
    // Logged as given (as Redis propagates it), only when it changed something.
    expect(h.logged).toEqual(['SET n 9223372036854775806', 'INCR n', 'SET s  1']);
  });

  it("INCRBYFLOAT sums as Redis' long double and prints %.17Lf trimmed", () => {
    const h = harness();
    h.r('SET', 'f', '10.50');
    expect(h.r('INCRBYFLOAT', 'f', '0.1')).toBe(bulk('10.6'));
    h.r('SET', 'f', '5.0e3');
    expect(h.r('INCRBYFLOAT', 'f', '2.0e2')).toBe(bulk('5200'));
    expect(h.r('INCRBYFLOAT', 'g', String(1 / 41))).toBe(bulk('0.02439024390243902'));
    expect(h.r('INCRBYFLOAT', 'g', String(-1 / 41))).toBe(bulk('0'));
    expect(h.r('INCRBYFLOAT', 'g', '+inf')).toBe('-ERR increment would produce NaN or Infinity\r\n');
    expect(h.r('INCRBYFLOAT', 'g', 'nan')).toBe('-ERR value is not a valid float\r\n');
    h.r('SET', 'sp', '11 ');
    expect(h.r('INCRBYFLOAT', 'sp', '1')).toBe('-ERR value is not a valid float\r\n');
    expect(h.logged).toContain('SET f 5200 KEEPTTL');
  });

  it('long doubles: rounding to 64 mantissa bits and overflow', () => {
    const add = (a: string, b: string) => {
      const s = addLongDouble(parseLongDouble(a)!, parseLongDouble(b)!);
      return s === undefined || s.infinite ? 'inf' : formatLongDouble(s);
    };
    expect(add('1', '-1.1')).toBe('-0.1');
    expect(add('3.0e3', '1.1')).toBe('3001.10000000000000009');
    expect(add('17179869184', '1.5')).toBe('17179869185.5');
    expect(add('1e4932', '1e4932')).toBe('inf');
    expect(parseLongDouble('1e5000')).toBeUndefined();
    expect(parseLongDouble('1\x002')).toBeUndefined();
    expect(add('0', '0x1.8p1')).toBe('3');
    expect(parseLongDouble('0x')).toBeUndefined();
  });
});

describe('parts of strings', () => {
  it('GETRANGE, SETRANGE, APPEND, STRLEN', () => {
    const h = harness();
    expect(h.r('GETRANGE', 'k', '0', '-1')).toBe(bulk(''));
    h.r('SET', 'k', 'Hello World');
    expect(h.r('GETRANGE', 'k', '-5', '-1')).toBe(bulk('World'));
    expect(h.r('GETRANGE', 'k', '0', '4294967297')).toBe(bulk('Hello World'));
    expect(h.r('GETRANGE', 'k', '-1', '-5')).toBe(bulk(''));
    expect(h.r('SETRANGE', 'k', '-1', 'x')).toBe('-ERR offset is out of range\r\n');
    expect(h.r('SETRANGE', 'k', String(512 * 1024 * 1024 - 4), 'world')).toBe(
      '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n',
    );
    expect(h.r('SETRANGE', 'new', '3', 'ab')).toBe(int(5));
    expect(h.r('GET', 'new')).toBe(bulk('\0\0\0ab'));
    expect(h.r('SETRANGE', 'none', '3', '')).toBe(int(0));
    expect(h.r('EXISTS', 'none')).toBe(int(0));
    expect(h.r('APPEND', 'k', '!')).toBe(int(12));
    expect(h.r('STRLEN', 'k')).toBe(int(12));
    expect(h.r('OBJECT', 'ENCODING', 'k')).toBe(bulk('raw'));
  });

  it('SETBIT and GETBIT', () => {
    const h = harness();
    expect(h.r('SETBIT', 'b', '1', '1')).toBe(int(0));
    expect(h.r('GET', 'b')).toBe(bulk('@'));
    expect(h.r('SETBIT', 'b', '1', '0')).toBe(int(1));
    expect(h.r('SETBIT', 'b', '0', '2')).toBe('-ERR bit is not an integer or out of range\r\n');
    expect(h.r('SETBIT', 'b', String(4 * 1024 * 1024 * 1024), '1')).toBe(
      '-ERR bit offset is not an integer or out of range\r\n',
    );
    h.r('SET', 'c', '`');
    expect([1, 2, 3, 100].map((i) => h.r('GETBIT', 'c', String(i)))).toEqual([int(1), int(1), int(0), int(0)]);
  });

  it('LCS with LEN, IDX, WITHMATCHLEN and MINMATCHLEN', () => {
    const h = harness();
    h.r('MSET', 'a', 'ohmytext', 'b', 'mynewtext');
    expect(h.r('LCS', 'a', 'b')).toBe(bulk('mytext'));
    expect(h.r('LCS', 'a', 'b', 'LEN')).toBe(int(6));
    expect(h.r('LCS', 'a', 'b', 'LEN', 'IDX')).toBe(
      '-ERR If you want both the length and indexes, please just use IDX.\r\n',
    );
    expect(h.r('LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN')).toBe(
      '*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n',
    );
    h.r('LPUSH', 'l', 'x');
    expect(h.r('LCS', 'a', 'l')).toBe('-ERR The specified keys must contain string values\r\n');
  });
});

describe('expiry', () => {
  it('EXPIRE family: options, overflow errors, and logging as PEXPIREAT', () => {
    const h = harness();
    h.r('SET', 'k', 'v');
    expect(h.r('EXPIRE', 'k', '10', 'NX', 'XX')).toBe(
      '-ERR NX and XX, GT or LT options at the same time are not compatible\r\n',
    );
    expect(h.r('EXPIRE', 'k', '10', 'GT', 'LT')).toBe('-ERR GT and LT options at the same time are not compatible\r\n');
    expect(h.r('EXPIRE', 'k', '10', 'FOO')).toBe('-ERR Unsupported option FOO\r\n');
    expect(h.r('EXPIRE', 'k', '9223372036854776')).toBe("-ERR invalid expire time in 'expire' command\r\n");
    expect(h.r('EXPIRE', 'k', '-9223372036854776')).toBe("-ERR invalid expire time in 'expire' command\r\n");
    expect(h.r('PEXPIRE', 'k', '9223372036854770000')).toBe("-ERR invalid expire time in 'pexpire' command\r\n");
    expect(h.r('EXPIRE', 'k', '10', 'GT')).toBe(int(0));
    expect(h.r('EXPIRE', 'k', '10', 'LT')).toBe(int(1));
    expect(h.r('EXPIRE', 'k', '20', 'NX')).toBe(int(0));
    expect(h.r('EXPIRE', 'k', '20', 'GT')).toBe(int(1));
    expect(h.r('EXPIRETIME', 'k')).toBe(int(NOW / 1000 + 20));
    expect(h.r('PEXPIRETIME', 'k')).toBe(int(NOW + 20_000));
    expect(h.r('PERSIST', 'k')).toBe(int(1));
    expect(h.r('PERSIST', 'k')).toBe(int(0));
    expect(h.r('EXPIRE', 'k', '-1')).toBe(int(1));
    expect(h.r('TTL', 'k')).toBe(int(-2));
    expect(h.logged.slice(1)).toEqual([
      `PEXPIREAT k ${NOW + 10_000}`,
      `PEXPIREAT k ${NOW + 20_000}`,
      'PERSIST k',
      'DEL k',
    ]);
    expect(h.events.slice(1)).toEqual(['g expire k', 'g expire k', 'g persist k', 'g del k']);
  });

  it('expired keys go when touched, counted and reported to onExpired', () => {
    const h = harness();
    const gone: string[] = [];
    h.keys.onExpired = (k) => gone.push(k);
    h.r('SET', 'a', '1', 'PX', '10');
    h.r('SET', 'b', '1', 'PX', '10');
    h.r('SET', 'c', '1');
    h.clock.now += 10;
    expect(h.r('DBSIZE')).toBe(int(3));
    expect(h.r('GET', 'a')).toBe(NIL);
    expect(h.r('RANDOMKEY')).toBe(bulk('c'));
    // RANDOMKEY removes only the expired keys it happens to draw; TTL removes b for sure.
    expect(h.r('TTL', 'b')).toBe(int(-2));
    expect(h.keys.peek('b')).toBeUndefined();
    expect(gone.sort()).toEqual(['a', 'b']);
    expect(h.keys.expiredKeys).toBe(2);
    expect(h.r('FLUSHALL')).toBe(OK);
    expect(h.r('RANDOMKEY')).toBe(NIL);
  });
});

describe('keyspace', () => {
  it('RANDOMKEY draws every live key, uniformly enough, through deletes and re-adds', () => {
    const h = harness();
    for (let i = 0; i < 10; i++) h.r('SET', `k${i}`, 'v');
    h.r('RANDOMKEY');
    h.r('DEL', 'k0', 'k1');
    h.r('SET', 'k1', 'v');
    h.r('SET', 'k10', 'v');
    const seen = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const k = h.r('RANDOMKEY').split('\r\n')[1]!;
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual(['k1', 'k10', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9']);
    for (const n of seen.values()) expect(n).toBeGreaterThan(300);
  });

  it('EXISTS counts duplicates; DEL and TOUCH', () => {
    const h = harness();
    h.r('SET', 'a', '1');
    expect(h.r('EXISTS', 'a', 'a', 'b')).toBe(int(2));
    expect(h.r('TOUCH', 'a', 'b')).toBe(int(1));
    expect(h.r('DEL', 'a', 'a', 'b')).toBe(int(1));
    expect(h.logged.at(-1)).toBe('DEL a');
  });

  it('RENAME and RENAMENX keep the expiry; errors as Redis', () => {
    const h = harness();
    expect(h.r('RENAME', 'x', 'y')).toBe('-ERR no such key\r\n');
    h.r('SET', 'a', '1', 'EX', '100');
    h.r('SET', 'b', '2');
    expect(h.r('RENAMENX', 'a', 'b')).toBe(int(0));
    expect(h.r('RENAMENX', 'a', 'a')).toBe(int(0));
    expect(h.r('RENAME', 'a', 'a')).toBe(OK);
    expect(h.r('RENAME', 'a', 'b')).toBe(OK);
    expect(h.r('TTL', 'b')).toBe(int(100));
    expect(h.r('EXISTS', 'a')).toBe(int(0));
    expect(h.events.slice(-2)).toEqual(['g rename_from a', 'g rename_to b']);
  });

  it('COPY makes an independent copy; MOVE and SWAPDB know only db 0', () => {
    const h = harness();
    h.r('HSET', 'h', 'f', 'v');
    expect(h.r('COPY', 'h', 'h')).toBe('-ERR source and destination objects are the same\r\n');
    expect(h.r('COPY', 'h', 'h2', 'DB', '1')).toBe('-ERR DB index is out of range\r\n');
    expect(h.r('COPY', 'h', 'h2', 'FOO')).toBe(SYNTAX);
    expect(h.r('COPY', 'h', 'h2')).toBe(int(1));
    expect(h.r('COPY', 'h', 'h2')).toBe(int(0));
    h.r('HSET', 'h', 'f', 'w');
    expect(h.r('HGET', 'h2', 'f')).toBe(bulk('v'));
    expect(h.r('COPY', 'h', 'h2', 'REPLACE')).toBe(int(1));
    expect(h.r('HGET', 'h2', 'f')).toBe(bulk('w'));
    expect(h.r('MOVE', 'h', '0')).toBe('-ERR source and destination objects are the same\r\n');
    expect(h.r('MOVE', 'h', '1')).toBe('-ERR DB index is out of range\r\n');
    expect(h.r('MOVE', 'h', 'x')).toBe(NOT_INT);
    expect(h.r('SWAPDB', 'x', '0')).toBe('-ERR invalid first DB index\r\n');
    expect(h.r('SWAPDB', '1', 'x')).toBe('-ERR invalid second DB index\r\n');
    expect(h.r('SWAPDB', '0', '1')).toBe('-ERR DB index is out of range\r\n');
    expect(h.r('MOVE', 'h', '99999999999')).toBe(
      '-ERR value is out of range, value must between -2147483648 and 2147483647\r\n',
    );
    expect(h.r('SWAPDB', '0', '0')).toBe(OK);
  });

  it('SCAN: cursor and option errors, TYPE and MATCH filters', () => {
    const h = harness();
    expect(h.r('SCAN', 'x')).toBe('-ERR invalid cursor\r\n');
    expect(h.r('SCAN', ' 0')).toBe('-ERR invalid cursor\r\n');
    expect(h.r('SCAN', '0', 'COUNT', '0')).toBe(SYNTAX);
    expect(h.r('SCAN', '0', 'COUNT', 'x')).toBe(NOT_INT);
    expect(h.r('SCAN', '0', 'MATCH')).toBe(SYNTAX);
    h.r('SET', 's1', 'v');
    h.r('LPUSH', 'l1', 'v');
    expect(h.r('SCAN', '0', 'TYPE', 'LIST')).toBe('*2\r\n$1\r\n0\r\n*1\r\n$2\r\nl1\r\n');
    expect(h.r('SCAN', '0', 'MATCH', 's*')).toBe('*2\r\n$1\r\n0\r\n*1\r\n$2\r\ns1\r\n');
    // A cursor this keyspace never gave out (Redis takes any number) starts the scan over.
    expect(h.r('SCAN', '424242', 'MATCH', 's*')).toBe('*2\r\n$1\r\n0\r\n*1\r\n$2\r\ns1\r\n');
  });

  it('KEYS patterns: escapes and negated classes', () => {
    const h = harness();
    h.r('MSET', 'a*b', '1', 'axb', '1', 'ab', '1');
    expect(h.r('KEYS', 'a\\*b')).toBe('*1\r\n$3\r\na*b\r\n');
    expect(h.r('KEYS', 'a[^*]b')).toBe('*1\r\n$3\r\naxb\r\n');
    // As Redis reads it, [*-] is the range '*' to ']' (its ']' closes nothing): '-' and ']' are in it.
    h.r('MSET', 'a-', '1', 'a]', '1');
    expect(
      h
        .r('KEYS', 'a[*-]')
        .split('\r\n')
        .slice(1)
        .filter((l) => !l.startsWith('$'))
        .sort(),
    ).toEqual(['', 'a-', 'a]']);
  });

  it('DUMP and RESTORE round-trip any value; RESTORE errors and an absolute TTL logged', () => {
    const h = harness();
    h.r('ZADD', 'z', '1', 'a', '2', 'b');
    const payload = h.r('DUMP', 'z');
    const body = enc(payload.slice(payload.indexOf('\r\n') + 2, -2));
    expect(h.r('RESTORE', 'z', '0', body)).toBe('-BUSYKEY Target key name already exists.\r\n');
    expect(h.r('RESTORE', 'z2', '-1', body)).toBe('-ERR Invalid TTL value, must be >= 0\r\n');
    const bad = body.slice();
    bad[5] = bad[5]! ^ 1;
    expect(h.r('RESTORE', 'z2', '0', bad)).toBe('-ERR DUMP payload version or checksum are wrong\r\n');
    expect(h.r('RESTORE', 'z2', '5000', body)).toBe(OK);
    expect(h.r('ZRANGE', 'z2', '0', '-1', 'WITHSCORES')).toBe(h.r('ZRANGE', 'z', '0', '-1', 'WITHSCORES'));
    expect(h.r('PTTL', 'z2')).toBe(int(5000));
    expect(h.logged.at(-1)).toMatch(new RegExp(`^RESTORE z2 ${NOW + 5000} .* ABSTTL$`, 's'));
    expect(h.r('DUMP', 'nokey')).toBe(NIL);
  });
});
