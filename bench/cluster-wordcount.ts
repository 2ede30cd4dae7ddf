/**
 * The WordCount part of bench:cluster: three `dios node start` processes
 * joined over the benchmark's nats-server, and `dios wordcount --cluster`
 * (a client kernel holding the input and the job master; the map and
 * reduce tasks spread over the nodes) beside `dios wordcount` on one kernel
 * (worker threads, one per core), on the same generated text, interleaved,
 * each a child process timed end to end. Outputs must be equal byte for
 * byte.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { median } from './harness.js';
import { runMeasured, type RunCost } from './peak-rss.js';
import { writeCorpus } from './wordcount-corpus.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'packages/apps/dist/cli/main.js');
const NODES = ['n1', 'n2', 'n3'];

/** Where the nodes join. */
export interface ClusterSetup {
  /** NATS server URL. */
  readonly servers: string;
  /** NATS user. */
  readonly user: string;
  /** NATS password. */
  readonly pass: string;
}

/** What the WordCount part measured (medians over the runs). */
export interface ClusterWordCount {
  /** Input size, bytes. */
  readonly bytes: number;
  /** Runs per contender. */
  readonly runs: number;
  /** Wall time of one kernel, ms. */
  readonly singleMs: number;
  /** Wall time across the three node processes, ms. */
  readonly clusterMs: number;
  /** Peak RSS of the client process of the cluster run (largest over the runs), bytes. */
  readonly clusterClientRss: number;
  /** Peak RSS of the single-kernel run (largest over the runs), bytes. */
  readonly singleRss: number;
}

async function startNode(id: string, setup: ClusterSetup, cluster: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'node', 'start', '--nats', setup.servers, '--id', id, '--cluster', cluster, '--user', setup.user, '--pass', setup.pass], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${id} did not come up within 30 s`)), 30_000);
    lines.on('line', (line) => {
      if (line.startsWith(`node ${id} up`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`node ${id} exited with ${String(code)}`)));
  });
  return child;
}

/** Runs the WordCount part on `mb` MB of text, `runs` runs per contender; logs each run. */
export async function clusterWordCount(setup: ClusterSetup, mb: number, runs: number, keep: boolean): Promise<ClusterWordCount> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const size = mb * 1e6;
  const file = join(tmpdir(), `dios-wordcount-bench-${mb}mb-v1.txt`);
  if (!(keep && existsSync(file) && statSync(file).size === size)) writeCorpus(file, size);
  const cluster = `benchwc${process.pid}`;
  const nodes: ChildProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'dios-cluster-wc-'));
  try {
    for (const id of NODES) nodes.push(await startNode(id, setup, cluster));
    const contenders = [
      { name: 'one kernel (dios wordcount --all)', argv: [process.execPath, CLI, 'wordcount', file, '--all'] },
      {
        name: 'three node processes (dios wordcount --all --cluster)',
        argv: [process.execPath, CLI, 'wordcount', file, '--all', '--cluster', setup.servers, '--cluster-name', cluster, '--user', setup.user, '--pass', setup.pass],
      },
    ];
    const costs: RunCost[][] = contenders.map(() => []);
    for (let run = 0; run < runs; run++) {
      for (let k = 0; k < contenders.length; k++) {
        const i = (k + run) % contenders.length;
        const load = loadavg()[0]!;
        const cost = await runMeasured(contenders[i]!.argv, join(dir, `out-${i}`));
        costs[i]!.push(cost);
        console.log(`  wordcount run ${run + 1}/${runs}: ${contenders[i]!.name}: ${(cost.ms / 1000).toFixed(2)} s, peak RSS ${(cost.rss / 2 ** 20).toFixed(0)} MiB (load average before: ${load.toFixed(1)})`);
      }
      if (!readFileSync(join(dir, 'out-0')).equals(readFileSync(join(dir, 'out-1')))) {
        throw new Error(`the cluster's output differs from one kernel's (see ${dir}/out-0 and out-1)`);
      }
    }
    return {
      bytes: size,
      runs,
      singleMs: median(costs[0]!.map((c) => c.ms)),
      clusterMs: median(costs[1]!.map((c) => c.ms)),
      singleRss: Math.max(...costs[0]!.map((c) => c.rss)),
      clusterClientRss: Math.max(...costs[1]!.map((c) => c.rss)),
    };
  } finally {
    for (const n of nodes) n.kill('SIGTERM');
    await Promise.all(nodes.map((n) => (n.exitCode !== null ? undefined : new Promise((r) => n.once('exit', r)))));
    rmSync(dir, { recursive: true, force: true });
    if (!keep) rmSync(file, { force: true });
  }
}
