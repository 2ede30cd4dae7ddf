/**
 * WordCount benchmark: `dios wordcount FILE --all` (WordCount on MapReduce,
 * one worker thread per core, loading the file included) beside a
 * single-threaded Node program with the same tokenizer and the coreutils
 * pipeline, on two texts (wordcount-corpus.ts): a generated Zipf-like one
 * and the real documentation and sources found on the machine. Each
 * contender is a child process timed end to end, runs interleaved; the
 * medians are reported, with the CPU overhead of DIOS over the Node
 * baseline. DIOS's output must equal the Node baseline's, byte for byte,
 * and the coreutils counts must agree with both.
 *
 *   npm run bench:wordcount
 *   BENCH_WORDCOUNT_MB=512 BENCH_WORDCOUNT_RUNS=5 npm run bench:wordcount
 *   BENCH_QUICK=1 npm run bench:wordcount        (16 MB, one run)
 *   BENCH_WORDCOUNT_KEEP=1 keeps the texts for the next run
 *   BENCH_WORDCOUNT_CORPUS=real (or generated) runs one text only
 *   BENCH_WORDCOUNT_COREUTILS=0 leaves the (slow) coreutils pipeline out
 * @module
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, printTable } from './harness.js';
import { runMeasured, RSS_METHOD, type RunCost } from './peak-rss.js';
import { VOCABULARY, writeCorpus, writeRealCorpus } from './wordcount-corpus.js';

const QUICK = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
const MB = Number(process.env.BENCH_WORDCOUNT_MB ?? (QUICK ? 16 : 256));
const RUNS = Number(process.env.BENCH_WORDCOUNT_RUNS ?? (QUICK ? 1 : 3));
const KEEP = process.env.BENCH_WORDCOUNT_KEEP === '1';
const CORPUS = process.env.BENCH_WORDCOUNT_CORPUS;
const COREUTILS = process.env.BENCH_WORDCOUNT_COREUTILS !== '0';
const SIZE = MB * 1e6;
const MiB = 1024 * 1024;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'packages/apps/dist/cli/main.js');
const NODE_BASELINE = join(ROOT, 'bench/wordcount-node.mjs');
const PIPELINE = "LC_ALL=C tr -cs 'A-Za-z0-9' '\\n' < \"$0\" | tr 'A-Z' 'a-z' | sort | uniq -c | sort -rn";

interface Contender {
  name: string;
  argv: (file: string) => string[];
}

const CONTENDERS: Contender[] = [
  { name: 'DIOS (dios wordcount --all)', argv: (f) => [process.execPath, CLI, 'wordcount', f, '--all'] },
  { name: 'Node, one thread (wordCountSync)', argv: (f) => [process.execPath, NODE_BASELINE, f] },
  ...(COREUTILS
    ? [{ name: 'coreutils (tr | tr | sort | uniq -c | sort -rn)', argv: (f: string) => ['bash', '-c', PIPELINE, f] }]
    : []),
];

const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;
const mbps = (ms: number) => SIZE / 1e6 / (ms / 1000);

/** The counts of `uniq -c` output, as word -> count. */
function coreutilsCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+) (.*)$/.exec(line);
    if (m !== null && m[2] !== '') counts.set(m[2]!, Number(m[1]));
  }
  return counts;
}

function checkOutputs(dir: string): number {
  const dios = readFileSync(join(dir, 'out-0'));
  const node = readFileSync(join(dir, 'out-1'));
  if (!dios.equals(node))
    throw new Error(`DIOS's output differs from the Node baseline's (see ${dir}/out-0 and out-1; kept)`);
  const lines = node
    .toString('latin1')
    .split('\n')
    .filter((l) => l !== '');
  if (!COREUTILS) return lines.length;
  const core = coreutilsCounts(readFileSync(join(dir, 'out-2'), 'latin1'));
  if (lines.length !== core.size) throw new Error(`coreutils found ${core.size} distinct words, Node ${lines.length}`);
  for (const line of lines) {
    const [word, count] = line.split('\t');
    if (core.get(word!) !== Number(count))
      throw new Error(`'${word}': Node counts ${count}, coreutils ${String(core.get(word!))}`);
  }
  return lines.length;
}

// One text the contenders run on.
interface Corpus {
  /** Its name in the output. */
  readonly name: string;
  /** The file it is kept in. */
  readonly file: string;
  /** What the text is, when it was kept from an earlier run (no counts then). */
  readonly about: string;
  /** Writes the file; returns a line saying what the text is. */
  write(file: string): string;
}

const CORPORA: Corpus[] = [
  {
    name: 'generated',
    file: join(tmpdir(), `dios-wordcount-bench-${MB}mb-v1.txt`),
    about: `words drawn with probability ~1/rank from ${VOCABULARY.toLocaleString('en')} words`,
    write: (file) => {
      const { fromLicences } = writeCorpus(file, SIZE);
      return (
        `words drawn with probability ~1/rank from ${VOCABULARY.toLocaleString('en')} words ` +
        `(${fromLicences.toLocaleString('en')} words of /usr/share/common-licenses first, then generated ones), ` +
        'mixed case, commas, full stops, lines of ~72 columns'
      );
    },
  },
  {
    name: 'real',
    file: join(tmpdir(), `dios-wordcount-bench-${MB}mb-real-v1.txt`),
    about: 'the documentation and sources on this machine',
    write: (file) => {
      const { files, textBytes } = writeRealCorpus(file, SIZE);
      const once = textBytes >= SIZE ? 'each once' : `${(textBytes / 1e6).toFixed(0)} MB of it, repeated`;
      return `the documentation and sources on this machine: ${files.toLocaleString('en')} text files in sorted order (${once})`;
    },
  },
];

interface Outcome {
  readonly corpus: string;
  readonly failed: number;
}

async function runCorpus(corpus: Corpus, cpus: number): Promise<Outcome> {
  const { file } = corpus;
  let what = `${corpus.about} (kept from an earlier run)`;
  if (!(KEEP && existsSync(file) && statSync(file).size === SIZE)) {
    const g0 = performance.now();
    what = corpus.write(file);
    console.log(`generated ${file} in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
  }
  console.log('');
  console.log(`== ${corpus.name} text: ${what}`);
  const load = loadavg()[0]!;
  if (load > cpus / 2)
    console.log(
      `  note: load average ${load.toFixed(1)} on ${cpus} CPUs; expect noisy figures (DIOS, using every core, suffers most)`,
    );

  const dir = mkdtempSync(join(tmpdir(), 'dios-wordcount-out-'));
  const costs: RunCost[][] = CONTENDERS.map(() => []);
  let distinct = 0;
  try {
    for (let run = 0; run < RUNS; run++) {
      // Rotate the order, so no contender always follows the same one.
      for (let k = 0; k < CONTENDERS.length; k++) {
        const i = (k + run) % CONTENDERS.length;
        const load = loadavg()[0]!;
        const cost = await runMeasured(CONTENDERS[i]!.argv(file), join(dir, `out-${i}`));
        costs[i]!.push(cost);
        console.log(
          `  run ${run + 1}/${RUNS}: ${CONTENDERS[i]!.name}: ${(cost.ms / 1000).toFixed(2)} s, CPU ${(cost.cpuMs / 1000).toFixed(2)} s, ` +
            `peak RSS ${mib(cost.rss)} (load average before: ${load.toFixed(1)})`,
        );
      }
      distinct = checkOutputs(dir);
    }
    rmSync(dir, { recursive: true, force: true });
  } finally {
    if (!KEEP) rmSync(file, { force: true });
  }

  const ms = costs.map((c) => median(c.map((x) => x.ms)));
  const rss = costs.map((c) => Math.max(...c.map((x) => x.rss)));
  const cpu = costs.map((c) => median(c.map((x) => x.cpuMs)));
  console.log('');
  printTable([
    ['contender', 'wall time (median)', 'MB/s', 'CPU time (median)', 'peak RSS (max)'],
    ...CONTENDERS.map((c, i) => [
      c.name,
      `${(ms[i]! / 1000).toFixed(2)} s`,
      mbps(ms[i]!).toFixed(1),
      Number.isNaN(cpu[i]) ? '-' : `${(cpu[i]! / 1000).toFixed(2)} s`,
      mib(rss[i]!),
    ]),
  ]);
  const [dios, node, core] = ms as [number, number, number | undefined];
  const overhead = (cpu[0]! / cpu[1]! - 1) * 100;
  const targets = [
    {
      name: 'DIOS / Node one thread (speed)',
      value: (node / dios).toFixed(2),
      target: '>= 1.7',
      met: node / dios >= 1.7,
    },
    {
      name: 'DIOS CPU over Node one thread',
      value: `${overhead >= 0 ? '+' : ''}${overhead.toFixed(0)}% (${(cpu[0]! / 1000).toFixed(2)} s / ${(cpu[1]! / 1000).toFixed(2)} s)`,
      target: '<= +15%',
      met: overhead <= 15,
    },
    ...(core === undefined
      ? []
      : [{ name: 'DIOS / coreutils (speed)', value: (core / dios).toFixed(2), target: '>= 3', met: core / dios >= 3 }]),
    {
      name: 'DIOS peak RSS',
      value: mib(rss[0]!),
      target: `<= input + 256 MiB = ${mib(SIZE + 256 * MiB)}`,
      met: rss[0]! <= SIZE + 256 * MiB,
    },
  ];
  console.log('');
  printTable([
    ['comparison', 'value', 'target', 'result'],
    ...targets.map((t) => [t.name, t.value, t.target, t.met ? 'PASS' : 'FAIL']),
  ]);
  console.log('');
  console.log(
    `every run: DIOS's output equal to the Node baseline's byte for byte` +
      (COREUTILS ? `, coreutils' counts equal for all ${distinct.toLocaleString('en')} distinct words` : '') +
      ` (${distinct.toLocaleString('en')} distinct words)`,
  );
  return { corpus: corpus.name, failed: targets.filter((t) => !t.met).length };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const cpus = availableParallelism();
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const corpora = CORPORA.filter((c) => CORPUS === undefined || c.name === CORPUS);
  if (corpora.length === 0) throw new Error(`BENCH_WORDCOUNT_CORPUS: expected generated or real, got ${CORPUS}`);
  console.log(
    `WordCount benchmark (${QUICK ? 'quick' : 'full'} run: ${MB} MB of text, ${RUNS} run(s) per contender, interleaved, one process each; ` +
      `${cpus} CPUs; node ${process.version})`,
  );
  const outcomes: Outcome[] = [];
  for (const corpus of corpora) outcomes.push(await runCorpus(corpus, cpus));
  console.log('');
  console.log(
    `MB/s: 10^6 bytes of input per second of wall time (process start to exit, output written to a file); peak RSS: ${RSS_METHOD}; CPU: user + system of all its processes and threads`,
  );
  if (MB < 256)
    console.log(`note: the targets are meant for >= 256 MB; on ${MB} MB, starting the worker threads weighs more`);
  const failed = outcomes.reduce((n, o) => n + o.failed, 0);
  console.log('');
  console.log(
    `${failed === 0 ? 'all targets met' : `${failed} target(s) missed (${outcomes.map((o) => `${o.corpus}: ${o.failed}`).join(', ')})`} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}

await main();
