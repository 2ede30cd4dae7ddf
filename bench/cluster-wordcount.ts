/**
 * The WordCount part of bench:cluster: three `dios node start` processes
 * joined over the benchmark's nats-server, and `dios wordcount --cluster`
 * (a client kernel holding the input and the job master; the map and
 * reduce tasks spread over the nodes) beside `dios wordcount` on one kernel
 * (worker threads, one per core), on the same generated text, interleaved,
 * each a child process timed end to end; and the same job with the text
 * already on the nodes (a third of it loaded into a blob on each node
 * beforehand, as a distributed file system would hold it: `dios wordcount
 * --cluster dios:PATH...`, each map placed on the node holding its part).
 * Outputs must be equal byte for byte.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
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
  /** Wall time across the three node processes, the input shipped from the client, ms. */
  readonly clusterMs: number;
  /** Wall time across the three node processes, the input already on them, ms. */
  readonly placedMs: number;
  /** Peak RSS of the client process of the cluster run (largest over the runs), bytes. */
  readonly clusterClientRss: number;
  /** Peak RSS of the single-kernel run (largest over the runs), bytes. */
  readonly singleRss: number;
}

interface NodeProcess {
  readonly child: ChildProcess;
  /** Sends a control line; resolves to its reply line. */
  ask(line: string): Promise<string>;
}

async function startNode(id: string, setup: ClusterSetup, cluster: string): Promise<NodeProcess> {
  const child = spawn(
    process.execPath,
    [
      CLI,
      'node',
      'start',
      '--nats',
      setup.servers,
      '--id',
      id,
      '--cluster',
      cluster,
      '--user',
      setup.user,
      '--pass',
      setup.pass,
    ],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${id} did not come up within 30 s`)), 30_000);
    lines.on('line', (line) => {
      if (line.startsWith(`node ${id} up`)) {
        clearTimeout(timer);
        resolve();
      } else waiting.shift()?.(line);
    });
    child.once('exit', (code) => reject(new Error(`node ${id} exited with ${String(code)}`)));
  });
  const ask = (line: string) =>
    new Promise<string>((resolve) => {
      waiting.push(resolve);
      child.stdin.write(`${line}\n`);
    });
  return { child, ask };
}

// Cuts `file` into `n` files of about equal size, each ending at a newline (no word is cut).
function splitAtLines(file: string, n: number, dir: string): string[] {
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  const parts: string[] = [];
  try {
    let start = 0;
    for (let i = 0; i < n; i++) {
      let end = i === n - 1 ? size : Math.floor(((i + 1) * size) / n);
      const probe = Buffer.alloc(4096);
      while (end < size) {
        const got = readSync(fd, probe, 0, probe.length, end);
        const nl = probe.subarray(0, got).indexOf(10);
        if (nl >= 0) {
          end += nl + 1;
          break;
        }
        end += got;
      }
      const part = join(dir, `part-${i}.txt`);
      const out = openSync(part, 'w');
      const buffer = Buffer.alloc(8 * 1024 * 1024);
      for (let at = start; at < end;) {
        const got = readSync(fd, buffer, 0, Math.min(buffer.length, end - at), at);
        writeSync(out, buffer, 0, got);
        at += got;
      }
      closeSync(out);
      parts.push(part);
      start = end;
    }
  } finally {
    closeSync(fd);
  }
  return parts;
}

/** Runs the WordCount part on `mb` MB of text, `runs` runs per contender; logs each run. */
export async function clusterWordCount(
  setup: ClusterSetup,
  mb: number,
  runs: number,
  keep: boolean,
): Promise<ClusterWordCount> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const size = mb * 1e6;
  const file = join(tmpdir(), `dios-wordcount-bench-${mb}mb-v1.txt`);
  if (!(keep && existsSync(file) && statSync(file).size === size)) writeCorpus(file, size);
  const cluster = `benchwc${process.pid}`;
  const nodes: NodeProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'dios-cluster-wc-'));
  try {
    for (const id of NODES) nodes.push(await startNode(id, setup, cluster));
    // A third of the text on each node, in memory there, before any timing.
    const parts = splitAtLines(file, NODES.length, dir);
    for (const [i, node] of nodes.entries()) {
      const reply = await node.ask(`load /bench/part-${i} ${parts[i]!}`);
      if (!reply.startsWith('ok ')) throw new Error(`node ${NODES[i]!} could not load its part: ${reply}`);
      rmSync(parts[i]!);
    }
    const clusterArgs = [
      '--cluster',
      setup.servers,
      '--cluster-name',
      cluster,
      '--user',
      setup.user,
      '--pass',
      setup.pass,
    ];
    const contenders = [
      { name: 'one kernel (dios wordcount --all)', argv: [process.execPath, CLI, 'wordcount', file, '--all'] },
      {
        name: 'three node processes (dios wordcount --all --cluster)',
        argv: [process.execPath, CLI, 'wordcount', file, '--all', ...clusterArgs],
      },
      {
        name: 'three node processes, text already on them (dios:PATH...)',
        argv: [
          process.execPath,
          CLI,
          'wordcount',
          ...NODES.map((_, i) => `dios:/bench/part-${i}`),
          '--all',
          ...clusterArgs,
        ],
      },
    ];
    const costs: RunCost[][] = contenders.map(() => []);
    for (let run = 0; run < runs; run++) {
      for (let k = 0; k < contenders.length; k++) {
        const i = (k + run) % contenders.length;
        const load = loadavg()[0]!;
        const cost = await runMeasured(contenders[i]!.argv, join(dir, `out-${i}`));
        costs[i]!.push(cost);
        console.log(
          `  wordcount run ${run + 1}/${runs}: ${contenders[i]!.name}: ${(cost.ms / 1000).toFixed(2)} s, peak RSS ${(cost.rss / 2 ** 20).toFixed(0)} MiB (load average before: ${load.toFixed(1)})`,
        );
      }
      const single = readFileSync(join(dir, 'out-0'));
      for (const i of [1, 2]) {
        if (!single.equals(readFileSync(join(dir, `out-${i}`))))
          throw new Error(`${contenders[i]!.name}: output differs from one kernel's (see ${dir}/out-0 and out-${i})`);
      }
    }
    return {
      bytes: size,
      runs,
      singleMs: median(costs[0]!.map((c) => c.ms)),
      clusterMs: median(costs[1]!.map((c) => c.ms)),
      placedMs: median(costs[2]!.map((c) => c.ms)),
      singleRss: Math.max(...costs[0]!.map((c) => c.rss)),
      clusterClientRss: Math.max(...costs[1]!.map((c) => c.rss)),
    };
  } finally {
    for (const n of nodes) n.child.kill('SIGTERM');
    await Promise.all(
      nodes.map((n) => (n.child.exitCode !== null ? Promise.resolve() : new Promise((r) => n.child.once('exit', r)))),
    );
    rmSync(dir, { recursive: true, force: true });
    if (!keep) rmSync(file, { force: true });
  }
}
