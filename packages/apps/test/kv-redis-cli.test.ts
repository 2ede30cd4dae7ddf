/**
 * The KV store driven by the real Redis tools: redis-cli running each
 * command with Redis' exact output, a pipelined batch (--pipe),
 * inline commands, and a short redis-benchmark run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, missing, rawClient, run, startKv, type KvFixture } from './kv-helpers.js';

const skip = missing('/usr/bin/redis-cli');
let kv: KvFixture;

describe.skipIf(skip !== undefined)('redis-cli against the DIOS KV store', () => {
  beforeAll(async () => {
    kv = await startKv();
  });
  afterAll(async () => {
    await kv.close();
    expect(kv.failures).toEqual([]);
  });

  // [arguments, exact stdout] in order: each step sees the state the earlier ones left. redis-cli prints an
  // error reply followed by an empty line, as it does for Redis.
  const SCRIPT: [string[], string][] = [
    [['PING'], 'PONG\n'],
    [['PING', 'hi there'], 'hi there\n'],
    [['ECHO', 'hello'], 'hello\n'],
    [['SET', 'a', '1'], 'OK\n'],
    [['GET', 'a'], '1\n'],
    [['GET', 'missing'], '\n'],
    [['SET', 'a', '2', 'NX'], '\n'],
    [['SET', 'a', '3', 'XX'], 'OK\n'],
    [['SET', 'fresh', 'x', 'XX'], '\n'],
    [['INCR', 'a'], '4\n'],
    [['INCRBY', 'a', '10'], '14\n'],
    [['DECR', 'a'], '13\n'],
    [['INCRBY', 'a', 'ten'], 'ERR value is not an integer or out of range\n\n'],
    [['SET', 'word', 'abc'], 'OK\n'],
    [['INCR', 'word'], 'ERR value is not an integer or out of range\n\n'],
    [['SET', 'max', '9223372036854775807'], 'OK\n'],
    [['INCR', 'max'], 'ERR increment or decrement would overflow\n\n'],
    [['SET', 'b', 'x', 'NX', 'XX'], 'ERR syntax error\n\n'],
    [['SET', 'b', 'x', 'EX', '0'], "ERR invalid expire time in 'set' command\n\n"],
    [['SET', 'b', 'x', 'EX', 'soon'], 'ERR value is not an integer or out of range\n\n'],
    [['SET', 'b', 'x', 'EX', '100'], 'OK\n'],
    [['TTL', 'b'], '100\n'],
    [['TTL', 'a'], '-1\n'],
    [['TTL', 'missing'], '-2\n'],
    [['EXPIRE', 'a', '50'], '1\n'],
    [['TTL', 'a'], '50\n'],
    [['EXPIRE', 'missing', '50'], '0\n'],
    [['EXPIRE', 'a', 'x'], 'ERR value is not an integer or out of range\n\n'],
    [['MSET', 'k1', 'v1', 'k2', 'v2'], 'OK\n'],
    [['MSET', 'k1'], "ERR wrong number of arguments for 'mset' command\n\n"],
    [['MGET', 'k1', 'missing', 'k2'], 'v1\n\nv2\n'],
    [['EXISTS', 'k1', 'k2', 'missing', 'k1'], '3\n'],
    [['DEL', 'k1', 'missing'], '1\n'],
    [['EXISTS', 'k1'], '0\n'],
    [['GET'], "ERR wrong number of arguments for 'get' command\n\n"],
    [['NOSUCH', 'x', 'y'], "ERR unknown command 'NOSUCH', with args beginning with: 'x' 'y' \n\n"],
    [['KEYS', 'k*'], 'k2\n'],
    [['KEYS', '[ab]'], 'a\nb\n'],
    [['DBSIZE'], '5\n'],
    [['SCAN', 'zero'], 'ERR invalid cursor\n\n'],
    [['CLIENT', 'SETNAME', 'tester'], 'OK\n'],
    [['CLIENT', 'SETNAME', 'two words'], 'ERR Client names cannot contain spaces, newlines or special characters.\n\n'],
    // An empty array: what redis-cli prints for one.
    [['COMMAND', 'DOCS'], '\n'],
    [['RPUSH', 'list', 'a', 'b', 'c'], '3\n'],
    [['LPUSH', 'list', 'z'], '4\n'],
    [['LRANGE', 'list', '0', '-1'], 'z\na\nb\nc\n'],
    [['GET', 'list'], 'WRONGTYPE Operation against a key holding the wrong kind of value\n\n'],
    [['INCR', 'list'], 'WRONGTYPE Operation against a key holding the wrong kind of value\n\n'],
    [['LPUSH', 'word', 'x'], 'WRONGTYPE Operation against a key holding the wrong kind of value\n\n'],
    [['TYPE', 'list'], 'list\n'],
    [['LPOP', 'list', '2'], 'z\na\n'],
    [['RPOP', 'list'], 'c\n'],
    [['LLEN', 'list'], '1\n'],
    [['FLUSHDB'], 'OK\n'],
    [['DBSIZE'], '0\n'],
  ];

  it('runs each command with the exact output redis-cli prints for Redis', async () => {
    const got: string[] = [];
    for (const [args] of SCRIPT) got.push(await cli(kv.port, ...args));
    expect(got.map((out, i) => [SCRIPT[i]![0].join(' '), out])).toEqual(
      SCRIPT.map(([args, out]) => [args.join(' '), out]),
    );
  });

  it('KEYS sorts nothing but finds every match; SCAN with MATCH and COUNT walks all keys exactly once', async () => {
    const pairs = Array.from({ length: 250 }, (_, i) => [`user:${i}`, String(i)]).flat();
    expect(await cli(kv.port, 'MSET', ...pairs, 'other', 'x')).toBe('OK\n');
    const keys = (await cli(kv.port, 'KEYS', 'user:*')).trim().split('\n').sort();
    expect(keys).toEqual(Array.from({ length: 250 }, (_, i) => `user:${i}`).sort());
    const seen: string[] = [];
    let cursor = '0';
    let rounds = 0;
    do {
      const out = (await cli(kv.port, 'SCAN', cursor, 'MATCH', 'user:1*', 'COUNT', '40')).split('\n');
      cursor = out[0]!;
      seen.push(...out.slice(1).filter(Boolean));
      rounds++;
    } while (cursor !== '0');
    expect(rounds).toBeGreaterThan(1);
    expect(seen.sort()).toEqual(
      Array.from({ length: 250 }, (_, i) => `user:${i}`)
        .filter((k) => k.startsWith('user:1'))
        .sort(),
    );
    expect(await cli(kv.port, 'FLUSHDB')).toBe('OK\n');
  });

  it('INFO has a short server, clients, persistence and keyspace section', async () => {
    await cli(kv.port, 'SET', 'x', '1');
    const info = await cli(kv.port, 'INFO');
    expect(info).toMatch(/# Server\r?\nredis_version:7\.0\.0/);
    expect(info).toMatch(/connected_clients:1/);
    expect(info).toMatch(/aof_enabled:1/);
    expect(info).toMatch(/db0:keys=1,expires=0/);
  });

  it('--pipe: a pipelined batch of 10,000 commands, every reply counted', async () => {
    let input = '';
    for (let i = 0; i < 10_000; i++)
      input += `*3\r\n$3\r\nSET\r\n$${`p${i}`.length}\r\np${i}\r\n$${String(i).length}\r\n${i}\r\n`;
    const r = await run('/usr/bin/redis-cli', ['-p', String(kv.port), '--pipe'], input);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/errors: 0, replies: 10000/);
    expect(await cli(kv.port, 'GET', 'p9999')).toBe('9999\n');
    expect(await cli(kv.port, 'MGET', 'p0', 'p5000')).toBe('0\n5000\n');
  });

  it('answers pipelined and inline requests in order, in one go', async () => {
    const c = await rawClient(kv.port);
    c.socket.write(
      "*3\r\n$3\r\nSET\r\n$2\r\nin\r\n$5\r\nvalue\r\n*2\r\n$3\r\nGET\r\n$2\r\nin\r\nPING\r\nECHO \"two words\" 'and\\'quote'\r\nGET nothing\n",
    );
    const text = await c.until((t) => t.split('\r\n').length >= 6);
    expect(text).toBe("+OK\r\n$5\r\nvalue\r\n+PONG\r\n-ERR wrong number of arguments for 'echo' command\r\n$-1\r\n");
    c.socket.write('QUIT\r\n');
    await c.closed;
    expect(c.text().endsWith('+OK\r\n')).toBe(true);
  });

  it('redis-benchmark (-n 2000 -q -t set,get) completes against it', async () => {
    if (missing('/usr/bin/redis-benchmark') !== undefined) return;
    const r = await run('/usr/bin/redis-benchmark', ['-p', String(kv.port), '-n', '2000', '-q', '-t', 'set,get']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/SET: [\d.]+ requests per second/);
    expect(r.stdout).toMatch(/GET: [\d.]+ requests per second/);
  });
});
