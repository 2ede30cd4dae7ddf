/**
 * Shared setup for the KV store tests: a kernel with the network device and
 * a durable store running the server on a free loopback port (in this
 * process, so redis-cli and friends are spawned asynchronously), the server
 * as a child process (for kill -9), raw sockets.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kernel } from '@dios/kernel';
import { FileBlobStore, useNetwork, type FsyncPolicy } from '@dios/kernel/node';
import { startKvServer, type KvServerHandle, type StartKvServerOptions } from '@dios/apps';

export { REQUIRED, programMissing as missing } from '../../kernel/test/support/services.js';

/** A server in this process. */
export interface KvFixture {
  /** The kernel. */
  readonly kernel: Kernel;
  /** The server. */
  readonly server: KvServerHandle;
  /** Its port. */
  readonly port: number;
  /** The store directory. */
  readonly dir: string;
  /** Errors of failed tasks (there should be none). */
  readonly failures: unknown[];
  /** Stops the server and closes the store (the directory stays if `keep`). */
  close(keep?: boolean): Promise<void>;
}

/** Boots a kernel (store in `dir`, default a new temporary one) and starts the server on a free port. */
export async function startKv(options: StartKvServerOptions & { dir?: string; fsync?: FsyncPolicy } = {}): Promise<KvFixture> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'dios-kv-test-'));
  const store = new FileBlobStore(dir, { fsync: options.fsync ?? 'none' });
  // The same cluster on every boot: the data blobs are found by path in its root group.
  const kernel = await Kernel.boot({ store, cluster: 'dios-kv' });
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
    async close(keep = false) {
      await server.stop();
      await store.close();
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs a program to completion without blocking the event loop. */
export function run(program: string, args: readonly string[], input?: string | Uint8Array): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(program, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
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
  /** The socket. */
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
          if (socket.destroyed && !test(text())) throw new Error(`connection closed; got ${JSON.stringify(text().slice(0, 200))}`);
        }
      },
    };
  });
}

const HERE = dirname(fileURLToPath(import.meta.url));
const MAIN = join(HERE, '..', 'src', 'cli', 'main.ts');

/** `dios kv serve` as a child process (node itself, not the launcher, so that kill -9 reaches the server); resolves once it listens. */
export async function serveChild(args: readonly string[]): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const child = spawn(process.execPath, ['--conditions=@dios/source', '--import', 'tsx', MAIN, 'kv', 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: join(HERE, '..', '..', '..'),
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const check = () => {
      const m = /listening on [\d.]+:(\d+)/.exec(out);
      if (m !== null) resolve(Number(m[1]));
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`dios kv serve exited with ${code}: ${out}`)));
  });
  return { child, port, output: () => out };
}

/** A fresh temporary directory (removed by `cleanup`). */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'dios-kv-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
