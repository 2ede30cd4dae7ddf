/**
 * Units of the KV store: the incremental RESP parser (split anywhere, its
 * limits), glob patterns, the keyspace's expiry with a fake clock, SCAN
 * cursors, integers as Redis reads them.
 */
import { describe, expect, it } from 'vitest';
import { constants } from 'node:buffer';
import { type CommandContext, DEFAULT_KV_LIMITS, Keyspace, RespWriter } from '@dios/apps';
import {
  dispatch,
  detachedContext,
  formatOutputBufferLimit,
  globMatch,
  MAX_BUFFER_BYTES,
  MAX_KEY_BYTES,
  parseBytes,
  parseOutputBufferLimit,
  RespParser,
  RespProtocolError,
  RespQueryLimitError,
} from '@dios/apps/testing';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function parseAll(chunks: Uint8Array[]): string[][] {
  const p = new RespParser();
  const out: string[][] = [];
  for (const chunk of chunks) {
    // Fed a copy that is then wiped, as a lent read buffer may be reused.
    const lent = chunk.slice();
    p.feed(lent);
    for (let a = p.next(); a !== undefined; a = p.next()) out.push(a.map(dec));
    p.retain();
    lent.fill(0x21);
  }
  return out;
}

describe('RespParser', () => {
  const wire =
    '*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$12\r\nhello\r\nworld\r\nPING\r\n*0\r\n\r\n*1\r\n$4\r\nPING\r\nECHO "a\\x41\\n" \'b c\'\r\n';
  const expected = [['SET', 'key', 'hello\r\nworld'], ['PING'], ['PING'], ['ECHO', 'aA\n', 'b c']];

  it('parses multibulk and inline requests from one chunk', () => {
    expect(parseAll([enc(wire)])).toEqual(expected);
  });

  it('gives the same requests whichever way the bytes are split', () => {
    const bytes = enc(wire);
    for (let cut = 1; cut < bytes.length; cut++)
      expect(parseAll([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(expected);
    expect(parseAll([...bytes].map((b) => Uint8Array.of(b)))).toEqual(expected);
  });

  it('a large bulk string arriving in small pieces', () => {
    const value = 'x'.repeat(200_000);
    const bytes = enc(`*2\r\n$4\r\nECHO\r\n$${value.length}\r\n${value}\r\n`);
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 1000) pieces.push(bytes.subarray(i, i + 1000));
    expect(parseAll(pieces)).toEqual([['ECHO', value]]);
  });

  it.each([
    ['*1\r\n$536870913\r\n', 'Protocol error: invalid bulk length'],
    ['*1048577\r\n', 'Protocol error: invalid multibulk length'],
    ['*x\r\n', 'Protocol error: invalid multibulk length'],
    ['*1\r\n$-1\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n+PING\r\n', "Protocol error: expected '$', got '+'"],
    ['a'.repeat(64 * 1024 + 1), 'Protocol error: too big inline request'],
    [`*${'1'.repeat(64 * 1024 + 1)}`, 'Protocol error: too big mbulk count string'],
    ['SET "a\r\n', 'Protocol error: unbalanced quotes in request'],
  ])('%j is a protocol error: %s', (input, message) => {
    const p = new RespParser();
    p.feed(enc(input));
    expect(() => p.next()).toThrow(new RespProtocolError(message));
  });

  it('a request awaiting bytes is not an error', () => {
    const p = new RespParser();
    p.feed(enc('*2\r\n$3\r\nGET\r\n$5\r\nab'));
    expect(p.next()).toBeUndefined();
    expect(p.buffered).toBeGreaterThan(0);
  });
});

describe('RespWriter', () => {
  it('writes each reply type', () => {
    const w = new RespWriter();
    w.simple('OK');
    w.error('ERR bad\nthing');
    w.integer(-3);
    w.bulk(enc('hi'));
    w.bulk(null);
    w.arrayHeader(1);
    w.bulkText('x');
    expect(dec(w.bytes())).toBe('+OK\r\n-ERR bad thing\r\n:-3\r\n$2\r\nhi\r\n$-1\r\n*1\r\n$1\r\nx\r\n');
  });
});

describe('globMatch', () => {
  it.each([
    ['*', '', true],
    ['h?llo', 'hello', true],
    ['h*llo', 'heeeello', true],
    ['h[ae]llo', 'hallo', true],
    ['h[ae]llo', 'hillo', false],
    ['h[^e]llo', 'hallo', true],
    ['h[^e]llo', 'hello', false],
    ['h[a-b]llo', 'hbllo', true],
    ['h\\*llo', 'h*llo', true],
    ['h\\*llo', 'hello', false],
    ['*a*b', 'xaxxb', true],
    ['*a*b', 'xaxxbc', false],
    ['user:*', 'user:1', true],
    ['a*a*a*a*a*a*a*a*b', 'a'.repeat(5000), false],
  ])('%j against %j: %s', (pattern, text, expected) => {
    expect(globMatch(pattern, text)).toBe(expected);
  });
});

describe('Keyspace', () => {
  function clocked() {
    const keys = new Keyspace();
    let now = 1_000_000;
    keys.now = () => now;
    return { keys, advance: (ms: number) => (now += ms) };
  }

  it('a key goes at its expiry time, lazily on access', () => {
    const { keys, advance } = clocked();
    keys.set('k', enc('v'), 1_000_100);
    advance(99);
    expect(keys.get('k')).toBeDefined();
    advance(1);
    expect(keys.size).toBe(1);
    expect(keys.get('k')).toBeUndefined();
    expect(keys.size).toBe(0);
  });

  it('the sweep removes expired keys in bounded steps, and leaves the others', () => {
    const { keys, advance } = clocked();
    for (let i = 0; i < 1000; i++) keys.set(`e${i}`, enc('v'), 1_000_010);
    for (let i = 0; i < 10; i++) keys.set(`p${i}`, enc('v'));
    keys.set('later', enc('v'), 2_000_000);
    advance(10);
    expect(keys.sweep(200)).toBeLessThanOrEqual(200);
    let rounds = 1;
    while (keys.size > 11) {
      keys.sweep(200);
      rounds++;
    }
    expect(rounds).toBeGreaterThanOrEqual(5);
    expect(keys.keys().sort()).toEqual(['later', ...Array.from({ length: 10 }, (_, i) => `p${i}`)].sort());
  });

  it('SCAN visits every key present throughout exactly once, despite changes in between', () => {
    const keys = new Keyspace();
    for (let i = 0; i < 100; i++) keys.set(`k${i}`, enc('v'));
    const seen: string[] = [];
    let cursor = 0;
    let step = 0;
    do {
      const r = keys.scan(cursor, 7)!;
      seen.push(...r.keys);
      cursor = r.cursor;
      // Changes while scanning: new keys, and some removed that were not yet seen.
      keys.set(`new${step}`, enc('v'));
      if (step === 3) keys.delete('k99');
      step++;
    } while (cursor !== 0);
    const stable = Array.from({ length: 99 }, (_, i) => `k${i}`);
    for (const k of stable) expect(seen.filter((s) => s === k)).toHaveLength(1);
    expect(keys.scan(123456, 10)).toBeUndefined();
  });
});

describe('limits', () => {
  it("the longest key is V8's longest string", () => {
    expect(MAX_KEY_BYTES).toBe(constants.MAX_STRING_LENGTH);
    expect(DEFAULT_KV_LIMITS.maxKeyBytes).toBe(MAX_KEY_BYTES);
  });

  it('sizes are read as Redis reads them', () => {
    expect([
      parseBytes('512'),
      parseBytes('1k'),
      parseBytes('1kb'),
      parseBytes('64mb'),
      parseBytes('1GB'),
      parseBytes('2m'),
    ]).toEqual([512, 1000, 1024, 64 << 20, 1 << 30, 2_000_000]);
    for (const bad of ['', 'mb', '-1', '1.5mb', '1tb', '1 mb']) expect(parseBytes(bad)).toBeUndefined();
    expect(parseOutputBufferLimit('256mb 64mb 60')).toEqual(DEFAULT_KV_LIMITS.output);
    expect(parseOutputBufferLimit('0 0 0')).toEqual({ hard: 0, soft: 0, softSeconds: 0 });
    for (const bad of ['256mb 64mb', '1 2 3 4', 'a b c', '1 2 1.5'])
      expect(parseOutputBufferLimit(bad)).toBeUndefined();
    expect(formatOutputBufferLimit(DEFAULT_KV_LIMITS.output)).toBe('normal 268435456 67108864 60');
  });
});

describe('RespWriter limits', () => {
  it('drops what would pass its limit, says so, and recovers on truncate', () => {
    const w = new RespWriter();
    w.limit = 20;
    w.simple('OK');
    w.bulk(new Uint8Array(30));
    w.simple('OK');
    expect(w.overflowed).toBe(true);
    // Nothing after the overflow was written, not even what would have fitted.
    expect(dec(w.bytes())).toBe('+OK\r\n$30\r\n');
    w.truncate(5);
    expect(w.overflowed).toBe(false);
    w.integer(7);
    expect(dec(w.bytes())).toBe('+OK\r\n:7\r\n');
  });

  it('never grows past the largest buffer, whatever limit it is given', () => {
    const w = new RespWriter();
    w.limit = Number.MAX_SAFE_INTEGER;
    expect(w.limit).toBe(MAX_BUFFER_BYTES);
    expect(MAX_BUFFER_BYTES).toBeLessThan(constants.MAX_LENGTH);
  });
});

describe('RespParser limits', () => {
  it('an incomplete request past the query buffer limit is a RespQueryLimitError (a protocol error)', () => {
    const p = new RespParser({ queryBufferBytes: 100 });
    p.feed(enc(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$200\r\n${'v'.repeat(99)}`));
    expect(() => p.next()).toThrow(RespQueryLimitError);
    const q = new RespParser({ queryBufferBytes: 100 });
    q.feed(enc(`*2\r\n$4\r\nECHO\r\n$90\r\n${'v'.repeat(90)}\r\n`));
    expect(q.next()?.[1]?.length).toBe(90);
    expect(new RespQueryLimitError(1, 2)).toBeInstanceOf(RespProtocolError);
  });

  it('a lowered bulk limit: a bulk of the limit is read, one byte more is refused', () => {
    const p = new RespParser({ maxBulkBytes: 10 });
    p.feed(enc('*1\r\n$10\r\n0123456789\r\n*1\r\n$11\r\n'));
    expect(p.next()?.map(dec)).toEqual(['0123456789']);
    expect(() => p.next()).toThrow(new RespProtocolError('Protocol error: invalid bulk length'));
  });

  it('gives back the buffer of a big request once it is done', () => {
    const p = new RespParser();
    const value = 'x'.repeat(300_000);
    const bytes = enc(`*2\r\n$4\r\nECHO\r\n$${value.length}\r\n${value}\r\n`);
    for (let i = 0; i < bytes.length; i += 65536) {
      p.feed(bytes.slice(i, i + 65536));
      p.next();
      p.retain();
    }
    expect(p.memory).toBe(0);
  });
});

describe('arguments as long as a string can be', () => {
  // A context as the AOF replay makes one: replies to `out`, nothing logged.
  function context(): CommandContext {
    return detachedContext(new Keyspace(), new RespWriter(), DEFAULT_KV_LIMITS);
  }
  // Zeroed memory is mapped lazily: these cost little until read, and the replies read 128 bytes of them at most.
  const longest = new Uint8Array(MAX_KEY_BYTES);
  const over = new Uint8Array(MAX_KEY_BYTES + 1);

  it.each([
    [['EXPIRE', 'k', '10', longest], /^-ERR Unsupported option \0{128}\r\n$/],
    [
      ['CLIENT', longest],
      /^-ERR unknown subcommand or wrong number of arguments for '\0{128}'\. Try CLIENT HELP\.\r\n$/,
    ],
    [[longest], /^-ERR unknown command '\0{128}', with args beginning with: \r\n$/],
    [['GET', over], /^-ERR key or argument too long: 536870889 bytes \(at most 536870888; values may be longer\)\r\n$/],
    [[over], /^-ERR key or argument too long: 536870889 bytes/],
  ])('%#: an error reply quoting at most 128 bytes, never a string past the longest', (args, reply) => {
    const ctx = context();
    dispatch(
      args.map((a) => (typeof a === 'string' ? enc(a) : a)),
      ctx,
    );
    expect(String.fromCharCode(...ctx.out.bytes())).toMatch(reply);
  });
});
