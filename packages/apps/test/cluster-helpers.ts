/**
 * Helpers of the apps' cluster tests: a nats-server on a free loopback port,
 * and `dios node start` processes with their control channel (stdin lines,
 * one reply line each).
 *
 * The nats-server part repeats packages/kernel/test/support/nats-server.ts:
 * test files cannot import across the packages' TypeScript projects.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const NATS_SERVER = '/usr/sbin/nats-server';
const HERE = dirname(fileURLToPath(import.meta.url));
/** The CLI's entry in the sources (run with tsx). */
export const MAIN = join(HERE, '..', 'src', 'cli', 'main.ts');
/** The repository's root (the working directory of the processes started here). */
export const ROOT = join(HERE, '..', '..', '..');

/** Why NATS tests cannot run here (undefined: they can); throws when DIOS_REQUIRE_SERVICES=1 and the server is missing. */
export function natsMissing(): string | undefined {
  if (existsSync(NATS_SERVER)) return undefined;
  const reason = `${NATS_SERVER} not found`;
  if (process.env.DIOS_REQUIRE_SERVICES === '1') throw new Error(`${reason}, and DIOS_REQUIRE_SERVICES=1 requires it`);
  console.warn(`skipped: ${reason} (set DIOS_REQUIRE_SERVICES=1 to make this a failure)`);
  return reason;
}

/** A TCP port nothing listens on now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A running nats-server. */
export interface NatsServer {
  /** `nats://127.0.0.1:PORT`. */
  readonly url: string;
  /** Kills it and removes its directory. */
  stop(): void;
}

/** Starts nats-server with the config text `config` and the flags `args`; resolves once it accepts connections. */
export async function startNatsServer(options: { config?: string; args?: readonly string[] } = {}): Promise<NatsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'dios-nodes-'));
  const config = join(dir, 'nats.conf');
  writeFileSync(config, options.config ?? '');
  const port = await freePort();
  const child = spawn(NATS_SERVER, ['-c', config, '-a', '127.0.0.1', '-p', String(port), ...(options.args ?? [])], { stdio: 'ignore' });
  const stop = () => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      stop();
      throw new Error(child.exitCode !== null ? `nats-server exited with ${child.exitCode}` : 'nats-server did not accept connections within 10 s');
    }
    await sleep(50);
  }
  return { url: `nats://127.0.0.1:${port}`, stop };
}

/** A node process and its control channel. */
export interface Node {
  /** The process. */
  child: ChildProcess;
  /** Sends a control line; resolves to its reply line (rejects after `ms`). */
  ask(line: string, ms?: number): Promise<string>;
  /** Everything it wrote to stderr. */
  stderr(): string;
}

/** How {@link startNode} joins a node to the cluster. */
export interface NodeOptions {
  /** NATS server URL. */
  url: string;
  /** Cluster name. */
  cluster: string;
  /** NATS user. */
  user: string;
  /** NATS password. */
  pass: string;
  /** Liveness deadline. */
  deadMs: number;
}

/** Starts `dios node start` (node on the sources itself, not the launcher, so that SIGKILL reaches the node); resolves once it is up. */
export async function startNode(id: string, o: NodeOptions): Promise<Node> {
  const child = spawn(
    process.execPath,
    ['--conditions=@dios/source', '--import', 'tsx', MAIN, 'node', 'start', '--nats', o.url, '--id', id, '--cluster', o.cluster, '--user', o.user, '--pass', o.pass, '--dead-ms', String(o.deadMs)],
    { stdio: ['pipe', 'pipe', 'pipe'], cwd: ROOT },
  );
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const replies: string[] = [];
  const waiters: (() => void)[] = [];
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => {
    replies.push(line);
    for (const w of waiters.splice(0)) w();
  });
  const next = async (ms: number, what: string): Promise<string> => {
    const deadline = Date.now() + ms;
    while (replies.length === 0) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`node ${id} exited (${child.exitCode ?? child.signalCode}) waiting for ${what}: ${err}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`node ${id}: no reply to ${what} within ${ms} ms`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, Math.min(left, 100));
      });
    }
    return replies.shift()!;
  };
  const up = await next(30_000, 'start');
  expect(up).toBe(`node ${id} up (cluster ${o.cluster}, nats ${o.url})`);
  // One line at a time: a reply answers the line just sent.
  let turn = Promise.resolve();
  const ask = (line: string, ms = 10_000): Promise<string> => {
    const reply = turn.then(() => {
      child.stdin!.write(`${line}\n`);
      return next(ms, `'${line}'`);
    });
    turn = reply.then(
      () => {},
      () => {},
    );
    return reply;
  };
  return { child, ask, stderr: () => err };
}

/** Asks `node` for its peers until `test` holds of them; fails after `ms`. */
export async function peersUntil(node: Node, test: (peers: string[]) => boolean, ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const reply = await node.ask('peers');
    const peers = reply === '' ? [] : reply.split(' ');
    if (test(peers)) return peers;
    if (Date.now() > deadline) throw new Error(`peers still ${JSON.stringify(peers)} after ${ms} ms`);
    await sleep(50);
  }
}
