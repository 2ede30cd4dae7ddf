/**
 * Helpers of the apps' cluster tests: a nats-server on a free loopback port
 * (the kernel tests' starter), and `dios node start` processes with their
 * control channel (stdin lines, one reply line each).
 */
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The CLI's entry in the sources (run with tsx). */
export const MAIN = join(HERE, '..', 'src', 'cli', 'main.ts');
/** The repository's root (the working directory of the processes started here). */
export const ROOT = join(HERE, '..', '..', '..');

export { freePort, natsMissing, startNatsServer, type NatsServer } from '../../kernel/test/support/nats-server.js';

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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
  /** The cluster to join: nodes of other clusters on the same NATS server are not seen. */
  cluster: string;
  /** NATS user. */
  user: string;
  /** NATS password. */
  pass: string;
  /** Liveness deadline. */
  deadMs: number;
}

/** `dios node start` with the options `o` gives, from the sources (node on main.ts itself, so signals reach the node). */
function spawnNode(id: string, o: NodeOptions): ChildProcessWithoutNullStreams {
  const credentials = ['--user', o.user, '--pass', o.pass];
  const args = ['--nats', o.url, '--id', id, '--cluster', o.cluster, ...credentials, '--dead-ms', String(o.deadMs)];
  return spawn(process.execPath, ['--conditions=@dios/source', '--import', 'tsx', MAIN, 'node', 'start', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: ROOT,
  });
}

/**
 * Starts `dios node start` (node on the sources itself, not the launcher, so that SIGKILL reaches the node); resolves
 * once it is up, fails if it is not within `upMs`.
 */
export async function startNode(id: string, o: NodeOptions, upMs = 30_000): Promise<Node> {
  const child = spawnNode(id, o);
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const replies: string[] = [];
  const waiters: (() => void)[] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    replies.push(line);
    for (const w of waiters.splice(0)) w();
  });
  const next = async (ms: number, what: string): Promise<string> => {
    const deadline = Date.now() + ms;
    while (replies.length === 0) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`node ${id} exited (${child.exitCode ?? child.signalCode}) waiting for ${what}: ${err}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`node ${id}: no reply to ${what} within ${ms} ms`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, Math.min(left, 100));
      });
    }
    return replies.shift()!;
  };
  const up = await next(upMs, 'start');
  expect(up).toBe(`node ${id} up (cluster ${o.cluster}, nats ${o.url})`);
  // One line at a time: a reply answers the line just sent.
  let turn = Promise.resolve();
  const ask = (line: string, ms = 10_000): Promise<string> => {
    const reply = turn.then(() => {
      child.stdin.write(`${line}\n`);
      return next(ms, `'${line}'`);
    });
    // The next line waits for this one's reply either way; its failure reaches the caller through `reply`.
    turn = reply.then(
      () => {},
      () => {},
    );
    return reply;
  };
  return { child, ask, stderr: () => err };
}

/** How a `dios node start` run by {@link nodeOutcome} ended: up (still running), or exited. */
export interface NodeOutcome {
  /** The process (still running when up). */
  child: ChildProcess;
  /** Whether it printed its "up" line. */
  up: boolean;
  /** Its exit status once exited (undefined while up). */
  status: number | null | undefined;
  /** What it wrote to stdout so far. */
  stdout: string;
  /** What it wrote to stderr so far. */
  stderr: string;
}

/**
 * Runs `dios node start` with `o`; resolves once it is up (the caller stops
 * it) or has exited, whichever comes first; after a minute it is killed.
 */
export async function nodeOutcome(id: string, o: NodeOptions): Promise<NodeOutcome> {
  const child = spawnNode(id, o);
  const outcome: NodeOutcome = { child, up: false, status: undefined, stdout: '', stderr: '' };
  child.stderr.on('data', (c: Buffer) => (outcome.stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => {
    child.stdout.on('data', (c: Buffer) => {
      outcome.stdout += c.toString();
      if (outcome.stdout.includes(`node ${id} up `)) {
        clearTimeout(timer);
        outcome.up = true;
        resolve(outcome);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      outcome.status = code;
      resolve(outcome);
    });
  });
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
