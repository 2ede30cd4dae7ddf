/**
 * `dios wordcount --cluster URL --scheduler greedy|flow`: bad values and a
 * --scheduler without --cluster are usage errors naming the option (in this
 * process); over a real nats-server with two nodes, the client kernel
 * joinCluster boots places by flowPolicy under 'flow' and by the default
 * localityPolicy otherwise, and a word count run with --scheduler flow
 * counts right with its map and reduce tasks on the nodes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localityPolicy } from '@dios/kernel';
import { PROGRAM_IDS } from '@dios/apps';
import { joinCluster } from '../src/cli/join-cluster.js';
import { parseWordCountArgs } from '../src/cli/wordcount-args.js';
import { inProcess } from './cli-process.js';
import {
  MAIN,
  natsMissing,
  peersUntil,
  ROOT,
  startNatsServer,
  startNode,
  type NatsServer,
  type Node,
} from './cluster-helpers.js';
import { coreutilsCounts, entries } from './helpers.js';

const USER = 'dios';
const PASS = 'wordcount-scheduler-test-pw';
const CLUSTER = `ws${process.pid}`;
const missing = natsMissing();

describe('dios wordcount --scheduler: the command line', () => {
  it('bad values are usage errors (exit 2) naming the option', async () => {
    const cluster = ['--cluster', 'nats://127.0.0.1:1'];
    const cases: [string[], RegExp][] = [
      [[...cluster, '--scheduler', 'quincy'], /option --scheduler: expected greedy or flow, got 'quincy'/],
      [[...cluster, '--scheduler', ''], /option --scheduler/],
      [[...cluster, '--scheduler', 'FLOW'], /option --scheduler: .*got 'FLOW'/],
      [['--scheduler', 'flow'], /option --scheduler needs --cluster URL/],
    ];
    for (const [args, message] of cases) {
      const r = await inProcess(['wordcount', 'notes.txt', ...args]);
      expect([r.status, r.stdout], args.join(' ')).toEqual([2, '']);
      expect(r.stderr).toMatch(message);
    }
  });

  it('greedy is the default, flow is taken when asked for', () => {
    const cluster = ['f', '--cluster', 'nats://127.0.0.1:1'];
    expect(parseWordCountArgs(cluster).cluster?.scheduler).toBe('greedy');
    expect(parseWordCountArgs([...cluster, '--scheduler', 'flow']).cluster?.scheduler).toBe('flow');
    expect(parseWordCountArgs([...cluster, '--scheduler', 'greedy']).cluster?.scheduler).toBe('greedy');
  });

  it('the help lists --scheduler', async () => {
    const r = await inProcess(['wordcount', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/--scheduler NAME +how the job's map and reduce tasks are placed/);
  });
});

let server: NatsServer | undefined;
const nodes: Node[] = [];
let dir = '';

beforeAll(async () => {
  if (missing !== undefined) return;
  dir = mkdtempSync(join(tmpdir(), 'dios-wc-scheduler-'));
  server = await startNatsServer({ args: ['--user', USER, '--pass', PASS] });
  const o = { url: server.url, cluster: CLUSTER, user: USER, pass: PASS, deadMs: 1500 };
  nodes.push(...(await Promise.all(['S1', 'S2'].map((id) => startNode(id, o)))));
  await peersUntil(nodes[0]!, (peers) => peers.includes('S2'), 20_000);
}, 60_000);

afterAll(() => {
  for (const n of nodes) n.child.kill('SIGKILL');
  server?.stop();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** Runs `dios wordcount ARGS` from the sources to its end. */
function dios(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--conditions=@dios/source', '--import', 'tsx', MAIN, 'wordcount', ...args], {
    cwd: ROOT,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

describe.skipIf(missing !== undefined)('dios wordcount --cluster --scheduler: two nodes over NATS', () => {
  const args = (scheduler: 'greedy' | 'flow') => ({
    nats: server!.url,
    name: CLUSTER,
    id: `wc-client-${scheduler}`,
    user: USER,
    pass: PASS,
    token: undefined,
    nkey: undefined,
    waitMs: 10_000,
    scheduler,
  });

  it('the client kernel places by flowPolicy under flow, by localityPolicy under greedy', async () => {
    for (const scheduler of ['greedy', 'flow'] as const) {
      const client = await joinCluster(args(scheduler));
      try {
        expect(client.nodes, scheduler).toBe(2);
        expect(client.kernel.scheduler === localityPolicy, scheduler).toBe(scheduler === 'greedy');
      } finally {
        await client.close();
      }
    }
  }, 30_000);

  it('a word count with --scheduler flow counts right, its tasks run on the nodes', async () => {
    const bytes = Buffer.concat(Array.from({ length: 2 }, () => readFileSync('/usr/share/common-licenses/GPL-3')));
    const input = join(dir, 'input.txt');
    writeFileSync(input, bytes);
    const cluster = ['--cluster', server!.url, '--cluster-name', CLUSTER, '--user', USER, '--pass', PASS];
    const r = await dios([input, '--all', '--maps', '4', '--reduces', '2', ...cluster, '--scheduler', 'flow']);
    expect([r.status, r.stderr]).toEqual([0, '']);
    const counts = new Map(
      r.stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.split('\t'))
        .map(([word, count]) => [word!, Number(count)] as const),
    );
    expect(entries(counts)).toEqual(entries(coreutilsCounts(bytes)));
    const ran = async (program: string) =>
      (await Promise.all(nodes.map((n) => n.ask(`ran ${program}`)))).map(Number).reduce((a, b) => a + b);
    expect(await ran(PROGRAM_IDS.map)).toBe(4);
    expect(await ran(PROGRAM_IDS.reduce)).toBe(2);
  }, 60_000);
});
