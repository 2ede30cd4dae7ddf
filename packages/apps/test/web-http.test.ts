/**
 * The web server against curl: GET, HEAD, content types, 404, 405, ETag
 * and If-None-Match (304), ranges (206, 416), keep-alive (two URLs on one
 * connection), directory index and listing, traversal refused, and a file
 * written live through libd served at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateFlags, ObjectType, pathSeed } from '@dios/kernel';
import { createTag, fclose, fopen, fputs, raiseSecrecy } from '@dios/libd';
import {
  curl,
  CURL,
  missing,
  parseResponse,
  rawClient,
  received,
  SITE,
  startFixture,
  type WebFixture,
} from './web-helpers.js';

const why = missing(CURL);

describe.skipIf(why !== undefined)('web server over HTTP/1.1 (curl)', () => {
  let web: WebFixture;
  beforeAll(async () => {
    // Idle connections stay for a minute: only stopping the server can close them sooner (last test).
    web = await startFixture({ idleTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    await web?.close();
    expect(web?.failures ?? []).toEqual([]);
  });

  it('GET serves a file with Content-Type, Content-Length and an ETag', async () => {
    const r = parseResponse((await curl('-i', `${web.url}hello.txt`)).stdout);
    expect(r.status).toBe(200);
    expect(r.body).toBe(SITE['hello.txt']);
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(r.headers.get('content-length')).toBe(String((SITE['hello.txt'] as string).length));
    expect(r.headers.get('etag')).toMatch(/^"[0-9a-f]{16}-\w+"$/);
    expect(r.headers.get('connection')).toBe('keep-alive');
    const json = parseResponse((await curl('-i', `${web.url}data/numbers.json`)).stdout);
    expect([json.status, json.headers.get('content-type'), json.body]).toEqual([200, 'application/json', '[1,2,3]\n']);
  });

  it('GET of a large file sends every byte', async () => {
    const r = await curl(`${web.url}big.bin`);
    expect(Buffer.from(r.stdout, 'latin1').equals(Buffer.from(SITE['big.bin'] as Uint8Array))).toBe(true);
  });

  it('HEAD sends the head of a GET and no body', async () => {
    const r = await curl('-I', `${web.url}big.bin`);
    const head = parseResponse(r.stdout);
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(600 * 1024));
    expect(head.body).toBe('');
  });

  it('a percent-encoded path with non-ASCII characters is found', async () => {
    const r = parseResponse((await curl('-i', `${web.url}odd%20name%20%C3%A9.txt`)).stdout);
    expect([r.status, r.body]).toEqual([200, 'unicode path\n']);
  });

  it('403 for a file whose label the server may not read, and the server goes on', async () => {
    const owner = await web.kernel.attachTask(['owner']);
    const { handle: tag } = await createTag(owner);
    // At a path (a name anyone can compute) in the public root group: made while unlabelled, with a secret label.
    const { ref } = await owner.create(
      ObjectType.DURABLE_BLOB,
      { nameSeed: pathSeed('/www/secret.txt'), label: { secrecy: [tag] } },
      CreateFlags.NAME_DETERMINISTIC,
    );
    await raiseSecrecy(owner, tag);
    const bytes = new TextEncoder().encode('classified\n');
    const buf = await owner.beginWrite(ref, bytes.length);
    buf.set(bytes);
    await owner.endWrite(ref, buf);
    const r = parseResponse((await curl('-i', `${web.url}secret.txt`)).stdout);
    expect(r.status).toBe(403);
    expect(r.body).not.toContain('classified');
    expect(parseResponse((await curl('-I', `${web.url}secret.txt`)).stdout).status).toBe(403);
    expect(parseResponse((await curl('-i', `${web.url}hello.txt`)).stdout).status).toBe(200);
  });

  it('404 for a missing file, 405 with Allow for other methods', async () => {
    expect(parseResponse((await curl('-i', `${web.url}nope.txt`)).stdout).status).toBe(404);
    const post = parseResponse((await curl('-i', '-X', 'POST', '--data', 'x=1', `${web.url}hello.txt`)).stdout);
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const del = parseResponse((await curl('-i', '-X', 'DELETE', `${web.url}hello.txt`)).stdout);
    expect(del.status).toBe(405);
  });

  it('If-None-Match with the ETag is answered 304 without a body; another tag gets 200', async () => {
    const etag = parseResponse((await curl('-I', `${web.url}hello.txt`)).stdout).headers.get('etag')!;
    const hit = parseResponse((await curl('-i', '-H', `If-None-Match: ${etag}`, `${web.url}hello.txt`)).stdout);
    expect([hit.status, hit.body, hit.headers.get('etag')]).toEqual([304, '', etag]);
    const list = parseResponse((await curl('-i', '-H', `If-None-Match: "x", W/${etag}`, `${web.url}hello.txt`)).stdout);
    expect(list.status).toBe(304);
    const miss = parseResponse((await curl('-i', '-H', 'If-None-Match: "other"', `${web.url}hello.txt`)).stdout);
    expect(miss.status).toBe(200);
  });

  it('a single range is answered 206 with Content-Range; one past the end 416', async () => {
    const r = parseResponse((await curl('-i', '-H', 'Range: bytes=7-10', `${web.url}hello.txt`)).stdout);
    expect([r.status, r.body, r.headers.get('content-range'), r.headers.get('content-length')]).toEqual([
      206,
      'DIOS',
      'bytes 7-10/16',
      '4',
    ]);
    const suffix = parseResponse((await curl('-i', '-H', 'Range: bytes=-4', `${web.url}hello.txt`)).stdout);
    expect([suffix.status, suffix.body]).toEqual([206, 'web\n']);
    const big = await curl('-H', 'Range: bytes=300000-', `${web.url}big.bin`);
    expect(
      Buffer.from(big.stdout, 'latin1').equals(Buffer.from((SITE['big.bin'] as Uint8Array).subarray(300000))),
    ).toBe(true);
    const bad = parseResponse((await curl('-i', '-H', 'Range: bytes=100-200', `${web.url}hello.txt`)).stdout);
    expect([bad.status, bad.headers.get('content-range')]).toEqual([416, 'bytes */16']);
  });

  it('keep-alive: two URLs in one curl share one connection; Connection: close and HTTP/1.0 close it', async () => {
    const two = await curl(
      '-o',
      '/dev/null',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{num_connects}\n',
      `${web.url}hello.txt`,
      `${web.url}index.html`,
    );
    expect(two.stdout).toBe('200 1\n200 0\n');
    const closing = parseResponse((await curl('-i', '-H', 'Connection: close', `${web.url}hello.txt`)).stdout);
    expect(closing.headers.get('connection')).toBe('close');
    const old = await curl(
      '-0',
      '-o',
      '/dev/null',
      '-o',
      '/dev/null',
      '-w',
      '%{num_connects}\n',
      `${web.url}hello.txt`,
      `${web.url}hello.txt`,
    );
    expect(old.stdout).toBe('1\n1\n');
  });

  it('a directory is served by its index.html, else listed; without the slash it is redirected', async () => {
    const root = parseResponse((await curl('-i', web.url)).stdout);
    expect([root.status, root.body]).toEqual([200, SITE['index.html']]);
    const docs = parseResponse((await curl('-i', `${web.url}docs/`)).stdout);
    expect([docs.status, docs.body]).toEqual([200, '<h1>docs</h1>\n']);
    const redirect = parseResponse((await curl('-i', `${web.url}data`)).stdout);
    expect([redirect.status, redirect.headers.get('location')]).toEqual([301, '/data/']);
    const listing = parseResponse((await curl('-i', `${web.url}data/`)).stdout);
    expect(listing.status).toBe(200);
    expect(listing.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(listing.body).toContain('href="notes.md"');
    expect(listing.body).toContain('href="numbers.json"');
    expect(parseResponse((await curl('-i', `${web.url}.dios-index`)).stdout).status).toBe(404);
  });

  it('path traversal is refused: /../etc/passwd as is, %2e%2e and an encoded slash', async () => {
    for (const path of [
      '/../etc/passwd',
      '/%2e%2e/etc/passwd',
      '/data/../../etc/passwd',
      '/%2E%2E%2Fetc%2Fpasswd',
      '/..%2f..%2fetc/passwd',
    ]) {
      const r = parseResponse((await curl('-i', '--path-as-is', `http://127.0.0.1:${web.port}${path}`)).stdout);
      expect([400, 403, 404], path).toContain(r.status);
      expect(r.body).not.toContain('root:');
    }
    // Inside the root, .. is fine.
    const inside = parseResponse((await curl('-i', '--path-as-is', `${web.url}data/../hello.txt`)).stdout);
    expect([inside.status, inside.body]).toEqual([200, SITE['hello.txt']]);
  });

  it('serves live: a file a task writes by path through libd is served at once, and a new version gets a new ETag', async () => {
    const sys = web.kernel.init;
    const f = await fopen(sys, '/www/live.txt', 'w');
    await fputs(f, 'first\n');
    await fclose(f);
    const one = parseResponse((await curl('-i', `${web.url}live.txt`)).stdout);
    expect([one.status, one.body]).toEqual([200, 'first\n']);
    const g = await fopen(sys, '/www/live.txt', 'w');
    await fputs(g, 'second version\n');
    await fclose(g);
    const two = parseResponse(
      (await curl('-i', '-H', `If-None-Match: ${one.headers.get('etag')}`, `${web.url}live.txt`)).stdout,
    );
    expect([two.status, two.body]).toEqual([200, 'second version\n']);
    expect(two.headers.get('etag')).not.toBe(one.headers.get('etag'));
  });

  it('stopping the server closes idle keep-alive connections too', async () => {
    const client = await rawClient(web.port);
    client.socket.write('GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await received(client, /hello, DIOS web\n$/)).toMatch(/^HTTP\/1\.1 200 OK/);
    await web.server.stop();
    await client.closed;
    // stop() waited for the server task and dropped the reference to it.
    expect(() => web.kernel.init.ref(web.server.task)).toThrow(/EBADF/);
  });
});
