/**
 * `dios web serve` as a child process, run from the sources: it prints
 * the URL, serves the directory with an access log line per response on
 * stdout (none with -q), stops on SIGTERM (and SIGINT) with status 0;
 * --status off hides the status page; usage errors exit 2 naming the
 * argument; an unreadable directory or a port in use exit 1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIOS_ARGV, inProcess } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'dios-web-cli-'));
const site = join(dir, 'site');
mkdirSync(join(site, 'sub'), { recursive: true });
writeFileSync(join(site, 'hello.txt'), 'hello from the CLI\n');
writeFileSync(join(site, 'sub', 'x.css'), 'body{}\n');
writeFileSync(join(site, '.env'), 'SECRET=1\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// What the command says before it serves anything (usage errors, help, a missing directory): in this process.
function dios(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return inProcess(args);
}

// Starts `dios web serve` and resolves with its URL once it prints it.
function serve(
  ...args: string[]
): Promise<{ child: ChildProcess; url: string; exit: Promise<number | null>; stdout: () => string }> {
  const child = spawn(process.execPath, [...DIOS_ARGV, 'web', 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /at (http:\/\/\S+\/) /.exec(out);
      if (m !== null) resolve({ child, url: m[1]!, exit, stdout: () => out });
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    void exit.then((code) => reject(new Error(`exited ${code} before serving: ${out} ${err}`)));
  });
}

describe('dios web serve', () => {
  it('prints the URL, serves the directory and the status page, and stops on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      // The SIGINT run names the default status access (local) in the --opt=value form, and serves dot files.
      const extra = signal === 'SIGINT' ? ['--status=local', '--dotfiles'] : [];
      const { child, url, exit, stdout } = await serve(
        site,
        '-p',
        '0',
        ...extra,
        '--data',
        join(dir, `store-${signal}`),
      );
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const res = await fetch(`${url}hello.txt`);
      expect([res.status, await res.text()]).toEqual([200, 'hello from the CLI\n']);
      // The access log: a Common Log Format line on stdout for the response.
      while (!stdout().includes('GET /hello.txt')) await new Promise((r) => setTimeout(r, 20));
      expect(stdout()).toMatch(/^127\.0\.0\.1 - - \[[^\]]+ \+0000\] "GET \/hello\.txt HTTP\/1\.1" 200 19$/m);
      // A dot file: not served unless --dotfiles.
      expect((await fetch(`${url}.env`)).status).toBe(signal === 'SIGINT' ? 200 : 404);
      const css = await fetch(`${url}sub/x.css`);
      expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
      expect((await fetch(`${url}_dios/status`)).status).toBe(200);
      expect((await fetch(`${url}_dios/status.json`)).status).toBe(200);
      child.kill(signal);
      expect(await exit).toBe(0);
    }
  });

  it('--status off hides the status page (404); -q: no access log', async () => {
    // -q as well: no access log, so stdout holds the URL line only, even after requests were answered.
    const off = await serve(site, '--port', '0', '--status', 'off', '-q', '--data', join(dir, 'store-off'));
    try {
      expect((await fetch(`${off.url}_dios/status`)).status).toBe(404);
      expect((await fetch(`${off.url}_dios/status.json`)).status).toBe(404);
      expect((await fetch(`${off.url}hello.txt`)).status).toBe(200);
    } finally {
      off.child.kill('SIGTERM');
    }
    expect(await off.exit).toBe(0);
    expect(off.stdout().trim().split('\n')).toEqual([expect.stringMatching(/^dios web: serving 2 files from /)]);
  });

  it('usage errors exit 2 and name the argument', async () => {
    const cases: [string[], RegExp][] = [
      [['web'], /subcommand/],
      [['web', 'bogus'], /bogus/],
      [['web', 'serve'], /DIR/],
      [['web', 'serve', site, '--port', 'eighty'], /--port.*'eighty'/],
      [['web', 'serve', site, '--port', '70000'], /--port.*'70000'/],
      [['web', 'serve', site, '--port'], /--port needs a value/],
      [['web', 'serve', site, '--frobnicate'], /'--frobnicate'/],
      [['web', 'serve', site, site], /extra argument/],
      [['web', 'serve', site, '--status', 'public'], /--status: expected off, local or on, got 'public'/],
      [['web', 'serve', site, '--status'], /--status needs a value/],
    ];
    for (const [args, message] of cases) {
      const r = await dios(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    const help = await dios('web', 'serve', '--help');
    expect([help.status, help.stdout.includes('web serve DIR')]).toEqual([0, true]);
  });

  it('a missing directory or a port in use exits 1 with the reason', async () => {
    const missing = await dios('web', 'serve', join(dir, 'nope'), '--port', '0');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/ENOENT/);
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as { port: number }).port;
    try {
      const busy = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [...DIOS_ARGV, 'web', 'serve', site, '--port', String(port)], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.once('exit', (status) => resolve({ status, stderr }));
      });
      expect(busy.status).toBe(1);
      expect(busy.stderr).toMatch(/EADDRINUSE/);
    } finally {
      taken.close();
    }
  });
});
