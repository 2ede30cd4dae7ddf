/**
 * Shared setup for the KV store tests: a kernel with the network device and
 * a durable store running the server on a free loopback port (in this
 * process, so redis-cli and friends are spawned asynchronously), the server
 * as a child process (for kill -9), raw sockets.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kernel } from '@dios/kernel';
import { FileBlobStore, useNetwork, type FsyncPolicy } from '@dios/kernel/node';
import { startKvServer, type KvServerHandle, type StartKvServerOptions } from '@dios/apps';

export { programMissing as missing } from '../../kernel/test/support/services.js';

/** A server in this process. */
export interface KvFixture {
  /** The kernel the server runs on, with its store in `dir`. */
  readonly kernel: Kernel;
  /** The server's handle, to stop it or wait for its exit status. */
  readonly server: KvServerHandle;
  /** The free TCP port the server was given (it asked for port 0). */
  readonly port: number;
  /** The store directory. */
  readonly dir: string;
  /** Errors of failed tasks (there should be none). */
  readonly failures: unknown[];
  /** Everything written to the kernel's console so far (the server's log). */
  console(): string;
  /** Stops the server and closes the store (the directory stays if `keep`). */
  close(keep?: boolean): Promise<void>;
}

/** Boots a kernel (store in `dir`, default a new temporary one) and starts the server on a free port. */
export async function startKv(
  options: StartKvServerOptions & { dir?: string; fsync?: FsyncPolicy } = {},
): Promise<KvFixture> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'dios-kv-test-'));
  const store = new FileBlobStore(dir, { fsync: options.fsync ?? 'none' });
  // The same cluster on every boot: the data blobs are found by path in its root group.
  let consoleText = '';
  const decoder = new TextDecoder();
  const kernel = await Kernel.boot({
    store,
    cluster: 'dios-kv',
    consoleSink: (bytes) => (consoleText += decoder.decode(bytes)),
  });
  const failures: unknown[] = [];
  kernel.onTaskFailure = (_task, error) => failures.push(error);
  useNetwork(kernel);
  const { dir: _d, fsync: _f, ...rest } = options;
  const server = await startKvServer(kernel, { port: 0, ...rest });
  return {
    kernel,
    server,
    port: server.port!,
    dir,
    failures,
    console: () => consoleText,
    async close(keep = false) {
      await server.stop();
      await store.close();
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs a program to completion without blocking the event loop. */
export function run(
  program: string,
  args: readonly string[],
  input?: string | Uint8Array,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      program,
      args,
      { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin!.end(input);
    else child.stdin!.end();
  });
}

/** `redis-cli -p port args...`, its stdout. */
export async function cli(port: number, ...args: string[]): Promise<string> {
  const r = await run('/usr/bin/redis-cli', ['-p', String(port), ...args]);
  return r.stdout;
}

/** A raw TCP client that collects everything it receives. */
export interface RawClient {
  /** The connection, to write requests to or end. */
  readonly socket: Socket;
  /** Everything received so far, as latin1 text. */
  text(): string;
  /** Resolves once the server has closed the connection (end or close). */
  readonly closed: Promise<void>;
  /** Resolves when the received text satisfies `test`. */
  until(test: (text: string) => boolean): Promise<string>;
}

/** Connects a raw client to `port`. */
export function rawClient(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => resolve(client));
    socket.once('error', reject);
    const chunks: Buffer[] = [];
    const waiters: (() => void)[] = [];
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      for (const w of waiters.splice(0)) w();
    });
    socket.on('error', () => {});
    const closed = new Promise<void>((r) => {
      socket.once('end', () => r());
      socket.once('close', () => r());
    });
    const text = () => Buffer.concat(chunks).toString('latin1');
    const client: RawClient = {
      socket,
      text,
      closed,
      async until(test) {
        for (;;) {
          if (test(text())) return text();
          await Promise.race([new Promise<void>((r) => waiters.push(r)), closed]);
          if (socket.destroyed && !test(text()))
            throw new Error(`connection closed; got ${JSON.stringify(text().slice(0, 200))}`);
        }
      },
    };
  });
}

const HERE = dirname(fileURLToPath(import.meta.url));
const MAIN = join(HERE, '..', 'src', 'cli', 'main.ts');

/** `dios kv serve` as a child process (node itself, not the launcher, so that kill -9 reaches the server); resolves once it listens. */
export async function serveChild(
  args: readonly string[],
): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=@dios/source', '--import', 'tsx', MAIN, 'kv', 'serve', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: join(HERE, '..', '..', '..'),
    },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const check = () => {
      const m = /listening on [\d.]+:(\d+)/.exec(out);
      if (m !== null) resolve(Number(m[1]));
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`dios kv serve exited with ${code}: ${out}`)));
  });
  return { child, port, output: () => out };
}

/** A fresh temporary directory (removed by `cleanup`). */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'dios-kv-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Resident memory of process `pid`, in MB (Linux /proc). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? NaN : Number(m[1]) / 1024;
}

/** INFO's `field:value` lines, from a raw client. */
export async function info(port: number): Promise<Record<string, string>> {
  const c = await rawClient(port);
  c.socket.write('INFO everything\r\n');
  const text = await c.until(
    (t) =>
      /^\$(\d+)\r\n/.test(t) && t.length >= Number(/^\$(\d+)/.exec(t)![1]) + String(/^\$(\d+)/.exec(t)![1]).length + 5,
  );
  c.socket.destroy();
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** A RESP request. */
export function resp(...args: (string | Uint8Array)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : Buffer.from(a);
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Polls `test` every 50 ms until it holds (true) or `ms` pass (false). */
export async function eventually(test: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await test()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
