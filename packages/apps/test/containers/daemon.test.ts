/**
 * The container daemon in this process on a temporary data directory,
 * spoken to with its client and with curl (a client nobody here wrote;
 * skipped without curl unless DIOS_REQUIRE_SERVICES=1): an image built
 * from a fixture, a container created, started, its console followed, its
 * exit code, inspect's JSON, ps, rm; DiosErrors across the socket;
 * malformed requests answered 400/404/405/413 while the daemon goes on; a
 * second daemon on the same directory refused; stop kills what runs and
 * the next daemon lists it stopped; a daemon in hypervisor mode runs a
 * WASI program in a container (skipped when the C programs are not built,
 * unless DIOS_REQUIRE_SERVICES=1).
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DiosError } from '@dios/kernel';
import { programMissing } from '../../../kernel/test/support/services.js';
import type { ContainerInfo, ContainerSpec } from '../../src/containers/api.js';
import { connectDaemon, type DaemonClient } from '../../src/cli/containers/client.js';
import { containerCommand } from '../../src/cli/containers/container-command.js';
import { imageCommand } from '../../src/cli/containers/image-command.js';
import { startDaemon, type Daemon } from '../../src/cli/containers/daemon.js';
import { nodeEngineHost } from '../../src/cli/containers/host-files.js';
import { wasmMissing, wasmPath } from '../legacy/wasm-programs.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/daemon-hello', import.meta.url));
const CURL = '/usr/bin/curl';
const dec = new TextDecoder();
const run = promisify(execFile);

function start(dir: string): Promise<Daemon> {
  return startDaemon({ dataDir: dir, host: nodeEngineHost(join(dir, 'modules')) });
}

async function rejection(p: Promise<unknown>): Promise<DiosError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DiosError);
    return e as DiosError;
  }
  throw new Error('resolved');
}

/** Follows a container's console until `text` has appeared. */
async function outputOf(client: DaemonClient, id: string, text: string): Promise<void> {
  let seen = '';
  let found!: () => void;
  const until = new Promise<void>((resolve) => (found = resolve));
  await client.logs(id, {
    onData: (bytes) => {
      seen += dec.decode(bytes);
      if (seen.includes(text)) found();
    },
    until,
  });
  expect(seen).toContain(text);
}

/** Sends raw bytes on the socket and resolves to everything the daemon answers before it closes. */
function raw(socket: string, request: string | Buffer, more?: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = connect({ path: socket }, () => {
      s.write(request);
      if (more !== undefined) s.write(more, () => undefined);
    });
    s.on('data', (b: Buffer) => chunks.push(b));
    // The daemon may close while bytes are still going out: what it answered is what counts.
    s.on('error', () => resolve(Buffer.concat(chunks).toString()));
    s.on('close', () => resolve(Buffer.concat(chunks).toString()));
  });
}

describe('the container daemon', () => {
  let dir: string;
  let daemon: Daemon;
  let client: DaemonClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dios-daemon-'));
    daemon = await start(dir);
    client = await connectDaemon({ dataDir: dir, autostart: false });
  });
  afterAll(async () => {
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on DIR/dios.sock, for this user only', () => {
    expect(daemon.paths.socket).toBe(join(dir, 'dios.sock'));
    expect(statSync(daemon.paths.socket).mode & 0o777).toBe(0o600);
  });

  it('builds, creates, starts, follows, waits, inspects, lists and removes over the socket', async () => {
    const image = await client.buildImage(FIXTURE, 'hello');
    expect(image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await client.listImages()).map((i) => i.tags)).toEqual([['hello:latest']]);
    const created = await client.create({ image: 'hello', name: 'c1', args: ['daemon', '3'], env: { X: 'y' } });
    expect(created.State.Status).toBe('created');
    await client.start('c1');
    const seen: string[] = [];
    await client.logs('c1', { onData: (b) => seen.push(dec.decode(b)) });
    expect(seen.join('')).toBe('hello daemon\n');
    expect(await client.wait('c1')).toBe(3);
    expect(dec.decode(await client.logs(created.Id))).toBe('hello daemon\n');
    const info = await client.inspect('c1');
    expect(info).toMatchObject({
      Id: created.Id,
      Name: 'c1',
      Image: image.digest,
      ImageRef: 'hello',
      State: { Status: 'stopped', Running: false, ExitCode: 3, OOMKilled: false },
      Config: { Entry: '/main.mjs', Args: ['daemon', '3'], Env: { GREETING: 'hello', X: 'y' } },
    });
    expect(info.Dios.Group).toMatch(/^[0-9a-f]{64}$/);
    expect(await client.list(false)).toEqual([]);
    expect((await client.list(true)).map((c) => [c.name, c.status, c.exitCode])).toEqual([['c1', 'stopped', 3]]);
    expect((await client.stats('c1')).tasksStarted).toBeGreaterThanOrEqual(1);
    await client.remove('c1');
    const gone = await rejection(client.inspect('c1'));
    expect(gone.code).toBe('ENOENT');
  });

  it('serves the commands: inspect prints what it finds and reports the rest, ps -a and image ls print tables', async () => {
    await client.create({ image: 'hello', name: 'listed' });
    const out: string[] = [];
    const err: string[] = [];
    const spies = [
      vi.spyOn(process.stdout, 'write').mockImplementation((c) => (out.push(String(c)), true)),
      vi.spyOn(process.stderr, 'write').mockImplementation((c) => (err.push(String(c)), true)),
    ];
    let statuses: number[];
    try {
      statuses = [
        await containerCommand(['inspect', '--data', dir, 'listed', 'nope']),
        await containerCommand(['ps', '-a', '--data', dir]),
        await imageCommand(['ls', '--data', dir]),
      ];
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(statuses).toEqual([1, 0, 0]);
    const [inspected, ps, images] = out;
    expect((JSON.parse(inspected!) as ContainerInfo[]).map((i) => i.Name)).toEqual(['listed']);
    expect(err).toEqual([expect.stringMatching(/^dios container: nope: ENOENT: /)]);
    expect(ps).toMatch(/\n[0-9a-f]{12}\s+hello\s+"\/main\.mjs world"\s+.* ago\s+Created\s+listed\n$/);
    expect(images).toMatch(/\nhello\s+latest\s+[0-9a-f]{12}\s+.* ago\s+\d/);
    await client.remove('listed');
  });

  it('loads a host file into a DIOS path over the socket, for --share PATH; a missing one is ENOENT naming hostPath', async () => {
    const host = join(dir, 'to-load.txt');
    writeFileSync(host, 'loaded');
    expect(await client.load('/in/loaded.txt', host)).toEqual(['/in/loaded.txt']);
    const created = await client.create({ image: 'hello', name: 'sharer', shares: ['/in/loaded.txt:ro'] });
    expect(created.Shares.map((s) => [s.path, s.readOnly])).toEqual([['/in/loaded.txt', true]]);
    await client.remove('sharer');
    const missing = await rejection(client.load('/in/x', join(dir, 'nothing-here')));
    expect([missing.code, missing.syscall, missing.argument]).toEqual(['ENOENT', 'load', 'hostPath']);
  });

  it('carries DiosErrors: code, call and argument', async () => {
    const missing = await rejection(client.create({ image: 'no-such-image' }));
    expect(missing.code).toBe('ENOENT');
    const bad = await rejection(client.create({ image: 'hello', limits: { memory: 'lots' } }));
    expect(bad.code).toBe('EINVAL');
    expect(bad.argument).toMatch(/memory/);
    await client.create({ image: 'hello', name: 'twice' });
    expect((await rejection(client.create({ image: 'hello', name: 'twice' }))).code).toBe('EEXIST');
    expect((await rejection(client.removeImage('hello'))).code).toBe('EBUSY');
    // Specs of the wrong shape, as any client could send them: each refused as EINVAL, nothing created.
    for (const spec of [
      { image: 'hello', args: 'not-a-list' },
      { image: 'hello', env: { A: 1 } },
      { image: 'hello', shares: { a: 1 } },
      { image: 'hello', name: 'a/b' },
      { image: 'hello', limits: [] },
      { image: 42 },
    ])
      expect((await rejection(client.create(spec as unknown as ContainerSpec))).code, JSON.stringify(spec)).toBe(
        'EINVAL',
      );
    expect((await client.list(true)).map((c) => c.name)).toEqual(['twice']);
    await client.remove('twice');
  });

  it('answers malformed requests and goes on', async () => {
    const s = daemon.paths.socket;
    const post = (path: string, body: string) =>
      raw(
        s,
        `POST ${path} HTTP/1.1\r\nhost: d\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    const badJson = await post('/containers/create', '{"image": ');
    expect(badJson).toMatch(/^HTTP\/1\.1 400 /);
    expect(badJson).toContain('"code":"EINVAL"');
    expect(await post('/containers/create', '[1,2]')).toMatch(/^HTTP\/1\.1 400 /);
    expect(await post('/containers/x/exec', '{"argv":[]}')).toMatch(/^HTTP\/1\.1 (400|404) /);
    expect(await raw(s, 'GET /nowhere HTTP/1.1\r\nhost: d\r\n\r\n')).toMatch(/^HTTP\/1\.1 404 [^]*"code":"ENOENT"/);
    expect(await raw(s, 'PUT /containers/json HTTP/1.1\r\nhost: d\r\ncontent-length: 0\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 405 /,
    );
    expect(await raw(s, 'GET /containers/%zz/json HTTP/1.1\r\nhost: d\r\nconnection: close\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 400 /,
    );
    // Over 1 MiB, declared: refused before it is read.
    const huge = Buffer.alloc(2 << 20, 0x20);
    expect(
      await raw(s, `POST /containers/create HTTP/1.1\r\nhost: d\r\ncontent-length: ${huge.length}\r\n\r\n`, huge),
    ).toMatch(/^HTTP\/1\.1 413 /);
    // Over 1 MiB, chunked (no length said): refused once it passes the limit.
    const chunk = Buffer.concat([Buffer.from(`${huge.length.toString(16)}\r\n`), huge, Buffer.from('\r\n0\r\n\r\n')]);
    expect(await raw(s, 'POST /images/build HTTP/1.1\r\nhost: d\r\ntransfer-encoding: chunked\r\n\r\n', chunk)).toMatch(
      /^HTTP\/1\.1 413 /,
    );
    expect(await raw(s, 'this is not http\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 |^$/);
    expect(await client.ping()).toBe(true);
    expect(await client.list(true)).toEqual([]);
  });

  it('refuses a second daemon on the same data directory', async () => {
    const second = await rejection(start(dir));
    expect(second.code).toBe('EADDRINUSE');
    expect(second.message).toContain('already serves');
    expect(await client.ping()).toBe(true);
  });

  it('replaces a stale socket left by a daemon that died, and leaves other files alone', async () => {
    const other = mkdtempSync(join(tmpdir(), 'dios-daemon-stale-'));
    try {
      const sock = join(other, 'dios.sock');
      // A process that listens there and dies by SIGKILL leaves the socket file behind.
      const code = `require('net').createServer().listen(${JSON.stringify(sock)}, () => process.kill(process.pid, 'SIGKILL'))`;
      await new Promise((resolve) => spawn(process.execPath, ['-e', code]).on('exit', resolve));
      expect(statSync(sock).isSocket()).toBe(true);
      const revived = await start(other);
      expect(await (await connectDaemon({ dataDir: other, autostart: false })).ping()).toBe(true);
      await revived.stop();
      writeFileSync(sock, 'not a socket');
      expect((await rejection(start(other))).code).toBe('EEXIST');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('listens under TMPDIR when DIR/dios.sock would be too long for a socket path', async () => {
    const long = join(dir, 'x'.repeat(120));
    const other = await start(long);
    try {
      expect(other.paths.socket.startsWith(join(tmpdir(), 'dios-'))).toBe(true);
      expect(await (await connectDaemon({ dataDir: long, autostart: false })).ping()).toBe(true);
    } finally {
      await other.stop();
    }
    expect(existsSync(other.paths.socket)).toBe(false);
  });

  it.skipIf(programMissing(CURL) !== undefined)('speaks HTTP to curl', async () => {
    const curl = async (...args: string[]) =>
      (await run(CURL, ['-s', '--unix-socket', daemon.paths.socket, '-w', '\n%{http_code}', ...args])).stdout;
    expect(await curl('http://dios/_ping')).toBe('OK\n200');
    const created = await curl(
      '-X',
      'POST',
      '-H',
      'content-type: application/json',
      '-d',
      '{"image":"hello","name":"viacurl","args":["curl"]}',
      'http://dios/containers/create',
    );
    expect(created).toMatch(/"Name":"viacurl"[^]*\n201$/);
    expect(await curl('-X', 'POST', 'http://dios/containers/viacurl/start')).toMatch(
      /"Status":"(running|stopped)"[^]*\n200$/,
    );
    expect(await curl('-X', 'POST', 'http://dios/containers/viacurl/wait')).toBe('{"StatusCode":0}\n200');
    expect(await curl('http://dios/containers/viacurl/logs?follow=1')).toBe('hello curl\n\n200');
    expect(await curl('http://dios/containers/json?all=1')).toMatch(/"name":"viacurl"[^]*\n200$/);
    expect(await curl('http://dios/containers/nope/json')).toMatch(/"code":"ENOENT"[^]*\n404$/);
    expect(await curl('-X', 'DELETE', 'http://dios/containers/viacurl')).toBe('\n204');
  });

  it('execs into a running container, sums its stats, and stops it after the grace period', async () => {
    await client.create({ image: 'hello', name: 'busy', args: ['sleep'], limits: { memory: '64m' } });
    await client.start('busy');
    // Its entry says when it runs (exec into a container whose entry has not started yet would race it).
    await outputOf(client, 'busy', 'sleeping\n');
    expect(await client.exec('busy', ['/main.mjs', 'exec', '4'])).toBe(4);
    const stats = await client.stats('busy');
    expect(stats).toMatchObject({ name: 'busy', memoryLimitMb: 64 });
    expect(stats.tasksStarted).toBeGreaterThanOrEqual(2);
    expect(stats.calls).toBeGreaterThan(0);
    expect((await client.list(false)).map((c) => c.name)).toEqual(['busy']);
    const stopped = await client.stop('busy', 0);
    expect(stopped.State).toMatchObject({ Status: 'stopped', ExitCode: 137 });
    const log = dec.decode(await client.logs('busy'));
    expect(log).toContain('sleeping\n');
    expect(log).toContain('hello exec\n');
    await client.remove('busy');
  });

  it('stops: kills what runs, removes the socket; the next daemon lists it stopped', async () => {
    await client.create({ image: 'hello', name: 'sleeper', args: ['sleep'] });
    await client.start('sleeper');
    const waiting = client.wait('sleeper');
    // Sent after the wait, answered once the entry runs: the wait is being served by then.
    await outputOf(client, 'sleeper', 'sleeping\n');
    await daemon.stop();
    // A request open at the stop gets its answer: the container was killed.
    expect(await waiting).toBe(137);
    expect(existsSync(daemon.paths.socket)).toBe(false);
    expect(await client.ping()).toBe(false);
    daemon = await start(dir);
    const [sleeper] = await client.list(true);
    expect(sleeper).toMatchObject({ name: 'sleeper', status: 'stopped' });
    expect((await client.listImages()).map((i) => i.tags)).toEqual([['hello:latest']]);
  });
});

describe.skipIf(wasmMissing('wc') !== undefined)('a daemon in hypervisor mode', () => {
  it('runs a WASI program (C compiled to WebAssembly) in a container, its files from the image', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dios-daemon-hv-'));
    const image = join(dir, 'image');
    mkdirSync(join(image, 'bin'), { recursive: true });
    mkdirSync(join(image, 'etc'));
    copyFileSync(wasmPath('wc'), join(image, 'bin', 'wc.wasm'));
    writeFileSync(join(image, 'etc', 'words.txt'), 'one two\nthree\n');
    writeFileSync(join(image, 'dios-image.json'), JSON.stringify({ entry: '/bin/wc.wasm', args: ['/etc/words.txt'] }));
    const daemon = await startDaemon({ dataDir: dir, hypervisor: true, host: nodeEngineHost(join(dir, 'modules')) });
    try {
      const client = await connectDaemon({ dataDir: dir, autostart: false });
      await client.buildImage(image, 'wc');
      await client.create({ image: 'wc', name: 'wc' });
      await client.start('wc');
      expect(await client.wait('wc')).toBe(0);
      expect(dec.decode(await client.logs('wc'))).toMatch(/^\s*2\s+3\s+14 \/etc\/words\.txt\n$/);
    } finally {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
