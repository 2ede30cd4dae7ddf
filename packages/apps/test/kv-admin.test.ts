/**
 * The KV store's administration commands, run on a detached context:
 * CONFIG GET/SET (several pairs, aliases, Redis 7.0's errors, nothing
 * changed unless every pair is valid), OBJECT (string encodings, shared
 * integers), DEBUG RELOAD (data kept, encodings recomputed as Redis' RDB
 * load does), DEBUG DIGEST, INFO, and the snapshot format (format 1 still loads).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_KV_LIMITS, Keyspace, RespWriter } from '@dios/apps';
import { detachedContext, dispatch, parseReply } from '@dios/apps/testing';
import { KvConfig } from '../src/kv/core/config.js';
import { decodeKeys, encodeKeys } from '../src/kv/core/snapshot.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

// A detached server: run(...) sends one command and returns its reply, bulk strings decoded, errors as 'ERROR: ...'.
function server() {
  const keys = new Keyspace();
  const out = new RespWriter();
  const ctx = detachedContext(keys, out, DEFAULT_KV_LIMITS);
  const run = (...args: string[]): unknown => {
    out.reset();
    dispatch(args.map(enc), ctx);
    const bytes = out.bytes().slice();
    if (bytes[0] === 0x2d) return `ERROR: ${dec(bytes.subarray(1, bytes.length - 2))}`;
    const plain = (v: unknown): unknown => (v instanceof Uint8Array ? dec(v) : Array.isArray(v) ? v.map(plain) : v);
    return plain(parseReply(bytes)!.value);
  };
  return { keys, ctx, run };
}

describe('CONFIG', () => {
  it('SET takes several pairs and aliases; GET finds them by name, alias or pattern', () => {
    const { ctx, run } = server();
    expect(run('CONFIG', 'SET', 'hash-max-ziplist-entries', '10', 'zset-max-listpack-value', '1kb')).toBe('OK');
    expect(ctx.server.config.hashMaxListpackEntries).toBe(10);
    expect(ctx.server.config.zsetMaxListpackValue).toBe(1024);
    expect(run('CONFIG', 'GET', 'hash-max-ziplist-entries')).toEqual(['hash-max-ziplist-entries', '10']);
    expect(run('CONFIG', 'GET', 'zset-max-listpack-value', 'ZSET-MAX-LISTPACK-VALUE')).toEqual([
      'zset-max-listpack-value',
      '1024',
      'ZSET-MAX-LISTPACK-VALUE',
      '1024',
    ]);
    const found = run('CONFIG', 'GET', 'set-max-*') as string[];
    expect(found).toEqual(['set-max-intset-entries', '512']);
    // Parameters this server does not apply are kept and shown.
    expect(run('CONFIG', 'SET', 'lua-time-limit', '10', 'maxmemory-policy', 'ALLKEYS-LRU')).toBe('OK');
    expect(run('CONFIG', 'GET', 'busy-reply-threshold')).toEqual(['busy-reply-threshold', '10']);
    expect(run('CONFIG', 'GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'allkeys-lru']);
    expect(run('CONFIG', 'GET', 'no-such-thing')).toEqual([]);
  });

  it('fails as Redis 7.0 does, and changes nothing unless every pair is valid', () => {
    const { ctx, run } = server();
    expect(run('CONFIG', 'SET', 'maxmemory', 'bla')).toBe(
      "ERROR: ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
    );
    expect(run('CONFIG', 'SET', 'set-max-intset-entries', '5', 'hash-max-listpack-entries', '-1')).toBe(
      "ERROR: ERR CONFIG SET failed (possibly related to argument 'hash-max-listpack-entries') - argument must be between 0 and 9223372036854775807 inclusive",
    );
    expect(ctx.server.config.setMaxIntsetEntries).toBe(512);
    expect(run('CONFIG', 'SET', 'foo', '1', 'bar', '2')).toBe(
      "ERROR: ERR Unknown option or number of arguments for CONFIG SET - 'foo'",
    );
    expect(run('CONFIG', 'SET', 'hz', '5', 'hz', '6')).toBe(
      "ERROR: ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter",
    );
    expect(run('CONFIG', 'SET', 'hz', '5', 'timeout')).toBe('ERROR: ERR syntax error');
    expect(run('CONFIG', 'SET', 'hz')).toBe("ERROR: ERR wrong number of arguments for 'config|set' command");
    expect(run('CONFIG', 'SET', 'activerehashing', 'maybe')).toBe(
      "ERROR: ERR CONFIG SET failed (possibly related to argument 'activerehashing') - argument must be 'yes' or 'no'",
    );
    expect(run('CONFIG', 'SET', 'appendfsync', 'sometimes')).toBe(
      "ERROR: ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: everysec, always, no",
    );
    expect(run('CONFIG', 'NOPE')).toBe("ERROR: ERR unknown subcommand 'NOPE'. Try CONFIG HELP.");
    expect(run('CONFIG', 'GET', 'hz')).toEqual(['hz', '10']);
  });

  it('notify-keyspace-events: stored as given, shown in canonical form, bad classes refused', () => {
    const { ctx, run } = server();
    expect(run('CONFIG', 'SET', 'notify-keyspace-events', 'KEA')).toBe('OK');
    expect(ctx.server.config.notifyKeyspaceEvents).toBe('KEA');
    expect(run('CONFIG', 'GET', 'notify-keyspace-events')).toEqual(['notify-keyspace-events', 'AKE']);
    expect(run('CONFIG', 'SET', 'notify-keyspace-events', 'lgK')).toBe('OK');
    expect(run('CONFIG', 'GET', 'notify-keyspace-events')).toEqual(['notify-keyspace-events', 'glK']);
    expect(run('CONFIG', 'SET', 'notify-keyspace-events', 'Kq')).toBe(
      "ERROR: ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.",
    );
    expect(ctx.server.config.notifyKeyspaceEvents).toBe('lgK');
  });
});

describe('OBJECT', () => {
  it('strings are int, embstr or raw as Redis decides; small integers are shared', () => {
    const { keys, run } = server();
    keys.set('i', enc('1234'));
    keys.set('big', enc('123456789012'));
    keys.set('short', enc('x'.repeat(44)));
    keys.set('long', enc('x'.repeat(45)));
    keys.set('lead0', enc('0123'));
    expect(run('OBJECT', 'ENCODING', 'i')).toBe('int');
    expect(run('OBJECT', 'ENCODING', 'lead0')).toBe('embstr');
    expect(run('OBJECT', 'ENCODING', 'short')).toBe('embstr');
    expect(run('OBJECT', 'ENCODING', 'long')).toBe('raw');
    expect(run('OBJECT', 'REFCOUNT', 'i')).toBe(2147483647);
    expect(run('OBJECT', 'REFCOUNT', 'big')).toBe(1);
    expect(run('OBJECT', 'ENCODING', 'missing')).toBeNull();
    expect(run('OBJECT', 'ENCODING')).toBe("ERROR: ERR wrong number of arguments for 'object|encoding' command");
    expect(run('DEBUG', 'OBJECT', 'missing')).toBe('ERROR: ERR no such key');
    const first = run('DEBUG', 'OBJECT', 'big') as string;
    expect(first).toMatch(/^Value at:0x[0-9a-f]+ refcount:1 encoding:int serializedlength:\d+ lru:\d+/);
    keys.set('big', enc('123456789013'));
    expect((run('DEBUG', 'OBJECT', 'big') as string).split(' ')[1]).toBe(first.split(' ')[1]);
  });
});

describe('INFO', () => {
  it("has Redis' sections and field names; CONFIG RESETSTAT zeroes the counters", () => {
    const { keys, run } = server();
    keys.set('gone', enc('x'), keys.now() - 1);
    expect(run('GET', 'gone')).toBeNull();
    const stats = () => run('INFO', 'stats') as string;
    expect(stats()).toMatch(/^# Stats\r\n/);
    expect(stats()).toMatch(/\r\nexpired_keys:1\r\n/);
    expect(run('CONFIG', 'RESETSTAT')).toBe('OK');
    expect(stats()).toMatch(/\r\nexpired_keys:0\r\n/);
    keys.set('k', enc('v'));
    const all = run('INFO') as string;
    for (const section of ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'Keyspace'])
      expect(all).toContain(`# ${section}\r\n`);
    expect(all).toMatch(/\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n/);
    expect(run('INFO', 'server', 'clients')).toMatch(/^# Server\r\n[^#]*\r\n# Clients\r\n/);
  });
});

describe('DEBUG', () => {
  it('RELOAD keeps every value and recomputes encodings by the thresholds, as an RDB load does', () => {
    const { ctx, run } = server();
    run('CONFIG', 'SET', 'set-max-intset-entries', '2');
    const digest = run('DEBUG', 'DIGEST');
    expect(digest).toBe('0'.repeat(40));
    // Fill through the type helpers' commands when they exist; else skip what is missing.
    const typed = [
      ['HSET', 'h', 'a', '1', 'b', 'x'.repeat(100)],
      ['SADD', 's', '1', '2', '3'],
      ['ZADD', 'z', '1', 'a', '2', 'b'],
      ['RPUSH', 'l', 'a', 'b'],
      ['SET', 'str', 'v'],
    ];
    for (const c of typed) run(...c);
    const before = run('DEBUG', 'DIGEST');
    expect(before).not.toBe(digest);
    const encodings = () => ['h', 's', 'z', 'l', 'str'].map((k) => run('OBJECT', 'ENCODING', k));
    run('CONFIG', 'SET', 'set-max-intset-entries', '512', 'zset-max-listpack-entries', '1');
    const was = encodings();
    expect(run('DEBUG', 'RELOAD')).toBe('OK');
    expect(run('DEBUG', 'DIGEST')).toBe(before);
    const now = encodings();
    // A set saved as hashtable whose members are integers and now fit becomes an intset; a sorted set with more
    // members than the threshold becomes a skiplist; a hash saved as hashtable stays one (a field is too long).
    if (was[1] === 'hashtable') expect(now[1]).toBe('intset');
    if (was[2] !== null) expect(now[2]).toBe('skiplist');
    if (was[0] !== null) expect(now[0]).toBe('hashtable');
    expect(now[3]).toBe(was[3]);
    expect(now[4]).toBe('embstr');
    expect(ctx.keys.size).toBe(5);
  });

  it('DIGEST-VALUE is the same for equal values under other keys, 40 zeros for none; SET-ACTIVE-EXPIRE', () => {
    const { ctx, keys, run } = server();
    keys.set('a', enc('same'));
    keys.set('b', enc('same'));
    keys.set('c', enc('other'));
    const [a, b, c, none] = run('DEBUG', 'DIGEST-VALUE', 'a', 'b', 'c', 'nope') as string[];
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(none).toBe('0'.repeat(40));
    expect(run('DEBUG', 'SET-ACTIVE-EXPIRE', '0')).toBe('OK');
    expect(ctx.keys.activeExpire).toBe(false);
    expect(run('DEBUG', 'SET-ACTIVE-EXPIRE', '1')).toBe('OK');
    expect(ctx.keys.activeExpire).toBe(true);
    expect(run('DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '100b')).toBe('OK');
    expect(ctx.server.config.quicklistPackedThreshold).toBe(100);
    expect(run('DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '5gb')).toBe(
      'ERROR: ERR argument must be a memory value bigger than 1 and smaller than 4gb',
    );
    expect(run('DEBUG', 'NOPE')).toBe(
      "ERROR: ERR unknown subcommand or wrong number of arguments for 'NOPE'. Try DEBUG HELP.",
    );
  });
});

describe('snapshot format', () => {
  it('format 1 (strings and lists) still loads', () => {
    // Header DKVS, format 1, generation 7; a string key and a list key, no expiry.
    const parts: number[] = [];
    const u32 = (n: number) => parts.push(n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24);
    const blob = (s: string) => {
      u32(s.length);
      for (const ch of enc(s)) parts.push(ch);
    };
    const noExpiry = () => parts.push(0, 0, 0, 0, 0, 0, 0, 0);
    u32(0x53564b44);
    u32(1);
    u32(7);
    parts.push(0);
    blob('greeting');
    blob('hello');
    noExpiry();
    parts.push(1);
    blob('queue');
    u32(2);
    blob('one');
    blob('two');
    noExpiry();
    const keys = new Keyspace();
    expect(decodeKeys(Uint8Array.from(parts), keys, 0x53564b44, new KvConfig())).toBe(7);
    expect(dec(keys.get('greeting')!.value as Uint8Array)).toBe('hello');
    const { run, keys: k2 } = server();
    for (const [key, e] of keys.entries()) k2.set(key, e.value, e.expiresAt);
    expect(run('TYPE', 'queue')).toBe('list');
  });

  it('format 2 round-trips every type with expiries, and refuses bytes cut short', () => {
    const { keys, run } = server();
    run('HSET', 'h', 'f', 'v');
    run('SADD', 's', 'm');
    run('ZADD', 'z', '2.5', 'm');
    keys.set('str', enc('v'), keys.now() + 100_000);
    const bytes = encodeKeys(keys, 3, 0x11223344);
    const copy = new Keyspace();
    expect(decodeKeys(bytes, copy, 0x11223344, new KvConfig())).toBe(3);
    expect(copy.size).toBe(keys.size);
    expect(copy.get('str')!.expiresAt).toBe(keys.get('str')!.expiresAt);
    const { run: run2, keys: k2 } = server();
    for (const [key, e] of copy.entries()) k2.set(key, e.value, e.expiresAt);
    for (const key of ['h', 's', 'z'])
      expect(run2('DEBUG', 'DIGEST-VALUE', key)).toEqual(run('DEBUG', 'DIGEST-VALUE', key));
    expect(() => decodeKeys(bytes.subarray(0, bytes.length - 3), new Keyspace(), 0x11223344, new KvConfig())).toThrow(
      /cut short/,
    );
  });
});
