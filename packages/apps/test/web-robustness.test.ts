/**
 * The web server against bad clients over raw sockets: a malformed request
 * line, a request cut short, a client that sends nothing (the idle timeout
 * closes it), 10,000 junk bytes, oversized headers and more each get an
 * answer (or none) and a closed connection, while a keep-alive client on
 * another connection goes on being served, and no task fails.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawClient, received, SITE, startFixture, type RawClient, type WebFixture } from './web-helpers.js';

const HELLO = SITE['hello.txt'] as string;

let web: WebFixture;
// A second server with short timeouts, for the tests that wait for them.
let quick: WebFixture;
let good: RawClient;
let asked = 0;

// The keep-alive client's next request: a whole 200 response must come back on the same connection.
async function goodClientIsServed(): Promise<void> {
  const before = good.text().length;
  good.socket.write(`GET /hello.txt HTTP/1.1\r\nHost: test\r\n\r\n`);
  asked++;
  const text = await received(good, new RegExp(`(HTTP/1\\.1 200 OK[\\s\\S]*?\\r\\n\\r\\n${HELLO}){${asked}}`));
  expect(text.slice(before)).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  expect(good.socket.destroyed).toBe(false);
}

async function badClient(
  bytes: string | Uint8Array,
  end = false,
  port = web.port,
): Promise<{ text: string; client: RawClient }> {
  const client = await rawClient(port);
  client.socket.write(bytes);
  if (end) client.socket.end();
  await client.closed;
  return { text: client.text(), client };
}

beforeAll(async () => {
  web = await startFixture({ idleTimeoutMs: 60_000, requestTimeoutMs: 60_000 });
  quick = await startFixture({ idleTimeoutMs: 300, requestTimeoutMs: 800 });
  good = await rawClient(web.port);
});
afterAll(async () => {
  good?.socket.destroy();
  await web?.close();
  await quick?.close();
});

// A fresh client of the quick server is served (its connections do not live long enough to keep one).
async function quickServes(): Promise<void> {
  const { text } = await badClient(
    'GET /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    false,
    quick.port,
  );
  expect(text).toMatch(new RegExp(`^HTTP/1\\.1 200 OK[\\s\\S]*\\r\\n\\r\\n${HELLO}$`));
}

describe('web server robustness (raw sockets)', () => {
  it('a keep-alive client is served', async () => {
    await goodClientIsServed();
  });

  it('a malformed request line: 400 and the connection closed', async () => {
    const { text } = await badClient('GARBAGE\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(text).toContain('Connection: close');
    await goodClientIsServed();
  });

  it('a request cut short, then the client closes: nothing is sent, the server goes on', async () => {
    const { text } = await badClient('GET /hello.txt HTTP/1.1\r\nHo', true);
    expect(text).toBe('');
    await goodClientIsServed();
  });

  it('a client that sends nothing is closed by the idle timeout; so is a keep-alive client gone quiet', async () => {
    const client = await rawClient(quick.port);
    await client.closed;
    expect(client.text()).toBe('');
    const idle = await rawClient(quick.port);
    idle.socket.write('GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n');
    await idle.closed;
    expect(idle.text()).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*Connection: keep-alive/);
    await quickServes();
    await goodClientIsServed();
  });

  it('a request head that never ends is answered 408 when the request timeout passes', async () => {
    const client = await rawClient(quick.port);
    client.socket.write('GET /hello.txt HTTP/1.1\r\n');
    // Dribbling bytes does not stretch the request timeout.
    const drip = setInterval(() => client.socket.writable && client.socket.write('X'), 100);
    await client.closed;
    clearInterval(drip);
    expect(client.text()).toMatch(/^HTTP\/1\.1 408 /);
    await quickServes();
    await goodClientIsServed();
  });

  it('10,000 junk bytes: 400 or 413, and the connection closed', async () => {
    const { text } = await badClient(randomBytes(10_000));
    expect(text).toMatch(/^HTTP\/1\.1 (400|413) /);
    // Junk lines with an empty line early: a malformed request line (400) rather than an endless head (413).
    const lines = Buffer.from(
      Array.from({ length: 10_000 }, (_, i) => (i % 50 === 49 || i === 100 ? 10 : 33 + (i % 90))),
    );
    expect((await badClient(lines)).text).toMatch(/^HTTP\/1\.1 400 /);
    await goodClientIsServed();
  });

  it('oversized headers: 413, the connection closed', async () => {
    const big = `GET / HTTP/1.1\r\nHost: test\r\nX-Big: ${'a'.repeat(10_000)}\r\n\r\n`;
    const { text } = await badClient(big);
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    const many = `GET / HTTP/1.1\r\nHost: test\r\n${Array.from({ length: 200 }, (_, i) => `X-${i}: 1\r\n`).join('')}\r\n`;
    expect((await badClient(many)).text).toMatch(/^HTTP\/1\.1 413 /);
    await goodClientIsServed();
  });

  it('framing attacks and odd requests: 400, 505, 405 for a body; NUL, bare CR, folding, two Hosts', async () => {
    const cases: [string, RegExp][] = [
      ['GET /hello.txt HTTP/1.1\r\n\r\n', /^HTTP\/1\.1 400 /], // no Host
      ['GET /hello.txt HTTP/2.0\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 505 /],
      ['GET /hello.txt HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n', /^HTTP\/1\.1 400 /],
      ['GET /hello.txt HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n', /^HTTP\/1\.1 400 /],
      ['GET /hello.txt HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n', /^HTTP\/1\.1 400 /],
      ['GET /hello.txt HTTP/1.1\r\nHost: x\r\nX: a\r\n folded\r\n\r\n', /^HTTP\/1\.1 400 /],
      [
        'GET /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n',
        /^HTTP\/1\.1 400 /,
      ],
      ['GET /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n', /^HTTP\/1\.1 400 /],
      [
        'POST /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde',
        /^HTTP\/1\.1 405 [\s\S]*Connection: close/,
      ],
      ['GET  /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 400 /],
      ['GET hello.txt HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 400 [\s\S]*Connection: close/],
      ['GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', /^HTTP\/1\.1 400 /],
      ['\r\n\r\nGET /hello.txt HTTP/1.0\r\n\r\n', /^HTTP\/1\.1 200 [\s\S]*Connection: close/],
    ];
    for (const [request, expected] of cases)
      expect((await badClient(request)).text, JSON.stringify(request)).toMatch(expected);
    await goodClientIsServed();
  });

  it('pipelined requests in one packet are answered in order on one connection', async () => {
    const client = await rawClient(web.port);
    client.socket.write(
      'GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\nHEAD /hello.txt HTTP/1.1\r\nHost: x\r\n\r\nGET http://x/data/numbers.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    await client.closed;
    const statuses = [...client.text().matchAll(/HTTP\/1\.1 (\d+)/g)].map((m) => m[1]);
    expect(statuses).toEqual(['200', '200', '200']);
    expect(client.text().endsWith('[1,2,3]\n')).toBe(true);
    await goodClientIsServed();
  });

  it('a client that resets in the middle of a large response', async () => {
    for (let i = 0; i < 5; i++) {
      const client = await rawClient(web.port);
      client.socket.write('GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise<void>((r) => client.socket.once('data', () => r()));
      client.socket.resetAndDestroy();
    }
    await goodClientIsServed();
  });

  it('afterwards: the server task still runs, no task failed, the kernel is consistent', async () => {
    const sys = web.kernel.init;
    expect(sys.ref(web.server.task).task?.state).toBe('running');
    expect(web.failures).toEqual([]);
    expect(quick.failures).toEqual([]);
    web.kernel.checkInvariants();
    quick.kernel.checkInvariants();
  });
});
