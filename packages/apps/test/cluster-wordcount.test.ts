/**
 * `dios wordcount --cluster` against three `dios node start` processes over
 * a real nats-server: the counts equal those of one kernel (and of
 * coreutils), and stay right when a node is killed with SIGKILL while it
 * runs map tasks.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreutilsCounts, entries } from './helpers.js';
import {
  MAIN,
  natsMissing,
  peersUntil,
  ROOT,
  sleep,
  startNatsServer,
  startNode,
  type NatsServer,
  type Node,
} from './cluster-helpers.js';

const USER = 'dios';
const PASS = 'wordcount-test-pw';
const DEAD_MS = 1500;
const CLUSTER = `wc${process.pid}`;
const missing = natsMissing();

let server: NatsServer | undefined;
let dir = '';
let input = '';
let bytes: Buffer = Buffer.alloc(0);
const nodes: Record<string, Node> = {};

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `dios wordcount ARGS` (from the sources) to its end, with `env` added. */
function dios(args: string[], env: Record<string, string> = {}): { done: Promise<Run> } {
  const child = spawn(process.execPath, ['--conditions=@dios/source', '--import', 'tsx', MAIN, 'wordcount', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return { done: new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr }))) };
}

const clusterArgs = () => ['--cluster', server!.url, '--cluster-name', CLUSTER, '--user', USER, '--pass', PASS];

function parse(stdout: string): Map<string, number> {
  return new Map(
    stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const [word, count] = l.split('\t');
        return [word!, Number(count)];
      }),
  );
}

beforeAll(async () => {
  if (missing !== undefined) return;
  dir = mkdtempSync(join(tmpdir(), 'dios-cluster-wc-'));
  // Three licence texts, several times over: about 1 MB.
  const texts = [
    '/usr/share/common-licenses/GPL-3',
    '/usr/share/common-licenses/Apache-2.0',
    '/usr/share/common-licenses/LGPL-2.1',
  ].map((f) => readFileSync(f));
  bytes = Buffer.concat(Array.from({ length: 8 }, () => texts).flat());
  input = join(dir, 'input.txt');
  writeFileSync(input, bytes);
  server = await startNatsServer({ args: ['--user', USER, '--pass', PASS] });
  const options = { url: server.url, cluster: CLUSTER, user: USER, pass: PASS, deadMs: DEAD_MS };
  const started = await Promise.all(['A', 'B', 'C'].map((id) => startNode(id, options)));
  ['A', 'B', 'C'].forEach((id, i) => (nodes[id] = started[i]!));
  for (const id of ['A', 'B', 'C']) await peersUntil(nodes[id]!, (p) => p.length === 2, 10_000);
}, 90_000);

afterAll(() => {
  for (const node of Object.values(nodes)) node.child.kill('SIGKILL');
  server?.stop();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing !== undefined)('dios wordcount --cluster: three node processes over NATS', () => {
  it('gives the same output as on one kernel, and the coreutils counts', async () => {
    const [local, cluster] = await Promise.all([
      dios([input, '--all']).done,
      dios([input, '--all', ...clusterArgs()]).done,
    ]);
    expect(local.status, local.stderr).toBe(0);
    expect(cluster.stderr).toBe('');
    expect(cluster.status).toBe(0);
    expect(cluster.stdout).toBe(local.stdout);
    expect(entries(parse(cluster.stdout))).toEqual(entries(coreutilsCounts(bytes)));
  }, 90_000);

  it('inputs already on the nodes (dios:PATH): each map task runs on the node that holds its part', async () => {
    const parts = ['A', 'B', 'C'].map((id, i) => {
      const path = join(dir, `part-${i}.txt`);
      writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 3 / 4096) * 4096));
      return { id, path, dios: `/parts/${process.pid}/part-${i}` };
    });
    for (const p of parts) expect(await nodes[p.id]!.ask(`load ${p.dios} ${p.path}`)).toMatch(/^ok \d+$/);
    const ranBefore = await Promise.all(parts.map((p) => nodes[p.id]!.ask('ran mapreduce-map')));
    const r = await dios(['--all', '--maps', '3', ...parts.map((p) => `dios:${p.dios}`), ...clusterArgs()]).done;
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const whole = Buffer.concat(parts.map((p) => readFileSync(p.path)));
    expect(entries(parse(r.stdout))).toEqual(entries(coreutilsCounts(whole)));
    // Placed by locality: one map on each node, the one holding its part.
    const ranAfter = await Promise.all(parts.map((p) => nodes[p.id]!.ask('ran mapreduce-map')));
    expect(ranAfter.map((n, i) => Number(n) - Number(ranBefore[i]))).toEqual([1, 1, 1]);
    // The inputs were borrowed, not consumed: still there.
    expect(await nodes.A!.ask(`load ${parts[0]!.dios} ${parts[0]!.path}`)).toMatch(/^error EEXIST/);
    const missing = await dios(['dios:/no/such/blob', ...clusterArgs()]).done;
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/cannot read 'dios:\/no\/such\/blob': ENOENT/);
  }, 90_000);

  it('a node killed with SIGKILL while it runs map tasks: the job still gives the right counts', async () => {
    // Each task waits 1.5 s before writing: long enough to kill C while its map tasks run.
    const run = dios([input, '--all', '--maps', '6', '--reduces', '3', ...clusterArgs()], {
      DIOS_MAPREDUCE_DELAY_MS: '1500',
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (/mapreduce-map=\d/.test(await nodes.C!.ask('tasks'))) break;
      if (Date.now() > deadline) throw new Error('C never ran a map task');
      await sleep(20);
    }
    const c = nodes.C!.child;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
    const result = await run.done;
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(entries(parse(result.stdout))).toEqual(entries(coreutilsCounts(bytes)));
    // A and B are still there, and C is gone from their view.
    expect(await peersUntil(nodes.A!, (p) => !p.includes('C'), DEAD_MS + 4000)).not.toContain('C');
  }, 90_000);

  it('no node answering: exits 1 naming --cluster', async () => {
    const r = await dios([input, ...clusterArgs(), '--cluster-name', 'nobody-here', '--wait-ms', '300']).done;
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/EHOSTUNREACH.*--cluster|--cluster.*no node/);
  }, 60_000);
});
