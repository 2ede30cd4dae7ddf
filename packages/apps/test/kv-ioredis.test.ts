/**
 * The KV store through ioredis, a real Redis client library from npm:
 * its connect handshake (INFO ready check), commands, pipelines, errors,
 * and many clients at once.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKv, type KvFixture } from './kv-helpers.js';

let kv: KvFixture;
const clients: Redis[] = [];
beforeAll(async () => {
  kv = await startKv();
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await kv.close();
  expect(kv.failures).toEqual([]);
});

function connect(): Redis {
  const c = new Redis({ port: kv.port, host: '127.0.0.1', lazyConnect: false, maxRetriesPerRequest: 0 });
  clients.push(c);
  return c;
}

describe('ioredis against the KV store', () => {
  it('connects (ready check by INFO), sets, gets, counts, expires', async () => {
    const r = connect();
    expect(await r.ping()).toBe('PONG');
    expect(await r.set('name', 'dios')).toBe('OK');
    expect(await r.get('name')).toBe('dios');
    expect(await r.get('none')).toBeNull();
    expect(await r.set('name', 'x', 'NX')).toBeNull();
    expect(await r.set('ttl', 'v', 'EX', 60)).toBe('OK');
    expect(await r.ttl('ttl')).toBe(60);
    expect(await r.incr('n')).toBe(1);
    expect(await r.incrby('n', 41)).toBe(42);
    expect(await r.decr('n')).toBe(41);
    expect(await r.mset({ a: '1', b: '2' })).toBe('OK');
    expect(await r.mget('a', 'b', 'c')).toEqual(['1', '2', null]);
    expect(await r.exists('a', 'b', 'c')).toBe(2);
    expect(await r.del('a', 'b', 'c')).toBe(2);
    expect(await r.expire('name', 100)).toBe(1);
    expect(await r.dbsize()).toBe(3);
    expect((await r.keys('*')).sort()).toEqual(['n', 'name', 'ttl']);
    expect(await r.client('SETNAME', 'ioredis-test')).toBe('OK');
    expect(await r.client('GETNAME')).toBe('ioredis-test');
  });

  it('binary values round-trip byte for byte', async () => {
    const r = connect();
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) & 0xff));
    await r.set(Buffer.from([0, 255, 13, 10]), bytes);
    expect(Buffer.compare((await r.getBuffer(Buffer.from([0, 255, 13, 10])))!, bytes)).toBe(0);
  });

  it('error replies reject with the server message', async () => {
    const r = connect();
    await r.set('text', 'abc');
    await expect(r.incr('text')).rejects.toThrow('ERR value is not an integer or out of range');
    await expect(r.call('NOSUCHCMD', 'a')).rejects.toThrow(
      "ERR unknown command 'NOSUCHCMD', with args beginning with: 'a'",
    );
  });

  it('a pipeline of 5,000 commands gets every reply in order', async () => {
    const r = connect();
    const p = r.pipeline();
    for (let i = 0; i < 2500; i++) p.set(`pipe:${i}`, String(i)).get(`pipe:${i}`);
    const results = (await p.exec())!;
    expect(results).toHaveLength(5000);
    expect(results.every(([err, v], i) => err === null && v === (i % 2 === 0 ? 'OK' : String((i - 1) / 2)))).toBe(true);
  });

  it('20 clients incrementing one counter concurrently lose no increment', async () => {
    const rs = Array.from({ length: 20 }, () => connect());
    await Promise.all(
      rs.map(async (r) => {
        for (let i = 0; i < 50; i++) await r.incr('shared');
      }),
    );
    expect(await rs[0]!.get('shared')).toBe('1000');
  });
});
