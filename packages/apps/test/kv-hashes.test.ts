/**
 * Hash commands run through dispatch on a detached context: replies byte
 * for byte as Redis 7.0's, the listpack -> hashtable encoding switch, the
 * long double arithmetic of HINCRBYFLOAT, HRANDFIELD's shapes, HSCAN; then
 * hashes and sets through ioredis on a server in this process, and restarted.
 */
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { type CommandContext, DEFAULT_KV_LIMITS, Keyspace, RespWriter } from '@dios/apps';
import { detachedContext, dispatch } from '@dios/apps/testing';
import { startKv } from './kv-helpers.js';

const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const dec = (b: Uint8Array) => String.fromCharCode(...b);

function context(): CommandContext {
  return detachedContext(new Keyspace(), new RespWriter(), DEFAULT_KV_LIMITS);
}

// Runs one command and returns its raw reply.
function run(ctx: CommandContext, ...args: string[]): string {
  ctx.out.reset();
  dispatch(args.map(enc), ctx);
  return dec(ctx.out.bytes());
}

// The encoding OBJECT ENCODING reports for `key`.
function encoding(ctx: CommandContext, key: string): string {
  return (ctx.keys.get(key)!.value as { encoding: string }).encoding;
}

// Runs one command and returns the bulk strings of a flat array reply.
function items(ctx: CommandContext, ...args: string[]): string[] {
  const raw = run(ctx, ...args);
  const out: string[] = [];
  for (const m of raw.matchAll(/\$(\d+)\r\n/g)) out.push(raw.substr(m.index + m[0].length, Number(m[1])));
  return out;
}

describe('hash commands', () => {
  it('HSET, HGET, HMGET, HLEN, HEXISTS, HSTRLEN, HDEL and the key going when emptied', () => {
    const c = context();
    expect(run(c, 'HSET', 'h', 'a', '1', 'b', '22')).toBe(':2\r\n');
    expect(run(c, 'HSET', 'h', 'a', '3', 'c', '4')).toBe(':1\r\n');
    expect(run(c, 'HMSET', 'h', 'd', '5')).toBe('+OK\r\n');
    expect(run(c, 'HSET', 'h', 'a', '1', 'b')).toBe("-ERR wrong number of arguments for 'hset' command\r\n");
    expect(run(c, 'HMSET', 'h', 'a')).toBe("-ERR wrong number of arguments for 'hmset' command\r\n");
    expect(run(c, 'HGET', 'h', 'a')).toBe('$1\r\n3\r\n');
    expect(run(c, 'HGET', 'h', 'zz')).toBe('$-1\r\n');
    expect(run(c, 'HMGET', 'h', 'b', 'zz')).toBe('*2\r\n$2\r\n22\r\n$-1\r\n');
    expect(run(c, 'HMGET', 'nokey', 'x')).toBe('*1\r\n$-1\r\n');
    expect(run(c, 'HLEN', 'h')).toBe(':4\r\n');
    expect(run(c, 'HEXISTS', 'h', 'c')).toBe(':1\r\n');
    expect(run(c, 'HSTRLEN', 'h', 'b')).toBe(':2\r\n');
    expect(run(c, 'HSTRLEN', 'h', 'zz')).toBe(':0\r\n');
    expect(run(c, 'HSETNX', 'h', 'a', 'x')).toBe(':0\r\n');
    expect(run(c, 'HSETNX', 'h', 'e', 'x')).toBe(':1\r\n');
    expect(run(c, 'HKEYS', 'h')).toBe('*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n');
    expect(run(c, 'HDEL', 'h', 'a', 'b', 'c', 'd', 'zz')).toBe(':4\r\n');
    expect(run(c, 'HGETALL', 'h')).toBe('*2\r\n$1\r\ne\r\n$1\r\nx\r\n');
    expect(run(c, 'HDEL', 'h', 'e', 'f')).toBe(':1\r\n');
    expect(run(c, 'EXISTS', 'h')).toBe(':0\r\n');
    expect(run(c, 'HGETALL', 'h')).toBe('*0\r\n');
    expect(run(c, 'HVALS', 'h')).toBe('*0\r\n');
  });

  it('WRONGTYPE on a string, checked before anything changes', () => {
    const c = context();
    run(c, 'SET', 's', 'v');
    const wrong = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
    for (const cmd of [
      ['HSET', 's', 'a', '1'],
      ['HGET', 's', 'a'],
      ['HMGET', 's', 'a'],
      ['HINCRBY', 's', 'a', '1'],
      ['HINCRBYFLOAT', 's', 'a', '1'],
      ['HRANDFIELD', 's', '2'],
      ['HSCAN', 's', '0'],
      ['HGETALL', 's'],
    ])
      expect(run(c, ...cmd)).toBe(wrong);
    expect(run(c, 'GET', 's')).toBe('$1\r\nv\r\n');
  });

  it('HGETALL is a map in RESP3', () => {
    const c = context();
    run(c, 'HSET', 'h', 'f', 'v');
    c.out.protocol = 3;
    expect(run(c, 'HGETALL', 'h')).toBe('%1\r\n$1\r\nf\r\n$1\r\nv\r\n');
    expect(run(c, 'HGETALL', 'none')).toBe('%0\r\n');
  });

  it('listpack until hash-max-listpack-entries or -value is passed, then hashtable for good', () => {
    const c = context();
    c.server.config.hashMaxListpackEntries = 4;
    c.server.config.hashMaxListpackValue = 8;
    for (let i = 0; i < 4; i++) run(c, 'HSET', 'h', `f${i}`, 'v');
    expect(encoding(c, 'h')).toBe('listpack');
    run(c, 'HSET', 'h', 'f4', 'v');
    expect(encoding(c, 'h')).toBe('hashtable');
    run(c, 'HDEL', 'h', 'f0', 'f1', 'f2');
    expect(encoding(c, 'h')).toBe('hashtable');
    run(c, 'HSET', 'v', 'f', '123456789');
    expect(encoding(c, 'v')).toBe('hashtable');
    // HINCRBYFLOAT converts on the length of what it writes.
    run(c, 'HSET', 'x', 'tmp', '0');
    run(c, 'HINCRBYFLOAT', 'x', 'tmp', '0.000005');
    expect(encoding(c, 'x')).toBe('listpack');
    run(c, 'HINCRBYFLOAT', 'x', 'tmp', '0.0000005');
    expect(encoding(c, 'x')).toBe('hashtable');
  });

  it('HINCRBY: overflow, values that are no integers', () => {
    const c = context();
    expect(run(c, 'HINCRBY', 'h', 'n', '5')).toBe(':5\r\n');
    expect(run(c, 'HINCRBY', 'h', 'n', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    run(c, 'HSET', 'h', 's', ' 11');
    expect(run(c, 'HINCRBY', 'h', 's', '1')).toBe('-ERR hash value is not an integer\r\n');
    run(c, 'HSET', 'h', 'n', '-9223372036854775484');
    expect(run(c, 'HINCRBY', 'h', 'n', '-1')).toBe(':-9223372036854775485\r\n');
    expect(run(c, 'HINCRBY', 'h', 'n', '-10000')).toBe('-ERR increment or decrement would overflow\r\n');
  });

  it('HINCRBYFLOAT writes long doubles as Redis does on x86-64', () => {
    const c = context();
    const f = (field: string, by: string) => items(c, 'HINCRBYFLOAT', 'h', field, by)[0];
    expect(f('a', '1.23')).toBe('1.23');
    expect(f('a', '0.77')).toBe('2');
    expect(f('a', '-0.1')).toBe('1.9');
    expect(f('b', '0.1')).toBe('0.1');
    expect(f('b', '0.2')).toBe('0.3');
    expect(f('c', '17179869184')).toBe('17179869184');
    expect(f('c', '17179869184')).toBe('34359738368');
    // The long double nearest 1e30 (glibc's printf of 1e30L), not the double's 1000000000000000019884624838656.
    expect(f('d', '1e30')).toBe('1000000000000000000024696061952');
    expect(f('d', '-1e30')).toBe('0');
    expect(f('m', '123456789.123456789')).toBe('123456789.12345678899873747');
    expect(f('m', '0.000000001')).toBe('123456789.12345678999554366');
    expect(f('e', '3.0e3')).toBe('3000');
    expect(f('e', '-3000')).toBe('0');
    expect(f('g', '.5')).toBe('0.5');
    expect(f('x', '0x1.8p1')).toBe('3');
    expect(f('x', '-0X.8')).toBe('2.5');
    // Subnormal: taken (strtold gives it), and prints as 0.
    expect(f('y', '1e-4940')).toBe('0');
    expect(run(c, 'HINCRBYFLOAT', 'h', 'y', '1e-4955')).toBe('-ERR value is not a valid float\r\n');
    expect(run(c, 'HINCRBYFLOAT', 'h', 'y', '0x1p99999')).toBe('-ERR value is not a valid float\r\n');
    expect(f('g', '10.5e-1')).toBe('1.55');
    expect(run(c, 'HINCRBYFLOAT', 'h', 'a', '+inf')).toBe('-ERR value is NaN or Infinity\r\n');
    expect(run(c, 'HINCRBYFLOAT', 'h', 'a', 'abc')).toBe('-ERR value is not a valid float\r\n');
    expect(run(c, 'HINCRBYFLOAT', 'h', 'a', ' 1')).toBe('-ERR value is not a valid float\r\n');
    run(c, 'HSET', 'h', 'z', '1\x002');
    expect(run(c, 'HINCRBYFLOAT', 'h', 'z', '1')).toBe('-ERR hash value is not a float\r\n');
    run(c, 'HSET', 'h', 'i', 'inf');
    expect(run(c, 'HINCRBYFLOAT', 'h', 'i', '1')).toBe('-ERR increment would produce NaN or Infinity\r\n');
    expect(run(c, 'HINCRBYFLOAT', 'nokey', 'f', 'inf')).toBe('-ERR value is NaN or Infinity\r\n');
    expect(run(c, 'EXISTS', 'nokey')).toBe(':0\r\n');
  });

  it('HRANDFIELD: counts, WITHVALUES, RESP3 pairs, range errors', () => {
    const c = context();
    run(c, 'HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    expect(['a', 'b', 'c']).toContain(items(c, 'HRANDFIELD', 'h')[0]);
    expect(run(c, 'HRANDFIELD', 'none')).toBe('$-1\r\n');
    expect(run(c, 'HRANDFIELD', 'none', '5')).toBe('*0\r\n');
    expect(run(c, 'HRANDFIELD', 'h', '0')).toBe('*0\r\n');
    expect(items(c, 'HRANDFIELD', 'h', '10').sort()).toEqual(['a', 'b', 'c']);
    expect(items(c, 'HRANDFIELD', 'h', '-10')).toHaveLength(10);
    const two = items(c, 'HRANDFIELD', 'h', '2', 'WITHVALUES');
    expect(two).toHaveLength(4);
    expect(new Set([two[0], two[2]]).size).toBe(2);
    expect(String.fromCharCode(96 + Number(two[1]))).toBe(two[0]);
    expect(run(c, 'HRANDFIELD', 'h', '1', 'x')).toBe('-ERR syntax error\r\n');
    expect(run(c, 'HRANDFIELD', 'h', '-9223372036854770000', 'WITHVALUES')).toBe('-ERR value is out of range\r\n');
    expect(run(c, 'HRANDFIELD', 'h', '-9223372036854775808')).toBe(
      '-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n',
    );
    c.out.protocol = 3;
    expect(run(c, 'HRANDFIELD', 'h', '-2', 'WITHVALUES')).toMatch(
      /^\*2\r\n\*2\r\n\$1\r\n[abc]\r\n\$1\r\n[123]\r\n\*2\r\n/,
    );
    expect(run(c, 'HRANDFIELD', 'h', '3')).toMatch(/^\*3\r\n\$1\r\n[abc]\r\n/);
  });

  it('HRANDFIELD with a negative count draws every field about as often', () => {
    const c = context();
    c.server.config.hashMaxListpackEntries = 4;
    for (let i = 0; i < 10; i++) run(c, 'HSET', 'h', `f${i}`, 'v');
    run(c, 'HDEL', 'h', 'f3');
    run(c, 'HSET', 'h', 'f3', 'v');
    const counts = new Map<string, number>();
    for (const f of items(c, 'HRANDFIELD', 'h', '-10000')) counts.set(f, (counts.get(f) ?? 0) + 1);
    expect(counts.size).toBe(10);
    for (const n of counts.values()) expect(n).toBeGreaterThan(800);
  });

  it('HSCAN: a listpack whole with cursor 0; a hashtable in steps, each field once', () => {
    const c = context();
    run(c, 'HSET', 'h', 'a', '1', 'b', '2', 'ab', '3');
    expect(run(c, 'HSCAN', 'h', '0', 'COUNT', '1', 'MATCH', 'a*')).toBe(
      '*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\nab\r\n$1\r\n3\r\n',
    );
    expect(run(c, 'HSCAN', 'none', '0')).toBe('*2\r\n$1\r\n0\r\n*0\r\n');
    expect(run(c, 'HSCAN', 'h', 'x')).toBe('-ERR invalid cursor\r\n');
    expect(run(c, 'HSCAN', 'h', '0', 'COUNT', '0')).toBe('-ERR syntax error\r\n');
    for (let i = 0; i < 300; i++) run(c, 'HSET', 'big', `f${i}`, `${i}`);
    const seen = new Map<string, string>();
    let cursor = '0';
    do {
      const raw = run(c, 'HSCAN', 'big', cursor, 'COUNT', '7');
      const all = [...raw.matchAll(/\$(\d+)\r\n([^\r]*)\r\n/g)].map((m) => m[2]!);
      cursor = all[0]!;
      for (let i = 1; i < all.length; i += 2) {
        expect(seen.has(all[i]!)).toBe(false);
        seen.set(all[i]!, all[i + 1]!);
      }
    } while (cursor !== '0');
    expect(seen.size).toBe(300);
    expect(seen.get('f42')).toBe('42');
  });
});

describe('hashes and sets through a real client, and across a restart', () => {
  it('binary fields, values and members; WATCH fails only when SMOVE changed the key; the AOF replays the same state', async () => {
    let kv = await startKv();
    const open = () => new Redis({ port: kv.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    let r = open();
    const other = open();
    try {
      const field = Buffer.from([0, 255, 13, 10, 128]);
      const value = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff));
      expect(await r.hset('h', field, value, 'n', '5')).toBe(2);
      expect(Buffer.compare((await r.hgetBuffer('h', field))!, value)).toBe(0);
      expect(await r.hincrbyfloat('h', 'n', '0.1')).toBe('5.1');
      expect(await r.sadd('s', field, '1', '2', '3')).toBe(4);
      expect(await r.sismember('s', field)).toBe(1);
      await r.sadd('dst', '1');
      await r.spop('s');
      await r.sinterstore('i', 's', 's');
      // SMOVE of a member the destination has: the destination did not change, its WATCHer's EXEC goes through.
      await r.sadd('src', 'a', 'b');
      await r.sadd('dst', 'a');
      await r.watch('dst');
      expect(await other.smove('src', 'dst', 'a')).toBe(1);
      expect(await r.multi().scard('dst').exec()).toEqual([[null, 2]]);
      await r.watch('dst');
      expect(await other.smove('src', 'dst', 'b')).toBe(1);
      expect(await r.multi().scard('dst').exec()).toBeNull();
      const before = await dump(r);
      r.disconnect();
      other.disconnect();
      await kv.close(true);
      kv = await startKv({ dir: kv.dir });
      r = open();
      expect(await dump(r)).toEqual(before);
      expect(Object.keys(before).sort()).toEqual(['dst', 'h', 'i', 's']);
    } finally {
      r.disconnect();
      other.disconnect();
      await kv.close();
    }
    expect(kv.failures).toEqual([]);
  }, 60_000);
});

// Every key's content as comparable text (hash fields with values, sorted set members), binary-safe.
async function dump(r: Redis): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const key of await r.keys('*')) {
    const type = await r.type(key);
    const items = type === 'hash' ? await r.hgetallBuffer(key) : await r.smembersBuffer(key);
    out[key] = Array.isArray(items)
      ? items.map((b) => b.toString('hex')).sort()
      : Object.entries(items).map(([f, v]) => `${Buffer.from(f, 'latin1').toString('hex')}=${v.toString('hex')}`);
  }
  return out;
}
