/**
 * Three `dios node start` processes joined over a real nats-server (free
 * loopback port, user and password, max_payload 8MB): they see each other,
 * a blob written on one is read from another, and when one is killed with
 * SIGKILL the others drop it within the liveness deadline and go on serving.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const NATS_SERVER = '/usr/sbin/nats-server';
const USER = 'dios';
const PASS = 'node-test-pw';
const DEAD_MS = 1500;
const HERE = dirname(fileURLToPath(import.meta.url));
const MAIN = join(HERE, '..', 'src', 'cli', 'main.ts');

const missing = ((): string | undefined => {
  if (existsSync(NATS_SERVER)) return undefined;
  const reason = `${NATS_SERVER} not found`;
  if (process.env.DIOS_REQUIRE_SERVICES === '1') throw new Error(`${reason}, and DIOS_REQUIRE_SERVICES=1 requires it`);
  console.warn(`skipped: ${reason} (set DIOS_REQUIRE_SERVICES=1 to make this a failure)`);
  return reason;
})();

/** A node process and its control channel. */
interface Node {
  child: ChildProcess;
  /** Sends a control line; resolves to its reply line (rejects after `ms`). */
  ask(line: string, ms?: number): Promise<string>;
  /** Everything it wrote to stderr. */
  stderr(): string;
}

let server: ChildProcess | undefined;
let dir = '';
let url = '';
const nodes: Record<string, Node> = {};

async function freePort(): Promise<number> {
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts `dios node start` (node on the sources itself, not the launcher, so that SIGKILL reaches the node); resolves once it is up. */
async function startNode(id: string): Promise<Node> {
  const child = spawn(
    process.execPath,
    ['--conditions=@dios/source', '--import', 'tsx', MAIN, 'node', 'start', '--nats', url, '--id', id, '--cluster', `t${process.pid}`, '--user', USER, '--pass', PASS, '--dead-ms', String(DEAD_MS)],
    { stdio: ['pipe', 'pipe', 'pipe'], cwd: join(HERE, '..', '..', '..') },
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
  expect(up).toBe(`node ${id} up (cluster t${process.pid}, nats ${url})`);
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
async function peersUntil(node: Node, test: (peers: string[]) => boolean, ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const reply = await node.ask('peers');
    const peers = reply === '' ? [] : reply.split(' ');
    if (test(peers)) return peers;
    if (Date.now() > deadline) throw new Error(`peers still ${JSON.stringify(peers)} after ${ms} ms`);
    await sleep(50);
  }
}

beforeAll(async () => {
  if (missing !== undefined) return;
  dir = mkdtempSync(join(tmpdir(), 'dios-nodes-'));
  const config = join(dir, 'nats.conf');
  writeFileSync(config, 'max_payload: 8MB\n');
  const port = await freePort();
  server = spawn(NATS_SERVER, ['-c', config, '-a', '127.0.0.1', '-p', String(port), '--user', USER, '--pass', PASS], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (server.exitCode !== null) throw new Error(`nats-server exited with ${server.exitCode}`);
    if (Date.now() > deadline) throw new Error('nats-server did not accept connections within 10 s');
    await sleep(50);
  }
  url = `nats://127.0.0.1:${port}`;
  const started = await Promise.all(['A', 'B', 'C'].map((id) => startNode(id)));
  ['A', 'B', 'C'].forEach((id, i) => (nodes[id] = started[i]!));
}, 90_000);

afterAll(() => {
  for (const node of Object.values(nodes)) node.child.kill('SIGKILL');
  server?.kill();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing !== undefined)('dios node start: three node processes over NATS', () => {
  it('each node lists the other two as peers', async () => {
    for (const id of ['A', 'B', 'C']) {
      const others = ['A', 'B', 'C'].filter((o) => o !== id);
      expect(await peersUntil(nodes[id]!, (p) => others.every((o) => p.includes(o)), 5000)).toEqual(others);
    }
  }, 30_000);

  it('a blob put on A is read on B (remote lookup and read across processes)', async () => {
    expect(await nodes.A!.ask('put /x hello')).toBe('ok');
    expect(await nodes.B!.ask('get /x')).toBe('hello');
    expect(await nodes.A!.ask('put /multi two\\nlines \\\\ here')).toBe('ok');
    expect(await nodes.C!.ask('get /multi')).toBe('two\\nlines \\\\ here');
    expect(await nodes.B!.ask('get /nothing-here')).toMatch(/^error ENOENT /);
    expect(await nodes.B!.ask('frobnicate')).toMatch(/^error EINVAL /);
  }, 30_000);

  it('after C is killed, A drops it within the liveness deadline; a blob that lived only on C no longer resolves', async () => {
    expect(await nodes.C!.ask('put /on-c bytes of C')).toBe('ok');
    expect(await nodes.A!.ask('get /on-c')).toBe('bytes of C');
    const c = nodes.C!.child;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
    // Between the crash and the deadline, A's lookup may still ask C and get EHOSTDOWN; never a hang.
    expect(await nodes.A!.ask('get /on-c', 10_000)).toMatch(/^error (EHOSTDOWN|ENOENT) /);
    // Gone within DEAD_MS plus a sweep (bounded loosely for a loaded machine).
    expect(await peersUntil(nodes.A!, (p) => !p.includes('C'), DEAD_MS + 4000)).toEqual(['B']);
    // Lookup asks only live peers: nobody left has an object of that name.
    expect(await nodes.A!.ask('get /on-c', 10_000)).toMatch(/^error ENOENT /);
  }, 40_000);

  it('A and B go on serving after C died', async () => {
    expect(await peersUntil(nodes.B!, (p) => !p.includes('C'), DEAD_MS + 4000)).toEqual(['A']);
    expect(await nodes.B!.ask('put /y after C')).toBe('ok');
    expect(await nodes.A!.ask('get /y')).toBe('after C');
    expect(await nodes.B!.ask('get /x')).toBe('hello');
    expect(nodes.A!.stderr()).toBe('');
    expect(nodes.B!.stderr()).toBe('');
  }, 30_000);
});

describe.skipIf(missing !== undefined)('dios node start: stopping', () => {
  it('SIGTERM says goodbye (the others drop it at once) and exits 0', async () => {
    const d = await startNode('D');
    nodes.D = d;
    await peersUntil(nodes.A!, (p) => p.includes('D'), 5000);
    const exit = new Promise<number | null>((r) => d.child.once('exit', (code) => r(code)));
    d.child.kill('SIGTERM');
    expect(await exit).toBe(0);
    // Well under DEAD_MS: the goodbye, not the deadline, removed it.
    expect(await peersUntil(nodes.A!, (p) => !p.includes('D'), DEAD_MS - 200)).toEqual(['B']);
  }, 40_000);
});

describe('dios node start: the command line', () => {
  const BIN = join(HERE, '..', 'bin', 'dios.js');
  const dios = (...args: string[]) => spawnSync(process.execPath, [BIN, 'node', ...args], { encoding: 'utf8', timeout: 60_000 });

  it('usage errors exit 2 and name the argument', () => {
    const cases: [string[], RegExp][] = [
      [[], /subcommand/],
      [['stop'], /'stop'/],
      [['start', '--id', 'a'], /--nats/],
      [['start', '--nats', 'nats://127.0.0.1:1'], /--id/],
      [['start', '--nats', 'nats://127.0.0.1:1', '--id', 'a.b'], /--id: .*'a\.b'/],
      [['start', '--nats', 'nats://127.0.0.1:1', '--id', 'a', '--user', 'u'], /--user needs --pass/],
      [['start', '--nats', 'nats://127.0.0.1:1', '--id', 'a', '--user', 'u', '--pass', 'p', '--token', 't'], /--token/],
      [['start', '--nats', 'nats://127.0.0.1:1', '--id', 'a', '--dead-ms', 'soon'], /--dead-ms/],
      [['start', '--nats', 'nats://127.0.0.1:1', '--id', 'a', '--bogus'], /'--bogus'/],
    ];
    for (const [args, message] of cases) {
      const r = dios(...args);
      expect([r.status, r.stdout], args.join(' ')).toEqual([2, '']);
      expect(r.stderr).toMatch(message);
    }
  });

  it('--help prints the node usage', () => {
    const r = dios('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: dios node start --nats URL --id NAME');
    expect(r.stdout).toContain('get PATH');
  });

  it('a NATS server that cannot be reached exits 1', async () => {
    const r = dios('start', '--nats', `nats://127.0.0.1:${await freePort()}`, '--id', 'lonely');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ECONNREFUSED/);
  }, 60_000);
});
