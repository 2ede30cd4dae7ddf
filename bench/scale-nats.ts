/**
 * The NATS half of bench:scale: 3 and 10 `dios node start` processes (the
 * built CLI) over one nats-server, with this process joining as a client
 * kernel. Measures remote lookup latency of names the nodes hold (each
 * node writes one with its `put PATH TEXT` control line) and the rate of
 * task starts the client places on the nodes (a MapReduce map task with no
 * input, which every node registers: it writes one empty partition and
 * exits), with the directory and, when the node CLI has
 * `--name-resolution`, with the broadcast.
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  Kernel,
  ObjectType,
  pathName,
  programBinary,
  type Name,
  type NameResolution,
  type PeerLink,
  type SystemCalls,
} from '@dios/kernel';
import { connectNats, type NatsTransport } from '@dios/kernel/nats';
import { median } from './harness.js';
import { natsMissing, startNatsServer } from '../packages/kernel/test/support/nats-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'packages/apps/dist/cli/main.js');
const USER = 'bench';
const PASS = 'bench-pass';
const SIZES = [3, 10];

/** The rows the NATS half adds to the results table, its notes, and its pass/fail checks. */
export interface NatsFigures {
  /** Table rows: measure, directory, broadcast, ratio, target, result. */
  rows: string[][];
  /** Lines printed under the table. */
  notes: string[];
  /** One entry per target: met or not. */
  checks: boolean[];
}

interface NodeProcess {
  readonly id: string;
  readonly child: ChildProcess;
  /** Sends a control line; resolves to its reply line. */
  ask(line: string): Promise<string>;
}

/** What one cluster (N nodes, one name resolution) measured. */
interface Measured {
  /** Lookup + release of a node's name from the client, median, µs. */
  lookupUs: number;
  /** Lookup requests the client sent per lookup (its link's lookupStats). */
  requestsPerLookup: number;
  /** Tasks whose run() returned, per second (K at once, spread over the nodes). */
  startsPerSec: number;
  /** Tasks started and exited, per second. */
  donePerSec: number;
  /** Seconds from spawning the nodes to every one up and the client seeing them all. */
  upSeconds: number;
  /** Whether every directory shard was complete before measuring (see shardsSynced). */
  primed: boolean;
  /** Timed lookups that fell back to the broadcast. */
  broadcasts: number;
}

/**
 * Waits until every kernel's directory shard is complete before measuring.
 * Over NATS a kernel learns of its peers one heartbeat at a time after it
 * joined; each pair exchanges names 250 ms after they see each other (no
 * lookup needed). False if that does not happen within 20 s.
 */
async function shardsSynced(link: PeerLink, nodes: readonly NodeProcess[]): Promise<boolean> {
  const directory = link.directory!;
  try {
    await until(
      'every directory shard is complete',
      async () =>
        directory.stats.unsynced === 0 &&
        (await Promise.all(nodes.map((n) => n.ask('lookups')))).every((l) => / unsynced (0|-)$/.test(l)),
      20_000,
    );
    return true;
  } catch {
    return false;
  }
}

function startNode(
  id: string,
  servers: string,
  cluster: string,
  mode: NameResolution | undefined,
): Promise<NodeProcess> {
  const args = [
    CLI,
    'node',
    'start',
    '--nats',
    servers,
    '--id',
    id,
    '--cluster',
    cluster,
    '--user',
    USER,
    '--pass',
    PASS,
  ];
  if (mode !== undefined) args.push('--name-resolution', mode);
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${id} did not come up within 60 s`)), 60_000);
    lines.on('line', (line) => {
      if (line.startsWith(`node ${id} up`)) {
        clearTimeout(timer);
        resolve({
          id,
          child,
          ask: (text) =>
            new Promise<string>((answer) => {
              waiting.push(answer);
              child.stdin.write(`${text}\n`);
            }),
        });
      } else waiting.shift()?.(line);
    });
    child.once('exit', (code) => reject(new Error(`node ${id} exited with ${String(code)}`)));
  });
}

// Whether the built node CLI takes --name-resolution (it is how the broadcast baseline runs over NATS).
function cliHasNameResolution(): boolean {
  const help = spawnSync(process.execPath, [CLI, 'help', 'node', 'start'], { encoding: 'utf8' });
  return `${help.stdout}${help.stderr}`.includes('--name-resolution');
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function measureCluster(
  servers: string,
  n: number,
  mode: NameResolution,
  passMode: boolean,
  rounds: number,
  tasks: number,
  batches: number,
): Promise<Measured> {
  const cluster = `scale${process.pid}-${n}-${mode}`;
  const ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
  const t0 = performance.now();
  const nodes = await Promise.all(ids.map((id) => startNode(id, servers, cluster, passMode ? mode : undefined)));
  let transport: NatsTransport | undefined;
  try {
    const kernel = await Kernel.boot({ id: 'client', cluster });
    transport = await connectNats({ servers, id: 'client', cluster, user: USER, pass: PASS });
    const link = kernel.join(transport, { nameResolution: mode });
    const sys: SystemCalls = await kernel.attachTask(['bench-scale']);
    const t = transport;
    await until('the client sees every node', () => ids.every((id) => t.peers().includes(id)));
    for (const node of nodes)
      await until(
        `${node.id} sees every node and the client`,
        async () => (await node.ask('peers')).split(' ').length === n,
      );
    const upSeconds = (performance.now() - t0) / 1000;
    const primed = mode === 'directory' ? await shardsSynced(link, nodes) : true;
    const names: Name[] = [];
    for (const node of nodes) {
      const reply = await node.ask(`put /scale/${node.id} held by ${node.id}`);
      if (reply !== 'ok') throw new Error(`put on ${node.id}: ${reply}`);
      names.push(await pathName(kernel.rootGroup.name, `/scale/${node.id}`));
    }
    const once = async (name: Name): Promise<number> => {
      const start = performance.now();
      const [h] = await sys.lookup(name);
      if (h === undefined) throw new Error('a node-held name was not found');
      await sys.delete(h);
      return (performance.now() - start) * 1000;
    };
    for (const name of names) await once(name);
    const before = link.lookupStats;
    const us: number[] = [];
    for (let r = 0; r < rounds; r++) for (const name of names) us.push(await once(name));
    const after = link.lookupStats;

    // Task starts: a blob holding the map program's binary, run on the nodes in turn, all at once.
    const { ref: binary } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { capacity: 64 });
    const bytes = programBinary('mapreduce-map');
    const buf = await sys.beginWrite(binary, bytes.length);
    buf.set(bytes);
    await sys.endWrite(binary, buf);
    const runBatch = async (batch: number): Promise<{ startMs: number; doneMs: number }> => {
      const start = performance.now();
      const refs = await Promise.all(
        Array.from({ length: tasks }, (_, i) =>
          sys.run(binary, {
            argv: ['mapreduce-map', `scale-${process.pid}-${batch}-${i}`, 'wordcount', '0', '1', '[]'],
            kernel: ids[i % n]!,
          }),
        ),
      );
      const startMs = performance.now() - start;
      for (const ref of refs) await sys.select([ref]);
      const doneMs = performance.now() - start;
      for (const ref of refs) await sys.delete(ref);
      return { startMs, doneMs };
    };
    await runBatch(0);
    const starts: number[] = [];
    const done: number[] = [];
    for (let b = 1; b <= batches; b++) {
      const m = await runBatch(b);
      starts.push((tasks * 1000) / m.startMs);
      done.push((tasks * 1000) / m.doneMs);
    }
    return {
      lookupUs: median(us),
      requestsPerLookup: (after.requests - before.requests) / Math.max(1, after.lookups - before.lookups),
      startsPerSec: median(starts),
      donePerSec: median(done),
      upSeconds,
      primed,
      broadcasts: after.broadcasts - before.broadcasts,
    };
  } finally {
    await transport?.close();
    for (const node of nodes) node.child.kill('SIGTERM');
    await Promise.all(
      nodes.map((node) =>
        node.child.exitCode !== null ? Promise.resolve() : new Promise((r) => node.child.once('exit', r)),
      ),
    );
  }
}

/** Runs the NATS half; resolves to its figures, or to why it was skipped. */
export async function natsPart(options: { full: boolean }): Promise<NatsFigures | string> {
  const missing = natsMissing();
  if (missing !== undefined) return `skipped: ${missing}`;
  const rounds = options.full ? 40 : 10;
  const tasks = options.full ? 60 : 20;
  const batches = options.full ? 5 : 2;
  const withBroadcast = cliHasNameResolution();
  const modes: NameResolution[] = withBroadcast ? ['directory', 'broadcast'] : ['directory'];
  const server = await startNatsServer({ args: ['--user', USER, '--pass', PASS] });
  const got = new Map<string, Measured>();
  try {
    for (const n of SIZES)
      for (const mode of modes) {
        const m = await measureCluster(server.url, n, mode, withBroadcast, rounds, tasks, batches);
        got.set(`${n}/${mode}`, m);
        console.log(
          `  NATS, ${n} nodes, ${mode}: up in ${m.upSeconds.toFixed(1)} s, lookup ${m.lookupUs.toFixed(0)} µs ` +
            `(${m.requestsPerLookup.toFixed(2)} lookup requests each, ${m.broadcasts} broadcasts${m.primed ? '' : ', shards NOT all synced'}), ${m.startsPerSec.toFixed(0)} task starts/s, ${m.donePerSec.toFixed(0)} tasks done/s`,
        );
      }
  } finally {
    server.stop();
  }
  const rows: string[][] = [];
  const cell = (n: number, mode: NameResolution, f: (m: Measured) => string) => {
    const m = got.get(`${n}/${mode}`);
    return m === undefined ? 'n/a' : f(m);
  };
  const ratio = (n: number, f: (m: Measured) => number) => {
    const d = got.get(`${n}/directory`);
    const b = got.get(`${n}/broadcast`);
    return d === undefined || b === undefined ? '-' : (f(d) / f(b)).toFixed(2);
  };
  for (const n of SIZES)
    rows.push([
      `NATS: lookup + release, client -> ${n} nodes (lookup requests each)`,
      cell(n, 'directory', (m) => `${m.lookupUs.toFixed(0)} µs (${m.requestsPerLookup.toFixed(1)})`),
      cell(n, 'broadcast', (m) => `${m.lookupUs.toFixed(0)} µs (${m.requestsPerLookup.toFixed(1)})`),
      ratio(n, (m) => m.lookupUs),
      '-',
      'info',
    ]);
  const small = got.get(`${SIZES[0]}/directory`)!;
  const large = got.get(`${SIZES[1]}/directory`)!;
  const scaled = large.lookupUs / small.lookupUs;
  rows.push([
    `NATS: lookup latency, ${SIZES[1]} nodes / ${SIZES[0]} nodes`,
    scaled.toFixed(2),
    withBroadcast
      ? (got.get(`${SIZES[1]}/broadcast`)!.lookupUs / got.get(`${SIZES[0]}/broadcast`)!.lookupUs).toFixed(2)
      : 'n/a',
    '-',
    '<= 1.5',
    scaled <= 1.5 ? 'PASS' : 'FAIL',
  ]);
  for (const n of SIZES)
    rows.push([
      `NATS: task starts placed on ${n} nodes (started and exited)`,
      cell(n, 'directory', (m) => `${m.startsPerSec.toFixed(0)}/s (${m.donePerSec.toFixed(0)}/s)`),
      cell(n, 'broadcast', (m) => `${m.startsPerSec.toFixed(0)}/s (${m.donePerSec.toFixed(0)}/s)`),
      ratio(n, (m) => m.startsPerSec),
      '-',
      'info',
    ]);
  const notes = [
    `NATS: ${SIZES.join(' and ')} \`dios node start\` processes (built CLI) and this process as a client kernel, one nats-server, all on this machine; ` +
      `lookup: ${rounds} rounds over one name per node (written by the node's put control line), after a warm-up round; lookup requests: the client's lookupStats (the release is one more). ` +
      `Task starts: ${batches} batches of ${tasks} runs at once from the client, spread over the nodes by spec.kernel, of the map program every node registers (no input: it writes one empty partition and exits); ` +
      'starts/s until every run() returned, started-and-exited/s until select saw every task exit; each worker task starts a worker thread on its node. ' +
      "With the directory, a node replies to a run only once the new task's name has reached its shard (and the map task's output blob waits for its own), one more NATS round trip each.",
  ];
  notes.push(
    'NATS directory: before measuring, the bench waits until no kernel waits to hear from a peer (over NATS each learns of its peers after joining, and syncs with each 250 ms after seeing it); ' +
      `shards synced: ${SIZES.map((n) => `${n} nodes ${got.get(`${n}/directory`)?.primed === true ? 'yes' : 'NO'}`).join(', ')}.`,
  );
  if (!withBroadcast)
    notes.push(
      'NATS broadcast column n/a: the built node CLI has no --name-resolution option (the nodes join with the directory).',
    );
  return { rows, notes, checks: [scaled <= 1.5] };
}
