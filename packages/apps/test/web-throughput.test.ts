/**
 * What the web server's fast paths must not lose: a large file goes out
 * through reused write buffers (not a fresh zeroed buffer per chunk) with
 * every byte right; the access log's kept lines never say the wrong thing
 * for a repeated request; a client that pipelines large requests without
 * reading, or one that sends half a request, holds only its own task while
 * others are served, and the greedy one still gets every response.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectType } from '@dios/kernel';
import { fclose, fopen, fputs } from '@dios/libd';
import { startWebServer, type RunningWebServer } from '@dios/apps';
import { rawClient, received, SITE, startFixture, type RawClient, type WebFixture } from './web-helpers.js';

// A TCP connection object as the kernel holds it: how many write buffers it had to allocate.
interface CountedConnection {
  readonly type: string;
  readonly refCount: number;
  readonly buffersMade: number;
}

function connections(web: WebFixture): CountedConnection[] {
  return [...web.kernel.objects.values()]
    .map((o) => o as unknown as CountedConnection)
    .filter((o) => o.type === ObjectType.TCP_CONNECTION && o.refCount > 0);
}

// A response head (with `[^]*?` it stops at the first blank line: the body's bytes are never taken for a head).
const HEAD = /HTTP\/1\.1 200 OK\r\n[^]*?\r\n\r\n/;

// Waits until `done()` holds or the connection closes.
async function until(client: RawClient, done: () => boolean): Promise<void> {
  let closed = false;
  void client.closed.then(() => (closed = true));
  while (!done() && !closed) await Promise.race([new Promise((r) => client.socket.once('data', r)), client.closed]);
}

// Bytes of the body of the one response in `raw` (latin1).
function body(raw: string): string {
  return raw.slice(raw.indexOf('\r\n\r\n') + 4);
}

describe('web server: large files, kept log lines, fairness', () => {
  let web: WebFixture;
  const log: string[] = [];
  let logged: RunningWebServer | undefined;
  const LARGE = 4 << 20;
  const large = Array.from({ length: LARGE / 64 }, (_, i) => `${String(i).padStart(8, '0')}${'x'.repeat(55)}\n`).join(
    '',
  );

  beforeAll(async () => {
    web = await startFixture({ idleTimeoutMs: 60_000 });
    const f = await fopen(web.kernel.init, '/www/large.txt', 'w');
    await fputs(f, large);
    await fclose(f);
  });
  afterAll(async () => {
    await logged?.stop();
    await web?.close();
    expect(web?.failures ?? []).toEqual([]);
  });

  it('a 4 MiB file (16 chunks) is sent through at most two write buffers of its connection, every byte right', async () => {
    const client = await rawClient(web.port);
    client.socket.write('GET /large.txt HTTP/1.1\r\nHost: x\r\n\r\n');
    const raw = await received(client, new RegExp(`${String(LARGE / 64 - 1).padStart(8, '0')}x{55}\\n$`));
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(body(raw)).toBe(large);
    // The connection is kept alive: its object is still there to ask.
    const [conn, ...others] = connections(web);
    expect(others).toEqual([]);
    // A fresh zeroed buffer per chunk would be 16; one is made, at most one more while the socket still held one.
    expect(conn!.buffersMade).toBeLessThanOrEqual(2);
    // Again on the same connection: no new buffer at all.
    const made = conn!.buffersMade;
    client.socket.write('GET /large.txt HTTP/1.1\r\nHost: x\r\n\r\n');
    const twice = await received(client, new RegExp(`(${String(LARGE / 64 - 1).padStart(8, '0')}x{55}\\n[^]*){2}$`));
    expect(twice.length).toBe(2 * raw.length);
    expect(conn!.buffersMade).toBe(made);
    client.socket.destroy();
  });

  it('the access log: a repeated request gets its own line each time, a changed file or status a new one', async () => {
    logged = await startWebServer(web.kernel, { root: '/www', port: 0, accessLog: (line) => log.push(line) });
    const client = await rawClient(logged.port);
    const get = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;
    client.socket.write(get('/hello.txt') + get('/hello.txt') + get('/data/notes.md'));
    await received(client, /# notes\n$/);
    // The same head again (the same request object), now for a file that changed size: a new line.
    const g = await fopen(web.kernel.init, '/www/data/notes.md', 'w');
    await fputs(g, '# longer notes\n');
    await fclose(g);
    client.socket.write(get('/data/notes.md') + get('/missing') + get('/missing') + get('/hello.txt'));
    await received(client, /longer notes\n[^]*404 Not Found\n[^]*404 Not Found\n[^]*hello, DIOS web\n$/);
    while (log.length < 7) await new Promise((r) => setTimeout(r, 10));
    const fields = log.map((l) => /"([^"]*)" (\d+) (\S+)$/.exec(l)!.slice(1));
    expect(fields).toEqual([
      ['GET /hello.txt HTTP/1.1', '200', String(SITE['hello.txt']!.length)],
      ['GET /hello.txt HTTP/1.1', '200', String(SITE['hello.txt']!.length)],
      ['GET /data/notes.md HTTP/1.1', '200', String(SITE['data/notes.md']!.length)],
      ['GET /data/notes.md HTTP/1.1', '200', '15'],
      ['GET /missing HTTP/1.1', '404', '14'],
      ['GET /missing HTTP/1.1', '404', '14'],
      ['GET /hello.txt HTTP/1.1', '200', String(SITE['hello.txt']!.length)],
    ]);
    client.socket.destroy();
  });

  it('accessLogText hears the same lines as accessLog, whole lines several at a time', async () => {
    const lines: string[] = [];
    const chunks: string[] = [];
    const server = await startWebServer(web.kernel, {
      root: '/www',
      port: 0,
      accessLog: (l) => lines.push(l),
      accessLogText: (t) => chunks.push(t),
    });
    const client = await rawClient(server.port);
    client.socket.write('GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(20));
    await until(client, () => client.text().split('hello, DIOS web\n').length > 20);
    while (lines.length < 20) await new Promise((r) => setTimeout(r, 10));
    expect(chunks.join('')).toBe(lines.map((l) => l + '\n').join(''));
    for (const c of chunks) expect(c.endsWith('\n')).toBe(true);
    // Lines the tasks wrote in one turn of the event loop come in one call.
    expect(chunks.length).toBeLessThan(lines.length);
    client.socket.destroy();
    await server.stop();
  });

  it('a burst of 200 connections at once is accepted in rounds and every one served; stop works while clients keep coming', async () => {
    const server = await startWebServer(web.kernel, { root: '/www', port: 0 });
    const clients = await Promise.all(Array.from({ length: 200 }, () => rawClient(server.port)));
    for (const c of clients) c.socket.write('GET /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const texts = await Promise.all(clients.map((c) => received(c, /hello, DIOS web\n$/)));
    for (const t of texts) expect(t).toMatch(/^HTTP\/1\.1 200 OK/);
    // Clients keep connecting while the server stops: the listener stays ready, and the stop still wins.
    let flooding = true;
    const flood = (async () => {
      while (flooding) {
        let c;
        try {
          c = await rawClient(server.port);
        } catch {
          // Refused: the server has closed its listener, which is what the flood waits for.
          return;
        }
        c.socket.destroy();
      }
    })();
    await server.stop();
    flooding = false;
    await flood;
    expect(() => web.kernel.init.ref(server.task)).toThrow(/EBADF/);
  });

  it('a client pipelining thousands of requests in one packet: another client is answered long before the last of them', async () => {
    // The order of the log's lines is the order the answers were made in.
    const lines: string[] = [];
    const server = await startWebServer(web.kernel, { root: '/www', port: 0, accessLog: (l) => lines.push(l) });
    const greedy = await rawClient(server.port);
    const normal = await rawClient(server.port);
    const MANY = 3000;
    greedy.socket.write('GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(MANY));
    normal.socket.write('GET /data/numbers.json HTTP/1.1\r\nHost: x\r\n\r\n');
    await received(normal, /\[1,2,3\]\n$/);
    const count = (): number => greedy.text().split('HTTP/1.1 200 OK').length - 1;
    await until(greedy, () => count() >= MANY && greedy.text().endsWith('hello, DIOS web\n'));
    expect(count()).toBe(MANY);
    while (lines.length < MANY + 1) await new Promise((r) => setTimeout(r, 10));
    // Served in rounds: the greedy client's task lets the event loop turn between them, so the other
    // connection's request is read and answered between two rounds, not after all of them.
    expect(lines.findIndex((l) => l.includes('numbers.json'))).toBeLessThan(MANY / 3);
    greedy.socket.destroy();
    normal.socket.destroy();
    await server.stop();
  });

  it('a client pipelining large requests without reading, and one sending half a head, do not hold up a third', async () => {
    const greedy = await rawClient(web.port);
    greedy.socket.pause();
    const ASKED = 12;
    greedy.socket.write('GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(ASKED));
    const slow = await rawClient(web.port);
    slow.socket.write('GET /hello.txt HTTP/1.1\r\nHo');
    for (let i = 0; i < 3; i++) {
      const normal = await rawClient(web.port);
      normal.socket.write('GET /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(await received(normal, /hello, DIOS web\n$/)).toMatch(/^HTTP\/1\.1 200 OK/);
    }
    // The greedy client now reads: every one of its responses comes, whole and in order.
    greedy.socket.resume();
    const head = (await received(greedy, HEAD)).match(HEAD)![0].length;
    const size = (SITE['big.bin'] as Uint8Array).length;
    // Every head is as long as the first (the same file, the Date header of fixed width).
    await until(greedy, () => greedy.text().length >= ASKED * (head + size));
    const all = greedy.text();
    expect(all.length).toBe(ASKED * (head + size));
    const expected = Buffer.from(SITE['big.bin'] as Uint8Array).toString('latin1');
    const bodies = all.split(HEAD).slice(1);
    expect(bodies).toHaveLength(ASKED);
    for (const b of bodies) expect(b === expected).toBe(true);
    greedy.socket.destroy();
    slow.socket.destroy();
  });
});
