/**
 * Bad clients: malformed RESP, a request cut short and the connection
 * ended, a client that sends nothing, 10,000 junk bytes, oversized
 * lengths. Each bad client gets `-ERR Protocol error...` and is closed (or,
 * if it only stays silent, costs nothing), while a well-behaved client
 * connected at the same time keeps being served with nothing lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawClient, startKv, type KvFixture, type RawClient } from './kv-helpers.js';

let kv: KvFixture;
beforeAll(async () => {
  kv = await startKv();
});
afterAll(async () => {
  await kv.close();
  expect(kv.failures).toEqual([]);
});

// A good client writes `n` keys one request at a time and reads every one back.
async function goodClientRoundTrips(good: RawClient, tag: string, n: number): Promise<void> {
  let expected = '';
  for (let i = 0; i < n; i++) {
    const before = good.text().length;
    const key = `${tag}:${i}`;
    good.socket.write(
      `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${String(i).length}\r\n${i}\r\n*2\r\n$3\r\nGET\r\n$${key.length}\r\n${key}\r\n`,
    );
    const reply = `+OK\r\n$${String(i).length}\r\n${i}\r\n`;
    expected += reply;
    await good.until((t) => t.length >= before + reply.length);
  }
  expect(good.text()).toBe(expected);
}

// Pseudo-random bytes from a fixed seed, so a failure can be replayed.
function junk(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  // '*' first: the bytes are read as a multibulk count, which they are not.
  out[0] = 0x2a;
  out[1] = 0x7a;
  return out;
}

const CASES: [string, (c: RawClient) => void, RegExp][] = [
  [
    'malformed RESP (an integer where a bulk string belongs)',
    (c) => c.socket.write('*2\r\n$3\r\nGET\r\n:1\r\n'),
    /^-ERR Protocol error: expected '\$', got ':'\r\n$/,
  ],
  [
    'a negative multibulk length',
    (c) => c.socket.write('*1x\r\n'),
    /^-ERR Protocol error: invalid multibulk length\r\n$/,
  ],
  [
    'a bulk length over 512 MB',
    (c) => c.socket.write('*1\r\n$536870913\r\n'),
    /^-ERR Protocol error: invalid bulk length\r\n$/,
  ],
  [
    'a multibulk of more than 1M elements',
    (c) => c.socket.write('*1048577\r\n'),
    /^-ERR Protocol error: invalid multibulk length\r\n$/,
  ],
  [
    'an inline line over 64 KiB',
    (c) => c.socket.write('A'.repeat(70 * 1024)),
    /^-ERR Protocol error: too big inline request\r\n$/,
  ],
  [
    'unbalanced quotes inline',
    (c) => c.socket.write('SET "a b\r\n'),
    /^-ERR Protocol error: unbalanced quotes in request\r\n$/,
  ],
  ['10,000 junk bytes', (c) => c.socket.write(junk(10_000, 7)), /^-ERR Protocol error: invalid multibulk length\r\n$/],
  [
    'a truncated request, then the end of its stream',
    (c) => c.socket.end('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\nshort'),
    /^-ERR Protocol error: unexpected end of stream inside a request\r\n$/,
  ],
  [
    'good commands, then garbage in the same packet (the good ones are answered first)',
    (c) => c.socket.write('PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n!oops\r\n'),
    /^\+PONG\r\n\+PONG\r\n-ERR Protocol error: expected '\$', got '!'\r\n$/,
  ],
];

describe('bad clients against the KV store', () => {
  it.each(CASES)(
    '%s: a protocol error, the connection closed, a concurrent client unharmed',
    async (label, misbehave, reply) => {
      const good = await rawClient(kv.port);
      const bad = await rawClient(kv.port);
      const silent = await rawClient(kv.port);
      const goodRun = goodClientRoundTrips(good, label.slice(0, 12).replace(/\W/g, '_'), 200);
      misbehave(bad);
      await bad.closed;
      expect(bad.text()).toMatch(reply);
      await goodRun;
      // The silent client stayed connected all along and is still served.
      silent.socket.write('PING\r\n');
      expect(await silent.until((t) => t.endsWith('\r\n'))).toBe('+PONG\r\n');
      for (const c of [good, silent]) c.socket.destroy();
    },
  );

  it('a client that connects and sends nothing blocks nobody, and is closed when it ends', async () => {
    const silent = await rawClient(kv.port);
    const good = await rawClient(kv.port);
    await goodClientRoundTrips(good, 'silent', 100);
    silent.socket.end();
    await silent.closed;
    expect(silent.text()).toBe('');
    good.socket.destroy();
  });

  it('a client that resets mid-request and one that never reads its replies do not stop the server', async () => {
    const reset = await rawClient(kv.port);
    reset.socket.write('*2\r\n$3\r\nGET\r\n$100\r\nabc');
    reset.socket.resetAndDestroy();
    // A client that pipelines big replies and never reads: the server writes them in the background.
    const hog = await rawClient(kv.port);
    hog.socket.pause();
    const value = 'v'.repeat(512 * 1024);
    hog.socket.write(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${value.length}\r\n${value}\r\n`);
    for (let i = 0; i < 64; i++) hog.socket.write('*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n');
    const good = await rawClient(kv.port);
    await goodClientRoundTrips(good, 'hog', 100);
    hog.socket.destroy();
    good.socket.destroy();
  });
});
