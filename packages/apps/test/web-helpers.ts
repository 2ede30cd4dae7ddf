/**
 * Shared setup for the web server tests: a kernel with a network device and
 * a durable store, a host directory imported into it, the server task on a
 * free loopback port; curl spawned asynchronously (the server runs in this
 * process, so nothing here may block the event loop); raw sockets.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Kernel } from '@dios/kernel';
import { FileBlobStore, importDirectory, useNetwork } from '@dios/kernel/node';
import { startWebServer, type RunningWebServer, type WebServerOptions } from '@dios/apps';

export { programMissing as missing } from '../../kernel/test/support/services.js';
/** curl's path. */
export const CURL = '/usr/bin/curl';
/** Chromium's path. */
export const CHROMIUM = '/usr/bin/chromium';

/** The files every test site holds (relative path -> content). */
export const SITE: Readonly<Record<string, string | Uint8Array>> = {
  'index.html': '<!doctype html><title>home</title><h1>DIOS home</h1>\n',
  'hello.txt': 'hello, DIOS web\n',
  'data/numbers.json': '[1,2,3]\n',
  'data/notes.md': '# notes\n',
  'docs/index.html': '<h1>docs</h1>\n',
  'big.bin': Uint8Array.from({ length: 600 * 1024 }, (_, i) => (i * 7 + (i >> 9)) & 0xff),
  'odd name é.txt': 'unicode path\n',
};

/** A running test server. */
export interface WebFixture {
  /** The kernel the server runs on, with the test site imported under /www. */
  readonly kernel: Kernel;
  /** The server's handle, to stop it. */
  readonly server: RunningWebServer;
  /** Base URL, with a trailing slash. */
  readonly url: string;
  /** The free TCP port the server was given (it asked for port 0). */
  readonly port: number;
  /** Errors of failed tasks (there should be none). */
  readonly failures: unknown[];
  /** Stops the server and removes the temporary directories. */
  close(): Promise<void>;
}

/** Boots a kernel, imports {@link SITE} under /www and starts the server on a free port. */
export async function startFixture(options: Partial<WebServerOptions> = {}): Promise<WebFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'dios-web-test-'));
  const site = join(dir, 'site');
  for (const [rel, content] of Object.entries(SITE)) {
    mkdirSync(dirname(join(site, rel)), { recursive: true });
    writeFileSync(join(site, rel), content);
  }
  const store = new FileBlobStore(join(dir, 'store'), { fsync: 'none' });
  const kernel = await Kernel.boot({ id: 'web-test', store });
  const failures: unknown[] = [];
  kernel.onTaskFailure = (_task, error) => failures.push(error);
  useNetwork(kernel);
  await importDirectory(kernel.init, site, '/www');
  const server = await startWebServer(kernel, { root: '/www', port: 0, ...options });
  return {
    kernel,
    server,
    url: server.url,
    port: server.port,
    failures,
    async close() {
      await server.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What {@link curl} returns. */
export interface CurlResult {
  /** Exit status. */
  readonly code: number;
  /** Standard output (latin1, so bytes survive). */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
}

/** Runs curl with `args` (asynchronously). */
export function curl(...args: string[]): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile(
      CURL,
      ['--silent', '--show-error', '--max-time', '20', ...args],
      { encoding: 'latin1', maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
      },
    );
  });
}

/** Splits `curl -i` output into the status, lower-cased header fields and the body. */
export function parseResponse(text: string): { status: number; headers: Map<string, string>; body: string } {
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: Number(statusLine!.split(' ')[1]), headers, body: end < 0 ? '' : text.slice(end + 4) };
}

/** A raw TCP client that records what it receives and when the server closes. */
export interface RawClient {
  /** The connection, to write requests to or end. */
  readonly socket: Socket;
  /** Everything received so far (latin1). */
  text(): string;
  /** Resolves when the server has closed the connection (end or reset). */
  readonly closed: Promise<void>;
}

/** Connects a raw client to `port`. */
export function rawClient(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let onClose!: () => void;
    const closed = new Promise<void>((r) => (onClose = r));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => onClose());
    socket.on('close', () => onClose());
    socket.on('error', () => onClose());
    socket.once('connect', () => resolve({ socket, text: () => Buffer.concat(chunks).toString('latin1'), closed }));
    socket.once('error', reject);
  });
}

/** Waits until `client` has received `pattern` (or its connection closed). */
export async function received(client: RawClient, pattern: RegExp): Promise<string> {
  for (;;) {
    const text = client.text();
    if (pattern.test(text)) return text;
    const more = new Promise<void>((r) => client.socket.once('data', () => r()));
    await Promise.race([more, client.closed]);
    if (!pattern.test(client.text()) && client.socket.readableEnded) return client.text();
    if (client.socket.destroyed && !pattern.test(client.text())) return client.text();
  }
}
