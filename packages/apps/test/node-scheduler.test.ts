/**
 * `dios node start --scheduler greedy|flow --slots N`: bad values are usage
 * errors naming the option (in this process), the help lists both options,
 * and over a real nats-server two nodes started with `--scheduler flow
 * --slots 2` say so when up, report their slots in their load, and take the
 * map and reduce tasks of a word count that a client kernel (in this
 * process, placing by flowPolicy too) runs with job.kernel '*'.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANY_KERNEL, flowPolicy, Kernel, type PlacementRequest } from '@dios/kernel';
import { useWorkers, type WorkerPool } from '@dios/kernel/node';
import { connectNats, type NatsTransport } from '@dios/kernel/nats';
import { installMapReducePrograms, PROGRAM_IDS, wordCount, wordCountSync } from '@dios/apps';
import { inProcess } from './cli-process.js';
import { MAIN, natsMissing, ROOT, startNatsServer, type NatsServer } from './cluster-helpers.js';
import { putBlob } from './helpers.js';

const USER = 'dios';
const PASS = 'scheduler-test-pw';
const CLUSTER = `fs${process.pid}`;
const missing = natsMissing();
const NAT = ['start', '--nats', 'nats://127.0.0.1:1', '--id', 'a'];

describe('dios node start --scheduler and --slots: the command line', () => {
  it('bad values are usage errors (exit 2) naming the option', async () => {
    const cases: [string[], RegExp][] = [
      [['--scheduler', 'quincy'], /option --scheduler: expected greedy or flow, got 'quincy'/],
      [['--scheduler', ''], /--scheduler/],
      [['--slots', 'two'], /option --slots: expected a whole number from 0 to 4096, got 'two'/],
      [['--slots', '4097'], /--slots: .*got '4097'/],
      [['--slots', '-1'], /--slots/],
      [['--slots', '1.5'], /--slots: .*got '1\.5'/],
    ];
    for (const [args, message] of cases) {
      const r = await inProcess(['node', ...NAT, ...args]);
      expect([r.status, r.stdout], args.join(' ')).toEqual([2, '']);
      expect(r.stderr).toMatch(message);
    }
  });

  it('the help lists --scheduler and --slots', async () => {
    const r = await inProcess(['node', 'start', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/--scheduler NAME +how a run with kernel '\*'/);
    expect(r.stdout).toMatch(/greedy \(default/);
    expect(r.stdout).toContain('--slots N');
    expect(r.stdout).toContain(', scheduler flow');
  });
});

/** A `dios node start` process with extra arguments; `ask` sends a control line and resolves to its reply. */
interface FlowNode {
  child: ChildProcessWithoutNullStreams;
  up: string;
  ask(line: string): Promise<string>;
}

async function startFlowNode(id: string, url: string, extra: string[]): Promise<FlowNode> {
  const args = ['--nats', url, '--id', id, '--cluster', CLUSTER, '--user', USER, '--pass', PASS, '--dead-ms', '1500'];
  const child = spawn(
    process.execPath,
    ['--conditions=@dios/source', '--import', 'tsx', MAIN, 'node', 'start', ...args, ...extra],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const r = await lines.next();
    if (r.done === true) throw new Error(`node ${id} ended: ${err}`);
    return r.value;
  };
  const up = await next();
  let turn = Promise.resolve('');
  const ask = (line: string) =>
    (turn = turn.then(() => {
      child.stdin.write(`${line}\n`);
      return next();
    }));
  return { child, up, ask };
}

let server: NatsServer | undefined;
const nodes: FlowNode[] = [];
let client: Kernel | undefined;
let transport: NatsTransport | undefined;
let pool: WorkerPool | undefined;
const requests: PlacementRequest[] = [];

beforeAll(async () => {
  if (missing !== undefined) return;
  server = await startNatsServer({ args: ['--user', USER, '--pass', PASS] });
  nodes.push(
    ...(await Promise.all(
      ['F1', 'F2'].map((id) => startFlowNode(id, server!.url, ['--scheduler', 'flow', '--slots', '2'])),
    )),
  );
  // The client: takes no tasks, places by min-cost flow as the nodes do.
  const flow = flowPolicy();
  client = await Kernel.boot({
    id: 'flow-client',
    cluster: CLUSTER,
    schedulable: false,
    scheduler: {
      place(request) {
        requests.push(request);
        return flow.place(request);
      },
    },
  });
  pool = useWorkers(client, { size: 0 });
  transport = await connectNats({ servers: server.url, id: 'flow-client', cluster: CLUSTER, user: USER, pass: PASS });
  client.join(transport);
  await installMapReducePrograms(client);
  const deadline = Date.now() + 20_000;
  while (transport.peers().length < 2) {
    if (Date.now() > deadline) throw new Error(`peers still ${transport.peers().join(' ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}, 90_000);

afterAll(async () => {
  await transport?.close();
  await pool?.close();
  for (const n of nodes) n.child.kill('SIGKILL');
  server?.stop();
});

describe.skipIf(missing !== undefined)('dios node start --scheduler flow: two nodes over NATS', () => {
  it('each says it is up with the flow scheduler', () => {
    expect(nodes.map((n) => n.up)).toEqual(
      ['F1', 'F2'].map((id) => `node ${id} up (cluster ${CLUSTER}, nats ${server!.url}, scheduler flow)`),
    );
  });

  it("a word count with job.kernel '*' runs its tasks on both nodes, placed by flow, and counts right", async () => {
    const bytes = new Uint8Array(
      Buffer.concat(Array.from({ length: 4 }, () => readFileSync('/usr/share/common-licenses/GPL-3'))),
    );
    const sys = client!.init;
    const counts = await wordCount(sys, [await putBlob(sys, bytes)], { maps: 4, reduces: 2, kernel: ANY_KERNEL });
    expect(counts).toEqual(wordCountSync(bytes));
    // The nodes' loads carried their --slots; the client never was a candidate.
    expect(requests.length).toBeGreaterThanOrEqual(6);
    for (const r of requests) {
      expect(r.candidates.map((c) => [c.kernel, c.slots]).sort()).toEqual([
        ['F1', 2],
        ['F2', 2],
      ]);
    }
    const maps = await Promise.all(nodes.map((n) => n.ask(`ran ${PROGRAM_IDS.map}`)));
    expect(maps.map(Number).reduce((a, b) => a + b)).toBe(4);
    const reduces = await Promise.all(nodes.map((n) => n.ask(`ran ${PROGRAM_IDS.reduce}`)));
    expect(reduces.map(Number).reduce((a, b) => a + b)).toBe(2);
    // Both nodes took some: a node's slots fill as tasks start, and flow prices a full one above an idle one.
    for (const [i, n] of maps.entries())
      expect(Number(n) + Number(reduces[i]), `tasks on F${i + 1}`).toBeGreaterThan(0);
  }, 60_000);
});
