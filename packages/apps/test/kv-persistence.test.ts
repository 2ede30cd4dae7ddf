/**
 * Persistence and expiry: acknowledged writes of every type survive kill -9
 * of a server running with --fsync always; the AOF is rewritten into a
 * snapshot (every type, its encoding kept as Redis' RDB load decides) and
 * both load after a restart; expired keys go lazily and by the sweep, and
 * expiry times hold across a restart.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { kvConnect } from '@dios/apps';
import { cli, missing, serveChild, startKv, tempDir } from './kv-helpers.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// Resolves once `check` holds, trying again after each short pause (a wait for a condition, not a timing).
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}

describe('persistence', () => {
  it('--fsync always: every acknowledged write is there after kill -9 and a restart on the same directory', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const first = await serveChild(['--port', '0', '--data', dir, '--fsync', 'always']);
    cleanups.push(() => void first.child.kill('SIGKILL'));
    const r = new Redis({ port: first.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    cleanups.push(() => r.disconnect());
    const acked: string[] = [];
    // Writes acknowledged one by one, then a pipeline whose replies all came back.
    for (let i = 0; i < 200; i++) {
      await r.set(`key:${i}`, `value ${i}`);
      acked.push(`key:${i}`);
    }
    const p = r.pipeline();
    for (let i = 200; i < 1000; i++) p.set(`key:${i}`, `value ${i}`);
    await p.exec();
    for (let i = 200; i < 1000; i++) acked.push(`key:${i}`);
    expect(await r.incrby('counter', 7)).toBe(7);
    expect(await r.del('key:0')).toBe(1);
    expect(await r.set('kept', 'x', 'EX', 1000)).toBe('OK');
    // Every type, written and then changed.
    expect(await r.hset('h', 'f1', 'v1', 'f2', 'v2')).toBe(2);
    expect(await r.hdel('h', 'f2')).toBe(1);
    expect(await r.sadd('s', 'a', 'b', '3')).toBe(3);
    expect(await r.srem('s', 'b')).toBe(1);
    expect(await r.zadd('z', 1.5, 'one', 2, 'two')).toBe(2);
    expect(await r.zincrby('z', 10, 'one')).toBe('11.5');
    expect(await r.rpush('l', 'x', 'y', 'z')).toBe(3);
    expect(await r.lpop('l')).toBe('x');
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    r.disconnect();

    const second = await serveChild(['--port', '0', '--data', dir, '--fsync', 'always']);
    cleanups.push(() => void second.child.kill('SIGKILL'));
    const r2 = new Redis({ port: second.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    cleanups.push(() => r2.disconnect());
    const values = await r2.mget(...acked);
    expect(values[0]).toBeNull();
    expect(values.slice(1)).toEqual(acked.slice(1).map((k) => `value ${k.slice(4)}`));
    expect(await r2.get('counter')).toBe('7');
    const ttl = await r2.ttl('kept');
    expect(ttl).toBeGreaterThan(900);
    expect(ttl).toBeLessThanOrEqual(1000);
    expect(await r2.hgetall('h')).toEqual({ f1: 'v1' });
    expect((await r2.smembers('s')).sort()).toEqual(['3', 'a']);
    expect(await r2.zrange('z', 0, -1, 'WITHSCORES')).toEqual(['two', '2', 'one', '11.5']);
    expect(await r2.lrange('l', 0, -1)).toEqual(['y', 'z']);
    // SIGTERM stops it cleanly.
    second.child.kill('SIGTERM');
    expect(await new Promise((resolve) => second.child.once('exit', resolve))).toBe(0);
    expect(second.output()).toMatch(/DIOS KV stopped/);
  });

  it('rewrites the AOF into a snapshot past the threshold; a restarted kernel loads snapshot and AOF', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const kv = await startKv({ dir, rewriteMinBytes: 4096 });
    const c = await kvConnect(kv.kernel.init);
    for (let i = 0; i < 300; i++) await c.set(`k${i}`, `v${i}`.repeat(3));
    await c.command('INCRBY', 'n', '5');
    await c.command('INCRBY', 'n', '6');
    await c.set('short', 'gone', { px: 1 });
    await c.command('RPUSH', 'queue', 'one', 'two', 'three');
    await c.command('LPOP', 'queue');
    await c.command('RPUSH', 'snapped', 'in', 'the', 'snapshot');
    // Hashes, sets and sorted sets in both encodings, in the snapshot, then changed in the AOF.
    const wide: string[] = [];
    for (let i = 0; i < 600; i++) wide.push(`f${i}`, `v${i}`);
    await c.command('HSET', 'hwide', ...wide);
    await c.command('HSET', 'hsmall', 'a', '1', 'b', '2');
    await c.command('SADD', 'sints', '1', '2', '3');
    await c.command('SADD', 'swords', 'x', 'y');
    await c.command('ZADD', 'zsmall', '1', 'a', '2', 'b');
    await c.command('ZADD', 'zlong', '1', 'm'.repeat(100));
    expect(await c.command('BGREWRITEAOF')).toBe('Background append only file rewriting started');
    await c.command('RPUSH', 'snapped', 'and the AOF');
    await c.command('HSET', 'hsmall', 'c', '3');
    await c.command('SREM', 'sints', '2');
    await c.command('ZADD', 'zsmall', '0.5', 'c');
    const info = new TextDecoder().decode((await c.command('INFO', 'persistence')) as Uint8Array);
    expect(Number(/aof_rewrites:(\d+)/.exec(info)![1])).toBeGreaterThan(0);
    await c.close();
    await kv.close(true);

    const again = await startKv({ dir, rewriteMinBytes: 4096 });
    cleanups.push(() => again.close());
    const c2 = await kvConnect(again.kernel.init);
    for (const i of [0, 150, 299]) expect(await c2.get(`k${i}`)).toBe(`v${i}`.repeat(3));
    expect(await c2.get('n')).toBe('11');
    expect(await c2.get('short')).toBeNull();
    expect(await c2.command('LRANGE', 'queue', '0', '-1')).toEqual([
      new TextEncoder().encode('two'),
      new TextEncoder().encode('three'),
    ]);
    expect(await c2.command('LRANGE', 'snapped', '0', '-1')).toEqual(
      ['in', 'the', 'snapshot', 'and the AOF'].map((s) => new TextEncoder().encode(s)),
    );
    const text = (v: unknown) => new TextDecoder().decode(v as Uint8Array);
    const list = (v: unknown) => (v as Uint8Array[]).map(text);
    expect(list(await c2.command('HGETALL', 'hsmall'))).toEqual(['a', '1', 'b', '2', 'c', '3']);
    expect(await c2.command('HLEN', 'hwide')).toBe(600);
    expect(text(await c2.command('HGET', 'hwide', 'f599'))).toBe('v599');
    expect(list(await c2.command('SMEMBERS', 'sints')).sort()).toEqual(['1', '3']);
    expect(list(await c2.command('SMEMBERS', 'swords')).sort()).toEqual(['x', 'y']);
    expect(list(await c2.command('ZRANGE', 'zsmall', '0', '-1', 'WITHSCORES'))).toEqual([
      'c',
      '0.5',
      'a',
      '1',
      'b',
      '2',
    ]);
    // Encodings as Redis 7.0 reports them after loading its RDB.
    const encodings: Record<string, string> = {
      hwide: 'hashtable',
      hsmall: 'listpack',
      sints: 'intset',
      swords: 'hashtable',
      zsmall: 'listpack',
      zlong: 'skiplist',
    };
    for (const [key, encoding] of Object.entries(encodings))
      expect(text(await c2.command('OBJECT', 'ENCODING', key))).toBe(encoding);
    expect(await c2.command('DBSIZE')).toBe(309);
    await c2.close();
  });
});

describe('expiry', () => {
  it('a key with PX goes when read after its time; TTL and PTTL count down; PERSIST keeps it', async () => {
    const kv = await startKv();
    cleanups.push(() => kv.close());
    const c = await kvConnect(kv.kernel.init);
    await c.set('brief', 'x', { px: 30 });
    await c.set('stays', 'y', { ex: 100 });
    expect(await c.command('PERSIST', 'stays')).toBe(1);
    expect(await c.command('TTL', 'stays')).toBe(-1);
    await eventually(async () => (await c.get('brief')) === null);
    expect(await c.command('EXISTS', 'brief')).toBe(0);
    expect(await c.get('stays')).toBe('y');
    await c.close();
  });

  it('the sweep removes expired keys nobody touches (DBSIZE falls to 0)', async () => {
    if (missing('/usr/bin/redis-cli') !== undefined) return;
    const kv = await startKv();
    cleanups.push(() => kv.close());
    const pairs: string[] = [];
    for (let i = 0; i < 500; i++) pairs.push(`t${i}`);
    const c = await kvConnect(kv.kernel.init);
    for (const k of pairs) await c.set(k, '1', { px: 20 });
    await eventually(async () => (await cli(kv.port, 'DBSIZE')) === '0\n');
    await c.close();
  });
});
