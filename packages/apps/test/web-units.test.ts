/**
 * The web server's pure parts: the incremental request parser and its
 * limits, byte ranges, ETags and If-None-Match, request paths (decoding,
 * traversal), content types, directory listings, access log lines.
 */
import { describe, expect, it } from 'vitest';
import {
  contentType,
  decodeTargetPath,
  etagOf,
  listDirectory,
  listingHtml,
  noneMatchHits,
  parseRange,
  RequestParser,
} from '@dios/apps/testing';
import { accessLine, escapeLogText } from '../src/web/access-log.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('RequestParser', () => {
  it('parses a head fed one byte at a time, then a pipelined second request', () => {
    const p = new RequestParser();
    const text = 'GET /a%20b?q=1 HTTP/1.1\r\nHost: x\r\nX-Two: a\r\nx-two: b\r\n\r\nHEAD / HTTP/1.0\r\n\r\n';
    const bytes = enc(text);
    let first;
    let i = 0;
    for (; i < bytes.length; i++) {
      p.push(bytes.subarray(i, i + 1));
      const r = p.next();
      if (r.kind !== 'incomplete') {
        first = r;
        break;
      }
    }
    expect(first?.kind).toBe('request');
    if (first?.kind !== 'request') return;
    expect(first.request).toMatchObject({
      method: 'GET',
      target: '/a%20b?q=1',
      path: '/a%20b',
      minor: 1,
      keepAlive: true,
      hasBody: false,
    });
    expect(first.request.headers.get('x-two')).toBe('a, b');
    p.push(bytes.subarray(i + 1));
    const second = p.next();
    expect(second.kind === 'request' && second.request).toMatchObject({ method: 'HEAD', minor: 0, keepAlive: false });
    expect(p.next().kind).toBe('incomplete');
    expect(p.buffered).toBe(0);
  });

  it('accepts bare LF line ends and skips empty lines before a request', () => {
    const p = new RequestParser();
    p.push(enc('\r\n\nGET / HTTP/1.1\nHost: x\n\n'));
    expect(p.next().kind).toBe('request');
  });

  it('trims spaces and tabs around a field value, and nothing else (not 0xA0)', () => {
    const p = new RequestParser();
    p.push(
      Uint8Array.from([
        ...enc('GET / HTTP/1.1\r\nHost: x\r\nX: \t a b \t\r\nY: '),
        0xa0,
        0x76,
        0xa0,
        ...enc('\r\n\r\n'),
      ]),
    );
    const r = p.next();
    expect(r.kind === 'request' && [r.request.headers.get('x'), r.request.headers.get('y')]).toEqual([
      'a b',
      '\u00a0v\u00a0',
    ]);
  });

  it('Connection: close ends keep-alive; a body ends it too', () => {
    const close = new RequestParser();
    close.push(enc('GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Close\r\n\r\n'));
    const r = close.next();
    expect(r.kind === 'request' && r.request.keepAlive).toBe(false);
    const body = new RequestParser();
    body.push(enc('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc'));
    const b = body.next();
    expect(b.kind === 'request' && [b.request.hasBody, b.request.keepAlive]).toEqual([true, false]);
  });

  it.each([
    ['GET /\r\n\r\n', 400],
    ['GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n', 400],
    ['G(T / HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\n\r\n', 400],
    ['GET / HTTP/3.0\r\nHost: x\r\n\r\n', 505],
    ['GET / HTTP/1.1\r\nHost : x\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nHost: x\r\nBad\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nHost: x\x01\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1e3\r\n\r\n', 400],
  ])('refuses %j with %i, and stays failed', (text, status) => {
    const p = new RequestParser();
    p.push(enc(text));
    const r = p.next();
    expect(r.kind === 'error' && r.status).toBe(status);
    expect(p.next().kind).toBe('error');
  });

  it('413 once a head passes the limit, whether it ends later or never; 413 for too many fields', () => {
    const p = new RequestParser({ maxHeaderBytes: 64, maxHeaders: 3 });
    p.push(enc('GET / HTTP/1.1\r\nHost: x\r\nX: ' + 'a'.repeat(100)));
    expect(p.next()).toMatchObject({ kind: 'error', status: 413 });
    const q = new RequestParser({ maxHeaderBytes: 1024, maxHeaders: 3 });
    q.push(enc('GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n'));
    expect(q.next()).toMatchObject({ kind: 'error', status: 413 });
    const ok = new RequestParser({ maxHeaderBytes: 64, maxHeaders: 3 });
    ok.push(enc('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(ok.next().kind).toBe('request');
  });
});

describe('parseRange', () => {
  it.each([
    [undefined, 100, { kind: 'full' }],
    ['bytes=0-9', 100, { kind: 'partial', start: 0, end: 9 }],
    ['bytes=90-', 100, { kind: 'partial', start: 90, end: 99 }],
    ['bytes=90-500', 100, { kind: 'partial', start: 90, end: 99 }],
    ['bytes=-10', 100, { kind: 'partial', start: 90, end: 99 }],
    ['bytes=-500', 100, { kind: 'partial', start: 0, end: 99 }],
    ['bytes=100-', 100, { kind: 'unsatisfiable' }],
    ['bytes=-0', 100, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['bytes=9-1', 100, { kind: 'full' }],
    ['bytes=0-1,5-6', 100, { kind: 'full' }],
    ['items=0-1', 100, { kind: 'full' }],
    ['bytes=x-1', 100, { kind: 'full' }],
    ['bytes=99999999999999999999999-', 100, { kind: 'unsatisfiable' }],
  ])('%j of %i bytes', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});

describe('ETags', () => {
  it('come from the name and version; If-None-Match compares weakly, lists and *', () => {
    const name = 'ab'.repeat(32);
    const tag = etagOf(name, 7);
    expect(tag).toBe('"abababababababab-7"');
    expect(etagOf(name, 8)).not.toBe(tag);
    expect(noneMatchHits(tag, tag)).toBe(true);
    expect(noneMatchHits(`"x", W/${tag}`, tag)).toBe(true);
    expect(noneMatchHits('*', tag)).toBe(true);
    expect(noneMatchHits('"x"', tag)).toBe(false);
  });
});

describe('decodeTargetPath', () => {
  it.each([
    ['/', { ok: true, segments: [], directory: true }],
    ['/a/b.txt', { ok: true, segments: ['a', 'b.txt'], directory: false }],
    ['/a//b/', { ok: true, segments: ['a', 'b'], directory: true }],
    ['/a/./b/../c', { ok: true, segments: ['a', 'c'], directory: false }],
    ['/a%20b/%C3%A9', { ok: true, segments: ['a b', 'é'], directory: false }],
    ['http://host/x/y', { ok: true, segments: ['x', 'y'], directory: false }],
    ['/..', { ok: false, status: 403 }],
    ['/a/../../etc/passwd', { ok: false, status: 403 }],
    ['/%2e%2e/etc/passwd', { ok: false, status: 403 }],
    ['/a%2f..%2f..%2fetc', { ok: false, status: 400 }],
    ['/a%5c..', { ok: false, status: 400 }],
    ['/a%00', { ok: false, status: 400 }],
    ['/%zz', { ok: false, status: 400 }],
    ['a/b', { ok: false, status: 400 }],
    ['*', { ok: false, status: 400 }],
  ])('%j', (path, expected) => {
    expect(decodeTargetPath(path)).toMatchObject(expected);
  });
});

describe('content types and listings', () => {
  it('content type by extension, case-insensitive, octet-stream otherwise', () => {
    expect(contentType('/www/a.HTML')).toBe('text/html; charset=utf-8');
    expect(contentType('/www/x.png')).toBe('image/png');
    expect(contentType('/www/.hidden')).toBe('application/octet-stream');
    expect(contentType('/www/dir.d/file')).toBe('application/octet-stream');
  });

  it('lists a directory from the index: directories first, names escaped', () => {
    const paths = ['a.txt', 'sub/b.txt', 'sub/deeper/c.txt', '<x>.html', '.dios-index'];
    const index = paths.map((path) => ({ path, size: undefined, mtimeMs: undefined }));
    expect(listDirectory(index, [])).toEqual([
      { name: 'sub', directory: true },
      { name: '<x>.html', directory: false },
      { name: 'a.txt', directory: false },
    ]);
    expect(listDirectory(index, ['sub'])).toEqual([
      { name: 'deeper', directory: true },
      { name: 'b.txt', directory: false },
    ]);
    expect(listDirectory(index, ['none'])).toBeUndefined();
    const html = listingHtml([], listDirectory(index, [])!);
    expect(html).toContain('&lt;x&gt;.html');
    expect(html).toContain('href="%3Cx%3E.html"');
  });

  it('a listing shows size in human units and date (a directory: its newest), and fits a phone', () => {
    const t = Date.UTC(2026, 11, 7, 10, 50);
    const index = [
      { path: 'big.iso', size: 3 * 1024 * 1024 * 1024, mtimeMs: t },
      { path: 'note.txt', size: 1536, mtimeMs: t - 86_400_000 },
      { path: 'dir/a', size: 1, mtimeMs: t - 5 },
      { path: 'dir/b', size: 1, mtimeMs: t + 60_000 },
    ];
    const entries = listDirectory(index, [])!;
    expect(entries[0]).toEqual({ name: 'dir', directory: true, mtimeMs: t + 60_000 });
    const html = listingHtml([], entries);
    expect(html).toContain('name="viewport"');
    expect(html).toMatch(
      /big\.iso<\/a><\/td><td class="size">3\.0 GiB<\/td><td class="date"><time>2026-12-07 10:50<\/time>/,
    );
    expect(html).toMatch(/note\.txt<\/a><\/td><td class="size">1\.5 KiB<\/td><td class="date"><time>2026-12-06 10:50/);
    expect(html).toMatch(/dir\/<\/a><\/td><td class="size">-<\/td><td class="date"><time>2026-12-07 10:51/);
    expect(html).not.toMatch(/(?<![-\w])width:\s*\d+px/); // no fixed width (a max-width query is fine)
  });
});

describe('access log lines', () => {
  // host ident authuser [10/Oct/2000:13:55:36 +0000] "request line" status bytes
  const CLF =
    /^(\S+) - - \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)\n$/;

  it('is the Common Log Format, in UTC, with - for no body', () => {
    const time = new Date(Date.UTC(2000, 9, 10, 13, 55, 36));
    const line = accessLine({
      address: '127.0.0.1:5000',
      time,
      requestLine: 'GET / HTTP/1.1',
      status: 200,
      bytes: 2326,
    });
    expect(line).toBe('127.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 2326\n');
    expect(accessLine({ address: '[::1]:80', time, requestLine: undefined, status: 408, bytes: 0 })).toMatch(
      /^::1 - - \[.*\] "-" 408 -\n$/,
    );
  });

  it('a hostile request line cannot end the line, forge another, or reach a terminal', () => {
    const time = new Date();
    const evil = 'GET /x HTTP/1.1" 200 5\r\n10.0.0.1 - - [x] "GET /forged\u001b[31m\\ é';
    const line = accessLine({ address: '10.0.0.9:1', time, requestLine: evil, status: 400, bytes: 12 });
    expect(line.split('\n')).toHaveLength(2);
    expect(line).toMatch(CLF);
    // eslint-disable-next-line no-control-regex -- checking that no control character is left
    expect(line.slice(0, -1)).not.toMatch(/[\x00-\x1f\x7f-\uffff]/);
    expect(escapeLogText('a"b\\c\r\n\u001b\u00e9')).toBe('a\\"b\\\\c\\x0d\\x0a\\x1b\\xe9');
  });
});
