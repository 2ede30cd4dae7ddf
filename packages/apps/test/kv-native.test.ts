/**
 * The native client: DIOS tasks on the server's kernel talk to it over a
 * pair of streams announced on the inbox (no TCP), with the same RESP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Kernel, isDiosError } from '@dios/kernel';
import { defineProgram, installProgram, spawn, wait } from '@dios/libd';
import { kvConnect, startKvServer } from '@dios/apps';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

// A kernel without network or store: the server serves native clients and keeps data in memory.
async function bareServer() {
  const kernel = await Kernel.boot();
  const failures: unknown[] = [];
  kernel.onTaskFailure = (_t, e) => failures.push(e);
  const server = await startKvServer(kernel);
  stops.push(() => server.stop());
  return { kernel, server, failures };
}

describe('native client over streams', () => {
  it('get, set (NX, XX, EX), del and any command', async () => {
    const { kernel, failures } = await bareServer();
    const c = await kvConnect(kernel.init);
    expect(await c.set('a', 'héllo')).toBe(true);
    expect(await c.get('a')).toBe('héllo');
    expect(await c.set('a', 'no', { nx: true })).toBe(false);
    expect(await c.set('b', 'no', { xx: true })).toBe(false);
    expect(await c.set('b', 'yes', { ex: 10 })).toBe(true);
    expect(await c.command('TTL', 'b')).toBe(10);
    expect(await c.command('MGET', 'a', 'b', 'c')).toEqual([
      new TextEncoder().encode('héllo'),
      new TextEncoder().encode('yes'),
      null,
    ]);
    expect(await c.del('a', 'b', 'c')).toBe(2);
    expect(await c.command('PING')).toBe('PONG');
    const big = new Uint8Array(300_000).map((_, i) => i & 0xff);
    expect(await c.set('big', big)).toBe(true);
    expect(await c.command('GET', 'big')).toEqual(big);
    await c.close();
    expect(failures).toEqual([]);
  });

  it('an error reply rejects with EINVAL naming args, the server message as detail', async () => {
    const { kernel } = await bareServer();
    const c = await kvConnect(kernel.init);
    await c.set('t', 'abc');
    const e = await c.command('INCR', 't').catch((x: unknown) => x);
    expect(isDiosError(e, 'EINVAL')).toBe(true);
    expect((e as { argument: string; detail: string }).argument).toBe('args');
    expect((e as { detail: string }).detail).toBe('ERR value is not an integer or out of range');
    expect(await c.get('t')).toBe('abc');
    await c.close();
  });

  it('many client tasks at once, each with its own streams, lose no update', async () => {
    const { kernel, failures } = await bareServer();
    const worker = defineProgram(async (_argv, ctx) => {
      const c = await kvConnect(ctx.sys);
      for (let i = 0; i < 100; i++) await c.command('INCR', 'hits');
      // Concurrent calls on one client are queued in order.
      const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => c.command('ECHO', String(i))));
      await c.close();
      return replies.every((r, i) => new TextDecoder().decode(r as Uint8Array) === String(i)) ? 0 : 3;
    });
    const binary = await installProgram(kernel, kernel.init, 'kv-native-worker', worker);
    const tasks = await Promise.all(Array.from({ length: 8 }, () => spawn(kernel.init, binary, { argv: ['worker'] })));
    for (const t of tasks) expect(await wait(kernel.init, t)).toBe(0);
    const c = await kvConnect(kernel.init);
    expect(await c.get('hits')).toBe('800');
    await c.close();
    expect(failures).toEqual([]);
  });

  it('errors: ECONNREFUSED without a server; EPIPE once it has stopped', async () => {
    const kernel = await Kernel.boot();
    const e = await kvConnect(kernel.init).catch((x: unknown) => x);
    expect(isDiosError(e, 'ECONNREFUSED')).toBe(true);
    const server = await startKvServer(kernel);
    const c = await kvConnect(kernel.init);
    expect(await c.command('PING')).toBe('PONG');
    expect(await server.stop()).toBe(0);
    const after = await c.command('PING').catch((x: unknown) => x);
    expect(isDiosError(after, 'EPIPE')).toBe(true);
    await c.close();
  });
});
