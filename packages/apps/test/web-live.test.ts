/**
 * Serving a host directory live: the server answers from blobs that
 * mirrorDirectory keeps current, so a file created, changed and deleted
 * while serving is seen, changed and 404 over HTTP; a link leading out of
 * the directory is never served; listings show size and date and escape
 * names; the access log has one Common Log Format line per response,
 * carried from the connection tasks over the server's log stream; the
 * status page names served objects by path and explains its empty cpu
 * column.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel } from '@dios/kernel';
import { mirrorDirectory, useNetwork, type DirectoryMirror } from '@dios/kernel/node';
import { startWebServer, type RunningWebServer } from '@dios/apps';

// host ident authuser [10/Oct/2000:13:55:36 +0000] "request line" status bytes
const CLF = /^(\S+) - - \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)$/;

describe('dios web serving a directory live', () => {
  let dir: string;
  let site: string;
  let mirror: DirectoryMirror;
  let server: RunningWebServer;
  let url: string;
  const log: string[] = [];
  const failures: unknown[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dios-web-live-'));
    site = join(dir, 'site');
    mkdirSync(join(site, 'sub'), { recursive: true });
    writeFileSync(join(site, 'hello.txt'), 'hello\n');
    writeFileSync(join(site, '<script>.txt'), 'not a script\n');
    writeFileSync(join(site, 'sub', 'page.html'), '<p>sub</p>\n');
    writeFileSync(join(dir, 'secret.txt'), 'outside the served directory\n');
    symlinkSync(join(dir, 'secret.txt'), join(site, 'leak.txt'));
    const kernel = await Kernel.boot({ id: 'web-live' });
    kernel.onTaskFailure = (_task, error) => failures.push(error);
    useNetwork(kernel);
    // No rescans: what this test sees, the watcher brought (or an explicit sync).
    mirror = mirrorDirectory(kernel.init, site, '/www', { rescanMs: 0 });
    await mirror.ready;
    server = await startWebServer(kernel, { root: '/www', port: 0, accessLog: (line) => log.push(line) });
    url = server.url;
  });
  afterAll(async () => {
    await server?.stop();
    await mirror?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Asks for `path` until `check` holds (the watcher acts a moment after the host change; no time asserted).
  async function until(path: string, check: (status: number, body: string) => boolean): Promise<void> {
    for (;;) {
      const res = await fetch(url + path);
      if (check(res.status, await res.text())) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('a file created, changed and deleted while serving is seen, changed and then 404', async () => {
    expect((await fetch(`${url}late.txt`)).status).toBe(404);
    writeFileSync(join(site, 'late.txt'), 'first\n');
    await until('late.txt', (status, body) => status === 200 && body === 'first\n');
    writeFileSync(join(site, 'late.txt'), 'second, longer\n');
    await until('late.txt', (status, body) => status === 200 && body === 'second, longer\n');
    unlinkSync(join(site, 'late.txt'));
    await until('late.txt', (status) => status === 404);
    expect(failures).toEqual([]);
  });

  it('a link out of the directory is not served', async () => {
    const res = await fetch(`${url}leak.txt`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('outside');
    expect(await (await fetch(url)).text()).not.toContain('leak.txt');
  });

  it('the listing shows size and date, directories first, and escapes names', async () => {
    await mirror.sync();
    const html = await (await fetch(url)).text();
    expect(html).toContain('name="viewport"');
    expect(html).toContain('&lt;script&gt;.txt');
    expect(html).not.toContain('<script>');
    expect(html).toMatch(
      /hello\.txt<\/a><\/td><td class="size">6 B<\/td><td class="date"><time>\d{4}-\d\d-\d\d \d\d:\d\d</,
    );
    expect(html.indexOf('sub/')).toBeLessThan(html.indexOf('hello.txt'));
  });

  it('the access log has one CLF line per response, a hostile request line escaped', async () => {
    log.length = 0;
    // Twice: the second on the kept-alive connection comes from its response cache, and is logged too.
    await (await fetch(`${url}hello.txt`)).text();
    await (await fetch(`${url}hello.txt`)).text();
    await fetch(`${url}missing`, { method: 'HEAD' });
    const { connect } = await import('node:net');
    await new Promise<void>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: server.port }, () =>
        socket.end('GET /x"\x1b[2J 200 1\r\r\n\r\n'),
      );
      socket.on('close', () => resolve());
      socket.resume();
    });
    while (log.length < 4) await new Promise((r) => setTimeout(r, 10));
    expect(log).toHaveLength(4);
    for (const line of log) expect(line).toMatch(CLF);
    expect(CLF.exec(log[0]!)!.slice(1)).toEqual(['127.0.0.1', 'GET /hello.txt HTTP/1.1', '200', '6']);
    expect(CLF.exec(log[1]!)!.slice(1)).toEqual(['127.0.0.1', 'GET /hello.txt HTTP/1.1', '200', '6']);
    expect(CLF.exec(log[2]!)!.slice(2)).toEqual(['HEAD /missing HTTP/1.1', '404', '-']);
    expect(CLF.exec(log[3]!)![3]).toBe('400');
    expect(log[3]).toContain('\\"\\x1b[2J');
  });

  it('the status page names served files by path, and explains the cpu column and failed calls', async () => {
    await fetch(`${url}sub/page.html`);
    // A 404: the connection task's lookup of the path failed with ENOENT, which its row says.
    expect((await fetch(`${url}no-such-page.html`)).status).toBe(404);
    const html = await (await fetch(`${url}_dios/status`)).text();
    expect(html).toMatch(/<td class="path">\/www\/sub\/page\.html<\/td><td><code>[0-9a-f]{12}<\/code>/);
    // The server's tasks run in the kernel's thread: n/a, and the legend says why.
    expect(html).toContain('<span class="na"');
    expect(html).toMatch(/<dt>cpu ms<\/dt><dd>[^<]*n\/a|<dt>cpu ms<\/dt><dd>.*<b>n\/a<\/b>/s);
    expect(html).toMatch(/<dt>failed<\/dt><dd>System calls that returned an error/);
    expect(html).toMatch(/<td>\d+ <small class="why">\([^)]*ENOENT \d+[^)]*\)<\/small><\/td>/);
    expect(html).toContain('<span class="arg">dios-httpd-conn</span> <span class="arg">');
  });
});
