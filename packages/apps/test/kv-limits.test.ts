/**
 * Nothing one client sends stops the server or cuts off another: each
 * limit (lowered here, so that the tests move megabytes, not gigabytes) is
 * met by a real client over TCP, while a well-behaved client connected at the
 * same time is served throughout, and the server logs what it did.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandSpec } from '@dios/apps';
import { connect } from 'node:net';
import { eventually, info, rawClient, resp, startKv, type KvFixture } from './kv-helpers.js';

const MiB = 1024 * 1024;
const CRASH: CommandSpec = {
  name: 'crash',
  arity: -1,
  // Begins a reply, then fails as a bug would.
  run: (_args, ctx) => {
    ctx.out.arrayHeader(2);
    ctx.out.bulkText('half');
    throw new Error('boom in crash');
  },
};

let kv: KvFixture;
beforeAll(async () => {
  kv = await startKv({
    maxKeyBytes: 64 * 1024,
    maxBulkBytes: MiB,
    queryBufferBytes: 2 * MiB,
    outputBufferLimit: { hard: 16 * MiB, soft: MiB, softSeconds: 2 },
    commands: [CRASH],
  });
  // Twenty values of 1 MiB for the tests to read.
  const c = await rawClient(kv.port);
  for (let i = 0; i < 20; i++) c.socket.write(resp('SET', `big${i}`, Buffer.alloc(MiB, 97 + i)));
  await c.until((t) => t === '+OK\r\n'.repeat(20));
  c.socket.destroy();
});
afterAll(async () => {
  await kv.close();
  expect(kv.failures).toEqual([]);
});

// A good client that keeps doing SET/GET round trips until stopped; resolves to how many it did, all correct.
function goodClient(tag: string): { stop: () => Promise<number> } {
  let stopped = false;
  const done = (async () => {
    const c = await rawClient(kv.port);
    let n = 0;
    while (!stopped) {
      const before = c.text().length;
      c.socket.write(resp('SET', `${tag}${n}`, String(n)));
      c.socket.write(resp('GET', `${tag}${n}`));
      const reply = `+OK\r\n$${String(n).length}\r\n${n}\r\n`;
      const text = await c.until((t) => t.length >= before + reply.length);
      expect(text.slice(before)).toBe(reply);
      n++;
    }
    c.socket.destroy();
    return n;
  })();
  return {
    async stop() {
      stopped = true;
      return done;
    },
  };
}

// Sends `request` on a new connection and resolves to the first `length` bytes received (collected without
// re-reading them on every chunk, so that the client keeps up with big replies).
async function bulkReader(
  port: number,
  request: Buffer,
  length: number,
): Promise<{ bytes: Buffer; stillOpen: boolean; ping: () => Promise<string> }> {
  const socket = connect({ port, host: '127.0.0.1' });
  const chunks: Buffer[] = [];
  let received = 0;
  let closed = false;
  socket.on('close', () => (closed = true));
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      received += c.length;
      if (received >= length) resolve();
    });
    socket.once('close', () => reject(new Error(`closed after ${received} of ${length} bytes`)));
    socket.write(request);
  });
  const bytes = Buffer.concat(chunks);
  return {
    bytes,
    stillOpen: !closed,
    async ping() {
      chunks.length = 0;
      socket.write('PING\r\n');
      await eventually(() => Buffer.concat(chunks).toString().endsWith('\r\n'), 5000);
      socket.destroy();
      return Buffer.concat(chunks).toString();
    },
  };
}

async function stat(name: string): Promise<number> {
  return Number((await info(kv.port))[name]);
}

describe('limits of one client, as Redis sets them', () => {
  it('CONFIG GET shows the limits in force', async () => {
    const c = await rawClient(kv.port);
    c.socket.write(resp('CONFIG', 'GET', '*limit*'));
    const text = await c.until((t) => t.split('\r\n').length >= 10);
    expect(text).toContain('client-output-buffer-limit\r\n$25\r\nnormal 16777216 1048576 2\r\n');
    expect(text).toContain('client-query-buffer-limit\r\n$7\r\n2097152\r\n');
    c.socket.destroy();
  });

  it('a key (or pattern) over the key limit is an error reply, with no partial effect; one at the limit is a key; values may be longer', async () => {
    const c = await rawClient(kv.port);
    const atLimit = 'k'.repeat(64 * 1024);
    const over = 'k'.repeat(64 * 1024 + 1);
    c.socket.write(
      Buffer.concat([
        resp('SET', atLimit, 'v'),
        resp('SET', over, 'v'),
        resp('MSET', 'a1', '1', over, '2'),
        resp('GET', 'a1'),
        resp('KEYS', over),
        resp('GET', atLimit),
        resp('SET', 'long-value', over),
        resp('EXISTS', 'long-value'),
      ]),
    );
    const tooLong = `-ERR key or argument too long: ${64 * 1024 + 1} bytes (at most ${64 * 1024}; values may be longer)\r\n`;
    const expected = `+OK\r\n${tooLong}${tooLong}$-1\r\n${tooLong}$1\r\nv\r\n+OK\r\n:1\r\n`;
    expect(await c.until((t) => t.length >= expected.length)).toBe(expected);
    c.socket.destroy();
  });

  it('a bulk string of proto-max-bulk-len is a value; one byte more is a protocol error', async () => {
    const good = goodClient('bulk');
    const c = await rawClient(kv.port);
    c.socket.write(resp('SET', 'exact', Buffer.alloc(MiB, 120)));
    c.socket.write(resp('EXISTS', 'exact'));
    c.socket.write(resp('ECHO', Buffer.alloc(MiB + 1, 120)));
    await c.closed;
    expect(c.text()).toBe('+OK\r\n:1\r\n-ERR Protocol error: invalid bulk length\r\n');
    expect(await good.stop()).toBeGreaterThan(0);
  });

  it('an incomplete request over client-query-buffer-limit: -ERR, the client closed, counted and logged', async () => {
    const before = await stat('client_query_buffer_limit_disconnections');
    const good = goodClient('query');
    const c = await rawClient(kv.port);
    // Three values of 1 MiB in one MSET: past 2 MiB before the request is complete.
    c.socket.write(`*7\r\n$4\r\nMSET\r\n`);
    for (let i = 0; i < 3; i++)
      c.socket.write(
        Buffer.concat([
          resp(`q${i}`).subarray(4),
          Buffer.from(`$${MiB}\r\n`),
          Buffer.alloc(MiB, 65),
          Buffer.from('\r\n'),
        ]),
      );
    await c.closed;
    expect(c.text()).toMatch(
      /^-ERR Protocol error: query buffer limit reached \(\d+ bytes of an incomplete request, limit 2097152\)\r\n$/,
    );
    expect(await stat('client_query_buffer_limit_disconnections')).toBe(before + 1);
    expect(kv.console()).toMatch(
      /kv-server: client id=\d+ addr=127\.0\.0\.1:\d+ closed: Protocol error: query buffer limit reached/,
    );
    expect(await good.stop()).toBeGreaterThan(0);
  });

  it('replies past the hard output limit in one round: the client is closed at once without them, others go on', async () => {
    const before = await stat('client_output_buffer_limit_disconnections');
    const good = goodClient('hard');
    const c = await rawClient(kv.port);
    // 17 MiB of replies to one MGET: over the 16 MiB hard limit.
    c.socket.write(resp('MGET', ...Array.from({ length: 17 }, (_, i) => `big${i}`)));
    await c.closed;
    expect(c.text()).toBe('');
    expect(await stat('client_output_buffer_limit_disconnections')).toBe(before + 1);
    expect(kv.console()).toMatch(
      /closed for overcoming of output buffer limits \(a round's replies passed 16777216 bytes\)/,
    );
    // Under the limit, the same command is answered in full.
    const length = 5 + 15 * (`$${MiB}\r\n`.length + MiB + 2);
    const ok = await bulkReader(kv.port, resp('MGET', ...Array.from({ length: 15 }, (_, i) => `big${i}`)), length);
    expect(ok.bytes.length).toBe(length);
    expect(ok.bytes.subarray(0, 5 + `$${MiB}\r\n`.length + 3).toString()).toBe(`*15\r\n$${MiB}\r\naaa`);
    expect(await ok.ping()).toBe('+PONG\r\n');
    expect(await good.stop()).toBeGreaterThan(0);
  });

  it('a client that does not read, over the soft limit for its seconds, is disconnected; one that reads is not', async () => {
    const before = await stat('client_output_buffer_limit_disconnections');
    const good = goodClient('soft');
    const slow = await rawClient(kv.port);
    slow.socket.pause();
    const fifteen = Buffer.concat(Array.from({ length: 15 }, (_, i) => resp('GET', `big${i}`)));
    slow.socket.write(fifteen);
    const expectedLength = 15 * (`$${MiB}\r\n`.length + MiB + 2);
    const reader = await bulkReader(kv.port, fifteen, expectedLength);
    // The slow reader is dropped about two seconds after its replies backed up (the soft time).
    expect(
      await eventually(async () => (await stat('client_output_buffer_limit_disconnections')) === before + 1, 8000),
    ).toBe(true);
    expect(kv.console()).toMatch(/closed for overcoming of output buffer limits \(\d+ bytes unsent for 2\.\d s\)/);
    // The reader got every byte and is still connected.
    expect(reader.bytes.length).toBe(expectedLength);
    expect(reader.stillOpen).toBe(true);
    expect(await reader.ping()).toBe('+PONG\r\n');
    slow.socket.destroy();
    expect(await good.stop()).toBeGreaterThan(0);
  });

  it('an unexpected error while serving a client: the replies before it, -ERR, the client closed and logged; the server goes on', async () => {
    const before = await stat('client_internal_error_disconnections');
    const good = goodClient('crash');
    const c = await rawClient(kv.port);
    c.socket.write('PING\r\nCRASH\r\nPING\r\n');
    await c.closed;
    expect(c.text()).toBe('+PONG\r\n-ERR internal error while serving this client; closing the connection\r\n');
    expect(await stat('client_internal_error_disconnections')).toBe(before + 1);
    expect(kv.console()).toMatch(
      /kv-server: client id=\d+ addr=127\.0\.0\.1:\d+ closed after an unexpected error: Error: boom in crash \(at /,
    );
    expect(await good.stop()).toBeGreaterThan(0);
  });
});

describe('rounds whose replies together are large', () => {
  let big: KvFixture;
  beforeAll(async () => {
    big = await startKv();
  });
  afterAll(async () => {
    await big.close();
    expect(big.failures).toEqual([]);
  });

  it('four clients asking 40 MiB each at once all get every byte (a round stops filling at 64 MiB; the rest follow)', async () => {
    const c = await rawClient(big.port);
    c.socket.write(resp('SET', 'v', Buffer.alloc(MiB, 98)));
    await c.until((t) => t === '+OK\r\n');
    const request = Buffer.concat(Array.from({ length: 40 }, () => resp('GET', 'v')));
    const one = Buffer.from(`$${MiB}\r\n${'b'.repeat(MiB)}\r\n`);
    const replies = await Promise.all([0, 1, 2, 3].map(() => bulkReader(big.port, request, 40 * one.length)));
    const all = Buffer.concat(Array.from({ length: 40 }, () => one));
    for (const r of replies) {
      expect(r.bytes.length).toBe(all.length);
      expect(r.bytes.equals(all)).toBe(true);
      expect(await r.ping()).toBe('+PONG\r\n');
    }
    c.socket.destroy();
  });
});
