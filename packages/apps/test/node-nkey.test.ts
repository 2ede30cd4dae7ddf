/**
 * `dios node start --nkey FILE` against a nats-server whose users are NKeys,
 * each bound to its node's subjects (natsPermissions): the right seeds join
 * and see each other; an unknown, malformed or missing seed stops the node
 * with exit 1 and a message that never shows the seed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsPermissions } from '@dios/kernel/nats';
import { MAIN, natsMissing, peersUntil, ROOT, startNatsServer, type NatsServer, type Node } from './cluster-helpers.js';

// Test-only NKey users (seed, public key), made with @nats-io/nkeys' createUser.
const N1 = {
  seed: 'SUANHIGGY7KT3LNIFZSMM6SLJUZUZCYAQA4SHAT5BK5QRPOHFFKEM3AGV4',
  key: 'UBV4RG3YR3RRXS2RF2J76TS3UPWYY4BTGCPXJSW5T2AITMYL7GADJHDK',
};
const N2 = {
  seed: 'SUAEWLXCQAAZWQ7B5FV4BIHQGMFBIPY6U5PVBXUP6SXORVH4SYTOV5LVJI',
  key: 'UDCWGT6OXZJRS3L6DUTYAKIG2CMIZDMKOACQEIQB3UWPBUASKTIMSQYP',
};
const CLUSTER = `k${process.pid}`;

const missing = natsMissing();
let server: NatsServer | undefined;
let dir = '';
const started: Node[] = [];

beforeAll(async () => {
  if (missing !== undefined) return;
  dir = mkdtempSync(join(tmpdir(), 'dios-nkey-'));
  const users = [
    { nkey: N1.key, permissions: natsPermissions(CLUSTER, 'n1') },
    { nkey: N2.key, permissions: natsPermissions(CLUSTER, 'n2') },
  ];
  server = await startNatsServer({ config: `authorization: ${JSON.stringify({ users })}\n` });
}, 20_000);

afterAll(() => {
  for (const n of started) n.child.kill('SIGKILL');
  server?.stop();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

function seedFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

function nodeArgs(id: string, nkey: string): string[] {
  return [
    '--conditions=@dios/source',
    '--import',
    'tsx',
    MAIN,
    'node',
    'start',
    '--nats',
    server!.url,
    '--id',
    id,
    '--cluster',
    CLUSTER,
    '--nkey',
    nkey,
    '--dead-ms',
    '1500',
  ];
}

/** Starts a node expected to come up; resolves once it says so. */
async function startUp(id: string, nkey: string): Promise<Node> {
  const child = spawn(process.execPath, nodeArgs(id, nkey), { stdio: ['pipe', 'pipe', 'pipe'], cwd: ROOT });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const lines = createInterface({ input: child.stdout });
  const queue: string[] = [];
  const waiters: (() => void)[] = [];
  lines.on('line', (line) => {
    queue.push(line);
    for (const w of waiters.splice(0)) w();
  });
  const next = async (ms: number): Promise<string> => {
    const deadline = Date.now() + ms;
    while (queue.length === 0) {
      if (child.exitCode !== null) throw new Error(`node ${id} exited ${child.exitCode}: ${err}`);
      if (Date.now() > deadline) throw new Error(`node ${id}: no line within ${ms} ms`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
    return queue.shift()!;
  };
  const node: Node = {
    child,
    ask: async (line, ms = 10_000) => {
      child.stdin.write(`${line}\n`);
      return next(ms);
    },
    stderr: () => err,
  };
  started.push(node);
  expect(await next(30_000)).toBe(`node ${id} up (cluster ${CLUSTER}, nats ${server!.url})`);
  return node;
}

describe.skipIf(missing !== undefined)('dios node start --nkey', () => {
  it('nodes holding their seeds join and see each other', async () => {
    // Seed files usually end with a newline.
    const [n1, n2] = await Promise.all([
      startUp('n1', seedFile('n1.nk', `${N1.seed}\n`)),
      startUp('n2', seedFile('n2.nk', N2.seed)),
    ]);
    expect(await peersUntil(n1, (p) => p.includes('n2'), 5000)).toEqual(['n2']);
    expect(await peersUntil(n2, (p) => p.includes('n1'), 5000)).toEqual(['n1']);
  }, 60_000);

  it('an unknown, malformed or missing seed, or a seed of another node, exits 1 without showing the seed', () => {
    const unknown = 'SUAMYYTWFVSSH32JWIFXF7MXR5EGNDVUQ6TV4NBIGN3WFWGHKJ7SN7QNLU';
    const cases: [string, string, RegExp, string | undefined][] = [
      ['n1', seedFile('unknown.nk', unknown), /EACCES/, unknown],
      ['n1', seedFile('bad.nk', 'SUnot-a-seed-at-all'), /EINVAL.*seed/, 'SUnot-a-seed-at-all'],
      ['n1', join(dir, 'no-such-file'), /--nkey: cannot read .*ENOENT/, undefined],
      ['n2', seedFile('n1-again.nk', N1.seed), /EACCES.*id/, N1.seed],
    ];
    for (const [id, file, message, secret] of cases) {
      const r = spawnSync(process.execPath, nodeArgs(id, file), { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
      expect(r.status, `${file}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(message);
      if (secret !== undefined) expect(r.stderr + r.stdout).not.toContain(secret);
    }
  }, 120_000);

  it('--nkey with --user or --token is a usage error (exit 2)', () => {
    const r = spawnSync(process.execPath, [...nodeArgs('n1', seedFile('x.nk', N1.seed)), '--token', 't'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--nkey/);
  }, 30_000);
});
