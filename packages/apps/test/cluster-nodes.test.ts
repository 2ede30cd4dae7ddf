/**
 * Three `dios node start` processes joined over a real nats-server (free
 * loopback port, user and password, max_payload 8MB): they see each other,
 * a blob written on one is read from another, a fourth started with the id
 * of a live one is refused (EEXIST, exit 1), and when one is killed with
 * SIGKILL the others drop it within the liveness deadline and go on serving.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlLine } from '../src/cli/node-control.js';
import { DIOS_ARGV, inProcess } from './cli-process.js';
import {
  freePort,
  natsMissing,
  nodeOutcome,
  peersUntil,
  startNatsServer,
  startNode,
  type NatsServer,
  type Node,
} from './cluster-helpers.js';

const USER = 'dios';
const PASS = 'node-test-pw';
const DEAD_MS = 1500;
const missing = natsMissing();

let server: NatsServer | undefined;
let url = '';
const nodes: Record<string, Node> = {};
const nodeOptions = (): { url: string; cluster: string; user: string; pass: string; deadMs: number } => ({
  url,
  cluster: `t${process.pid}`,
  user: USER,
  pass: PASS,
  deadMs: DEAD_MS,
});

beforeAll(async () => {
  if (missing !== undefined) return;
  server = await startNatsServer({ config: 'max_payload: 8MB\n', args: ['--user', USER, '--pass', PASS] });
  url = server.url;
  const started = await Promise.all(['A', 'B', 'C'].map((id) => startNode(id, nodeOptions())));
  ['A', 'B', 'C'].forEach((id, i) => (nodes[id] = started[i]!));
}, 90_000);

afterAll(() => {
  for (const node of Object.values(nodes)) node.child.kill('SIGKILL');
  server?.stop();
});

describe.skipIf(missing !== undefined)('dios node start: three node processes over NATS', () => {
  it('each node lists the other two as peers', async () => {
    for (const id of ['A', 'B', 'C']) {
      const others = ['A', 'B', 'C'].filter((o) => o !== id);
      expect(await peersUntil(nodes[id]!, (p) => others.every((o) => p.includes(o)), 5000)).toEqual(others);
    }
  }, 30_000);

  it('a second node started with the id of a live one exits 1 with EEXIST naming the id; the live one carries on', async () => {
    const r = await nodeOutcome('B', nodeOptions());
    if (r.up) r.child.kill('SIGKILL');
    expect([r.up, r.status]).toEqual([false, 1]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^dios node: EEXIST: .*connectNats\(id\): node "B" is already live on cluster "t\d+"/);
    // Nobody heard the second B: the others still list the first, which still answers.
    expect(await peersUntil(nodes.A!, (p) => p.includes('B'), 5000)).toEqual(['B', 'C']);
    expect(await nodes.B!.ask('put /b-still-here yes')).toBe('ok');
    expect(await nodes.C!.ask('get /b-still-here')).toBe('yes');
    expect(nodes.B!.stderr()).toBe('');
  }, 60_000);

  it('a blob put on A is read on B (remote lookup and read across processes)', async () => {
    expect(await nodes.A!.ask('put /x hello')).toBe('ok');
    expect(await nodes.B!.ask('get /x')).toBe('hello');
    expect(await nodes.A!.ask('put /multi two\\nlines \\\\ here')).toBe('ok');
    expect(await nodes.C!.ask('get /multi')).toBe('two\\nlines \\\\ here');
    expect(await nodes.B!.ask('get /nothing-here')).toMatch(/^error ENOENT /);
    // B's lookups so far (its two gets here at least) were counted; a shard is on by default (E, U numbers).
    const [lookups = 0, requests = 0] = /^lookups (\d+) broadcasts \d+ requests (\d+) entries \d+ unsynced \d+$/
      .exec(await nodes.B!.ask('lookups'))!
      .slice(1)
      .map(Number);
    expect(lookups).toBeGreaterThanOrEqual(2);
    // A lookup asks each other node at most once (none when B is the name's shard and nobody else holds it).
    expect(requests).toBeLessThanOrEqual(2 * lookups);
    expect(await nodes.B!.ask('frobnicate')).toMatch(/^error EINVAL /);
    // Nothing runs on an idle node but its own tasks, which 'tasks' leaves out.
    expect(await nodes.A!.ask('tasks')).toBe('');
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
    const d = await startNode('D', nodeOptions());
    nodes.D = d;
    await peersUntil(nodes.A!, (p) => p.includes('D'), 5000);
    const exit = new Promise<number | null>((r) => d.child.once('exit', (code) => r(code)));
    d.child.kill('SIGTERM');
    expect(await exit).toBe(0);
    // Well under DEAD_MS: the goodbye, not the deadline, removed it.
    expect(await peersUntil(nodes.A!, (p) => !p.includes('D'), DEAD_MS - 200)).toEqual(['B']);
  }, 40_000);
});

describe.skipIf(missing !== undefined)('dios node start: two at once with one id', () => {
  it('of two node processes started at the same moment with one id, one comes up and the other exits 1 with EEXIST', async () => {
    const o = { ...nodeOptions(), cluster: `twins${process.pid}` };
    const outcomes = await Promise.all([nodeOutcome('T', o), nodeOutcome('T', o)]);
    try {
      expect(outcomes.map((r) => r.up).sort()).toEqual([false, true]);
      const refused = outcomes.find((r) => !r.up)!;
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/EEXIST: .*node "T" is already live/);
    } finally {
      for (const r of outcomes) if (r.up) r.child.kill('SIGKILL');
    }
  }, 90_000);
});

describe('dios node start: the command line', () => {
  const dios = (...args: string[]) =>
    spawnSync(process.execPath, [...DIOS_ARGV, 'node', ...args], { encoding: 'utf8', timeout: 60_000 });

  it('usage errors exit 2 and name the argument', async () => {
    const cases: [string[], RegExp][] = [
      [[], /subcommand/],
      [['stop'], /'stop'/],
      [['start', '--id', 'a'], /--nats/],
      [['start', '--nats', 'nats://127.0.0.1:1', '--id', 'a.b'], /--id: .*'a\.b'/],
      [['start', '--nats', 'nats://127.0.0.1:1', '--id', 'a', '--user', 'u'], /--user needs --pass/],
      [['start', '--nats', 'nats://127.0.0.1:1', '--id', 'a', '--user', 'u', '--pass', 'p', '--token', 't'], /--token/],
      [['start', '--nats', 'nats://127.0.0.1:1', '--id', 'a', '--dead-ms', 'soon'], /--dead-ms/],
      [['start', '--nats', 'nats://127.0.0.1:1', '--id', 'a', '--bogus'], /'--bogus'/],
      [
        ['start', '--nats', 'nats://127.0.0.1:1', '--id', 'a', '--name-resolution', 'gossip'],
        /--name-resolution: expected directory or broadcast, got 'gossip'/,
      ],
    ];
    // In this process: a usage error comes before anything starts (a child process each took seconds here).
    for (const [args, message] of cases) {
      const r = await inProcess(['node', ...args]);
      expect([r.status, r.stdout], args.join(' ')).toEqual([2, '']);
      expect(r.stderr).toMatch(message);
    }
  });

  it('--help prints the node usage', () => {
    const r = dios('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: dios node start --nats URL [--id NAME]');
    expect(r.stdout).toContain('get PATH');
    expect(r.stdout).toContain('--name-resolution HOW');
    expect(r.stdout).toContain('lookups L broadcasts B requests R entries E');
  });

  it("'lookups' shows '-' for the shard's counts of a node without a directory (--name-resolution broadcast)", async () => {
    const node = {
      sys: undefined as never,
      peers: () => [],
      lookups: () => ({ lookups: 2, broadcasts: 2, requests: 5 }),
    };
    expect(await controlLine(node, 'lookups')).toBe('lookups 2 broadcasts 2 requests 5 entries - unsynced -');
    const shard = () => ({ lookups: 4, broadcasts: 0, requests: 7, entries: 12, unsynced: 1 });
    expect(await controlLine({ ...node, lookups: shard }, ' lookups ')).toBe(
      'lookups 4 broadcasts 0 requests 7 entries 12 unsynced 1',
    );
  });

  it('a NATS server that cannot be reached exits 1', async () => {
    const r = dios('start', '--nats', `nats://127.0.0.1:${await freePort()}`, '--id', 'lonely');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ECONNREFUSED/);
  }, 60_000);
});
