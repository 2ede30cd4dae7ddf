/**
 * Set commands (and the logging of hash commands) run through the command
 * table on a detached context: Redis 7.0's replies byte for byte, the
 * intset -> hashtable switch and the intset's ascending order, the log
 * (replayed into another keyspace it gives the same state, random pops
 * included), keyspace events, SSCAN.
 */
import { describe, expect, it } from 'vitest';
import { type CommandContext, DEFAULT_KV_LIMITS, Keyspace, RespWriter } from '@dios/apps';
import { detachedContext, dispatch } from '@dios/apps/testing';

const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const dec = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');

/** A server stand-in: one keyspace, replies as text, what was logged and notified. */
function harness() {
  const keys = new Keyspace();
  const out = new RespWriter();
  const logged: string[][] = [];
  const events: string[] = [];
  const ctx: CommandContext = {
    ...detachedContext(keys, out, DEFAULT_KV_LIMITS),
    log: (args) => logged.push(args.map((a) => (typeof a === 'string' ? a : dec(a)))),
    notify: (type, event, key) => events.push(`${type}:${event}:${key}`),
  };
  /** Runs a command; its reply as a latin1 string. */
  function r(...args: string[]): string {
    out.reset();
    dispatch(args.map(enc), ctx);
    return dec(out.bytes());
  }
  /** The bulk strings of a flat reply. */
  function items(...args: string[]): string[] {
    const raw = r(...args);
    const found: string[] = [];
    for (const m of raw.matchAll(/\$(\d+)\r\n/g)) found.push(raw.substr(m.index + m[0].length, Number(m[1])));
    return found;
  }
  return { keys, out, ctx, logged, events, r, items };
}

/** An array of bulk strings as RESP2. */
function bulks(...items: string[]): string {
  return `*${items.length}\r\n` + items.map((s) => `$${s.length}\r\n${s}\r\n`).join('');
}

// Every key's value as comparable data (sorted members, fields with values).
function state(h: ReturnType<typeof harness>): Record<string, string[]> {
  const s: Record<string, string[]> = {};
  for (const key of h.keys.keys()) {
    const type = h.r('TYPE', key);
    if (type === '+set\r\n') s[key] = h.items('SMEMBERS', key).sort();
    else if (type === '+hash\r\n') s[key] = h.items('HGETALL', key);
    else s[key] = [type];
  }
  return s;
}

const WRONG = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';

describe('set replies, byte for byte as Redis 7.0', () => {
  it('SADD, SREM, SCARD, SISMEMBER, SMISMEMBER; the emptied set goes', () => {
    const { r, items } = harness();
    expect(r('SADD', 's', 'b', 'a', 'b')).toBe(':2\r\n');
    expect(r('SADD', 's', 'a', 'c')).toBe(':1\r\n');
    expect(r('SCARD', 's')).toBe(':3\r\n');
    expect(r('SCARD', 'none')).toBe(':0\r\n');
    expect(r('SISMEMBER', 's', 'a')).toBe(':1\r\n');
    expect(r('SISMEMBER', 's', 'z')).toBe(':0\r\n');
    expect(r('SMISMEMBER', 's', 'z', 'a')).toBe('*2\r\n:0\r\n:1\r\n');
    expect(r('SMISMEMBER', 'none', 'a')).toBe('*1\r\n:0\r\n');
    expect(r('SMISMEMBER', 's')).toBe("-ERR wrong number of arguments for 'smismember' command\r\n");
    expect(items('SMEMBERS', 's').sort()).toEqual(['a', 'b', 'c']);
    expect(r('SREM', 's', 'z', 'a', 'b')).toBe(':2\r\n');
    expect(r('SREM', 's', 'c', 'x')).toBe(':1\r\n');
    expect(r('EXISTS', 's')).toBe(':0\r\n');
    expect(r('SREM', 's', 'c')).toBe(':0\r\n');
    expect(r('SMEMBERS', 's')).toBe('*0\r\n');
  });

  it('WRONGTYPE for every command on a string, nothing changed', () => {
    const { r } = harness();
    r('SET', 'str', 'v');
    r('SADD', 's', 'a');
    for (const cmd of [
      ['SADD', 'str', 'a'],
      ['SREM', 'str', 'a'],
      ['SCARD', 'str'],
      ['SISMEMBER', 'str', 'a'],
      ['SMISMEMBER', 'str', 'a'],
      ['SMEMBERS', 'str'],
      ['SPOP', 'str'],
      ['SRANDMEMBER', 'str', '2'],
      ['SINTER', 's', 'str'],
      ['SUNION', 'none', 'str'],
      ['SDIFF', 'str', 's'],
      ['SINTERCARD', '2', 's', 'str'],
      ['SSCAN', 'str', '0'],
      ['SMOVE', 's', 'str', 'a'],
      ['SMOVE', 'str', 's', 'a'],
      ['SINTERSTORE', 'dst', 's', 'str'],
      ['SDIFFSTORE', 's', 's', 'str'],
    ])
      expect(r(...cmd)).toBe(WRONG);
    expect(r('GET', 'str')).toBe('$1\r\nv\r\n');
    expect(r('SMEMBERS', 's')).toBe(bulks('a'));
    expect(r('EXISTS', 'dst')).toBe(':0\r\n');
  });

  it('RESP3: set replies are sets, SRANDMEMBER with a count an array', () => {
    const { r, out } = harness();
    r('SADD', 's', '1');
    out.protocol = 3;
    expect(r('SMEMBERS', 's')).toBe('~1\r\n$1\r\n1\r\n');
    expect(r('SUNION', 's')).toBe('~1\r\n$1\r\n1\r\n');
    expect(r('SINTER', 's', 'none')).toBe('~0\r\n');
    expect(r('SRANDMEMBER', 's', '5')).toBe('*1\r\n$1\r\n1\r\n');
    expect(r('SPOP', 'none')).toBe('_\r\n');
    expect(r('SPOP', 'none', '3')).toBe('~0\r\n');
    expect(r('SPOP', 's', '3')).toBe('~1\r\n$1\r\n1\r\n');
  });

  it('intset while all members are integers and few, ascending; hashtable for good after', () => {
    const h = harness();
    const { r, ctx } = h;
    const enc = (key: string) => (h.keys.get(key)!.value as { encoding: string }).encoding;
    ctx.server.config.setMaxIntsetEntries = 5;
    r('SADD', 'i', '10', '-3', '2', '9223372036854775807', '-9223372036854775808');
    expect(enc('i')).toBe('intset');
    expect(r('SMEMBERS', 'i')).toBe(bulks('-9223372036854775808', '-3', '2', '10', '9223372036854775807'));
    expect(r('SSCAN', 'i', '0', 'MATCH', '*0*')).toBe(
      `*2\r\n$1\r\n0\r\n${bulks('-9223372036854775808', '10', '9223372036854775807')}`,
    );
    r('SADD', 'i', '7');
    expect(enc('i')).toBe('hashtable');
    r('SREM', 'i', '7', '10');
    expect(enc('i')).toBe('hashtable');
    for (const m of ['9223372036854775808', '01', '-0', '+1', ' 1', 'a']) {
      r('DEL', 'x');
      r('SADD', 'x', m);
      expect(enc('x')).toBe('hashtable');
    }
    // The result of an algebra command is encoded as a new set of its members.
    r('SADD', 'j', '1', '2', '3');
    r('SADD', 'k', '2', '3', 'a');
    r('SINTERSTORE', 'dst', 'j', 'k');
    expect(enc('dst')).toBe('intset');
    r('SUNIONSTORE', 'dst', 'j', 'k');
    expect(enc('dst')).toBe('hashtable');
    // SPOP taking most of a set keeps the rest as a new set, encoded afresh (Redis' CASE 3), with its TTL.
    for (let i = 1; i <= 20; i++) r('SADD', 'p', String(i));
    r('EXPIRE', 'p', '100');
    expect(enc('p')).toBe('hashtable');
    expect(h.items('SPOP', 'p', '18')).toHaveLength(18);
    expect(enc('p')).toBe('intset');
    expect(r('TTL', 'p')).toBe(':100\r\n');
    expect(h.items('SMEMBERS', 'p')).toHaveLength(2);
    r('SMOVE', 'k', 'n', '2');
    expect(enc('n')).toBe('intset');
    r('SMOVE', 'k', 'n', 'a');
    expect(enc('n')).toBe('hashtable');
  });

  it('SINTER, SUNION, SDIFF, their STOREs and SINTERCARD', () => {
    const { r, items } = harness();
    r('SADD', 'a', '1', '2', '3', '4', 'x');
    r('SADD', 'b', '3', '4', '5', 'x');
    r('SADD', 'c', '4', 'x', 'y');
    expect(items('SINTER', 'a', 'b', 'c').sort()).toEqual(['4', 'x']);
    expect(items('SINTER', 'a', 'b', 'none')).toEqual([]);
    expect(items('SUNION', 'a', 'none', 'c').sort()).toEqual(['1', '2', '3', '4', 'x', 'y']);
    expect(items('SDIFF', 'a', 'b').sort()).toEqual(['1', '2']);
    expect(items('SDIFF', 'a', 'none', 'c').sort()).toEqual(['1', '2', '3']);
    expect(items('SDIFF', 'a', 'a')).toEqual([]);
    expect(r('SINTERSTORE', 'd', 'a', 'b')).toBe(':3\r\n');
    expect(r('SUNIONSTORE', 'd', 'd', 'c')).toBe(':4\r\n');
    expect(r('SDIFFSTORE', 'd', 'd', 'b')).toBe(':1\r\n');
    expect(r('SMEMBERS', 'd')).toBe(bulks('y'));
    r('SET', 'str', 'v');
    expect(r('SINTERSTORE', 'str', 'a', 'none')).toBe(':0\r\n');
    expect(r('EXISTS', 'str')).toBe(':0\r\n');
    expect(r('SINTERCARD', '3', 'a', 'b', 'c')).toBe(':2\r\n');
    expect(r('SINTERCARD', '2', 'a', 'b', 'LIMIT', '2')).toBe(':2\r\n');
    expect(r('SINTERCARD', '2', 'a', 'b', 'limit', '0')).toBe(':3\r\n');
    expect(r('SINTERCARD', '1', 'none')).toBe(':0\r\n');
    expect(r('SINTERCARD', '0', 'a')).toBe('-ERR numkeys should be greater than 0\r\n');
    expect(r('SINTERCARD', 'x', 'a')).toBe('-ERR numkeys should be greater than 0\r\n');
    expect(r('SINTERCARD', '3', 'a', 'b')).toBe("-ERR Number of keys can't be greater than number of args\r\n");
    expect(r('SINTERCARD', '1', 'a', 'b')).toBe('-ERR syntax error\r\n');
    expect(r('SINTERCARD', '1', 'a', 'LIMIT')).toBe('-ERR syntax error\r\n');
    expect(r('SINTERCARD', '1', 'a', 'LIMIT', '-1')).toBe("-ERR LIMIT can't be negative\r\n");
  });

  it('SPOP and SRANDMEMBER: counts and their errors', () => {
    const { r, items } = harness();
    r('SADD', 's', 'a', 'b', 'c', 'd');
    expect(r('SPOP', 's', '-1')).toBe('-ERR value is out of range, must be positive\r\n');
    expect(r('SPOP', 's', 'x')).toBe('-ERR value is out of range, must be positive\r\n');
    expect(r('SPOP', 's', '1', '2')).toBe('-ERR syntax error\r\n');
    expect(r('SPOP', 's', '0')).toBe('*0\r\n');
    expect(r('SRANDMEMBER', 's', '1', '2')).toBe('-ERR syntax error\r\n');
    expect(r('SRANDMEMBER', 's', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(r('SRANDMEMBER', 's', '-9223372036854775808')).toBe(
      '-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n',
    );
    expect(r('SRANDMEMBER', 'none')).toBe('$-1\r\n');
    expect(r('SRANDMEMBER', 'none', '3')).toBe('*0\r\n');
    expect(r('SRANDMEMBER', 's', '0')).toBe('*0\r\n');
    expect(items('SRANDMEMBER', 's', '-7')).toHaveLength(7);
    const three = items('SRANDMEMBER', 's', '3');
    expect(new Set(three).size).toBe(3);
    expect(items('SRANDMEMBER', 's', '9').sort()).toEqual(['a', 'b', 'c', 'd']);
    const popped = items('SPOP', 's', '3');
    expect(new Set(popped).size).toBe(3);
    expect(r('SCARD', 's')).toBe(':1\r\n');
    const last = items('SPOP', 's');
    expect([...popped, ...last].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(r('EXISTS', 's')).toBe(':0\r\n');
  });

  it('SRANDMEMBER and SPOP draw members uniformly, after removals too', () => {
    const { r, items } = harness();
    for (let i = 0; i < 20; i++) r('SADD', 's', `m${i}`);
    r('SREM', 's', 'm3', 'm4');
    r('SADD', 's', 'm3');
    items('SRANDMEMBER', 's', '-1');
    // After the first draw: a removal, a removal undone, a new member.
    r('SREM', 's', 'm5');
    r('SREM', 's', 'm6');
    r('SADD', 's', 'm6', 'n1');
    const counts = new Map<string, number>();
    for (const m of items('SRANDMEMBER', 's', '-19000')) counts.set(m, (counts.get(m) ?? 0) + 1);
    expect(counts.size).toBe(19);
    for (const n of counts.values()) expect(n).toBeGreaterThan(700);
    expect(counts.get('m6')!).toBeLessThan(1300);
    const popped = new Set<string>();
    for (let i = 0; i < 19; i++) popped.add(items('SPOP', 's')[0]!);
    expect(popped.size).toBe(19);
    expect(r('EXISTS', 's')).toBe(':0\r\n');
  });

  it('SMOVE: between sets, same set, missing source, member already there', () => {
    const { r, items } = harness();
    r('SADD', 'a', '1', 'x');
    r('SADD', 'b', 'x');
    expect(r('SMOVE', 'a', 'a', 'x')).toBe(':1\r\n');
    expect(r('SMOVE', 'a', 'a', 'z')).toBe(':0\r\n');
    expect(r('SMOVE', 'none', 'a', 'x')).toBe(':0\r\n');
    expect(r('SMOVE', 'a', 'b', 'z')).toBe(':0\r\n');
    expect(r('SMOVE', 'a', 'b', 'x')).toBe(':1\r\n');
    expect(items('SMEMBERS', 'b')).toEqual(['x']);
    expect(r('SMOVE', 'a', 'c', '1')).toBe(':1\r\n');
    expect(r('EXISTS', 'a')).toBe(':0\r\n');
    expect(r('SMEMBERS', 'c')).toBe(bulks('1'));
  });

  it('SSCAN over a hashtable set visits every member once', () => {
    const { r } = harness();
    for (let i = 0; i < 250; i++) r('SADD', 's', `m${i}`);
    const seen = new Set<string>();
    let cursor = '0';
    let calls = 0;
    do {
      const raw = r('SSCAN', 's', cursor, 'COUNT', '20');
      const all = [...raw.matchAll(/\$(\d+)\r\n([^\r]*)\r\n/g)].map((m) => m[2]!);
      cursor = all[0]!;
      for (const m of all.slice(1)) {
        expect(seen.has(m)).toBe(false);
        seen.add(m);
      }
      // Removed mid-scan: never reported after.
      if (calls++ === 0) r('SREM', 's', 'm249');
    } while (cursor !== '0');
    expect(seen.size).toBe(249);
    expect(calls).toBeGreaterThan(5);
    expect(r('SSCAN', 's', 'x')).toBe('-ERR invalid cursor\r\n');
    expect(r('SSCAN', 'none', '0', 'COUNT', '0')).toBe('*2\r\n$1\r\n0\r\n*0\r\n');
  });
});

describe('events and the log', () => {
  it('notifies as Redis does, and logs only what changed', () => {
    const { r, events, logged } = harness();
    r('SADD', 's', 'a', 'b');
    r('SADD', 's', 'a');
    r('SREM', 's', 'z');
    r('SREM', 's', 'a', 'b');
    r('HSET', 'h', 'f', '1');
    r('HINCRBY', 'h', 'f', '2');
    r('HINCRBYFLOAT', 'h', 'f', '0.5');
    r('HDEL', 'h', 'zz');
    r('HDEL', 'h', 'f');
    r('SADD', 'x', '1', '2');
    r('SMOVE', 'x', 'y', '1');
    r('SPOP', 'x');
    r('SADD', 'u', 'a');
    r('SUNIONSTORE', 'v', 'u');
    r('SINTERSTORE', 'v', 'u', 'none');
    expect(events).toEqual([
      's:sadd:s',
      's:srem:s',
      'g:del:s',
      'h:hset:h',
      'h:hincrby:h',
      'h:hincrbyfloat:h',
      'h:hdel:h',
      'g:del:h',
      's:sadd:x',
      's:srem:x',
      's:sadd:y',
      's:spop:x',
      'g:del:x',
      's:sadd:u',
      's:sunionstore:v',
      'g:del:v',
    ]);
    expect(logged).toEqual([
      ['SADD', 's', 'a', 'b'],
      ['SREM', 's', 'a', 'b'],
      ['HSET', 'h', 'f', '1'],
      ['HSET', 'h', 'f', '3'],
      ['HSET', 'h', 'f', '3.5'],
      ['HDEL', 'h', 'f'],
      ['SADD', 'x', '1', '2'],
      ['SMOVE', 'x', 'y', '1'],
      ['SREM', 'x', '2'],
      ['SADD', 'u', 'a'],
      ['SADD', 'v', 'a'],
      ['DEL', 'v'],
    ]);
  });

  it('replaying the log gives the same state, random pops included', () => {
    const h = harness();
    const { r } = h;
    for (let i = 0; i < 60; i++) r('SADD', `s${i % 3}`, String(i), `m${i}`);
    r('SPOP', 's0', '5');
    r('SPOP', 's1');
    r('SPOP', 's2', '100');
    r('SMOVE', 's0', 's1', '0');
    r('SMOVE', 's1', 's0', 'm1');
    r('SDIFFSTORE', 'd', 's0', 's1');
    r('SINTERSTORE', 'i', 's0', 's1');
    r('HSET', 'h', 'a', '1', 'b', '2');
    r('HINCRBYFLOAT', 'h', 'a', '0.1');
    r('HSETNX', 'h', 'c', '3');
    r('HDEL', 'h', 'b');
    const replay = harness();
    for (const args of h.logged) replay.r(...args);
    expect(state(replay)).toEqual(state(h));
    // s0 and s1 share no member: the SINTERSTORE stored nothing.
    expect(Object.keys(state(h)).sort()).toEqual(['d', 'h', 's0', 's1']);
  });
});
