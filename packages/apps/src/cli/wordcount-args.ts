/**
 * `dios wordcount`'s command line: its option table and its parser.
 * @module
 */
import type { CommandSpec } from './args/command-spec.js';
import { parseCommand, type ParsedCommand } from './args/parse-command.js';
import { UsageError } from './args/usage-error.js';
import { nameToken, oneOf, wholeNumber } from './args/value-checks.js';
import type { NodeScheduler } from './node-args.js';
import { CREDENTIAL_OPTIONS, parseCredentials, type NatsCredentials } from './nats-credentials.js';

/** The parsed `dios wordcount` command line. */
export interface WordCountArgs {
  /** Host files to count, in order ('-': standard input). */
  readonly files: readonly string[];
  /** --maps, when given. */
  readonly maps: number | undefined;
  /** --reduces, when given. */
  readonly reduces: number | undefined;
  /** How many words to print (Infinity for --all). */
  readonly top: number;
  /** --cluster: run on the cluster behind this NATS server instead of a kernel of our own. */
  readonly cluster: ClusterArgs | undefined;
  /** --store: the durable store directory the job's provenance log is kept in. */
  readonly store: string | undefined;
  /** --progress: progress lines on stderr even when it is not a terminal. */
  readonly progress: boolean;
}

/** How `dios wordcount --cluster` reaches the cluster. */
export interface ClusterArgs extends NatsCredentials {
  /** NATS server URL. */
  readonly nats: string;
  /** The DIOS cluster name (--cluster-name; the nodes' --cluster). */
  readonly name: string;
  /** This client kernel's id (--id; default: wordcount- and a random suffix). */
  readonly id: string | undefined;
  /** How long to wait for the first node, in ms (--wait-ms, default 5000). */
  readonly waitMs: number;
  /** How the job master on the client kernel places the map and reduce tasks (--scheduler, default greedy). */
  readonly scheduler: NodeScheduler;
}

// The client's placement policies, default first (the same names as `dios node start --scheduler`).
const SCHEDULERS: readonly NodeScheduler[] = ['greedy', 'flow'];

/** How many of the most frequent words `dios wordcount` prints when neither `--top` nor `--all` is given. */
export const DEFAULT_TOP = 10;

/** `dios wordcount`'s options, synopsis and help. */
export const WORDCOUNT_COMMAND: CommandSpec = {
  name: 'wordcount',
  synopsis: 'FILE... [options]',
  summary:
    'Counts the words of the FILEs with a MapReduce job on a DIOS kernel and prints "word<TAB>count" lines, ' +
    'most frequent first, ties in byte order.',
  details: `  A word is a maximal run of ASCII letters and digits, lower-cased. FILE '-'
  is standard input; a directory stands for the regular files under it, read
  recursively in sorted order. A FILE written dios:PATH is the blob at PATH in
  DIOS (with --cluster: on whichever node holds it; see 'load' in 'dios help
  node start'), which map tasks are placed next to. On a terminal, progress
  (bytes, and map and reduce percentages) is shown on stderr.`,
  options: {
    maps: { type: 'string', value: 'M', help: 'map tasks (default: the number of CPUs, or one per 512 MiB of input)' },
    reduces: { type: 'string', value: 'R', help: 'reduce tasks (default: the number of CPUs)' },
    top: { type: 'string', short: 'n', value: 'K', help: `print the K most frequent words (default ${DEFAULT_TOP})` },
    all: { type: 'boolean', help: 'print every word' },
    progress: { type: 'boolean', help: 'progress lines on stderr even when it is not a terminal' },
    store: {
      type: 'string',
      value: 'DIR',
      help: "keep the job's provenance log in the durable store DIR, for 'dios provenance' (not with --cluster)",
    },
    cluster: {
      type: 'string',
      value: 'URL',
      help:
        "run the job on the DIOS cluster behind the NATS server at URL (nodes started with 'dios node start'); " +
        'a node lost mid-job has its tasks run again on the others',
    },
    'cluster-name': { type: 'string', value: 'NAME', help: "the nodes' --cluster (default dios)" },
    id: { type: 'string', value: 'NAME', help: "this client's kernel id (default wordcount- and a v7 UUID)" },
    'wait-ms': { type: 'string', value: 'MS', help: 'how long to wait for a node to answer (default 5000)' },
    scheduler: {
      type: 'string',
      value: 'NAME',
      help:
        "how the job's map and reduce tasks are placed on the nodes: greedy (default: the node with most input " +
        'bytes, then the least loaded) or flow (min-cost flow over data transfer and interference; docs/scheduling.md)',
    },
    ...CREDENTIAL_OPTIONS,
  },
  example: 'wordcount --top 5 notes.txt',
};

const CLUSTER_ONLY = ['cluster-name', 'id', 'wait-ms', 'scheduler', 'user', 'pass', 'token', 'nkey'];

/** Parses the arguments after `wordcount`; UsageError naming the argument when they are wrong. */
export function parseWordCountArgs(args: readonly string[]): WordCountArgs {
  const p = parseCommand(WORDCOUNT_COMMAND, args);
  const count = (name: string): number | undefined => {
    const v = p.string(name);
    return v === undefined ? undefined : wholeNumber(`--${name}`, v, 1);
  };
  const maps = count('maps');
  const reduces = count('reduces');
  const top = count('top');
  if (p.positionals.length === 0) throw new UsageError('missing FILE');
  if (p.flag('all') && top !== undefined) throw new UsageError('options --top and --all exclude each other');
  const cluster = clusterArgs(p);
  const store = p.string('store');
  // The log kept is this kernel's: with --cluster the job's tasks (and their flows) are on the nodes.
  if (store !== undefined && cluster !== undefined)
    throw new UsageError('options --store and --cluster exclude each other');
  return {
    files: p.positionals,
    maps,
    reduces,
    top: p.flag('all') ? Infinity : (top ?? DEFAULT_TOP),
    cluster,
    store,
    progress: p.flag('progress'),
  };
}

function clusterArgs(p: ParsedCommand): ClusterArgs | undefined {
  const nats = p.string('cluster');
  if (nats === undefined) {
    const stray = CLUSTER_ONLY.find((name) => p.string(name) !== undefined);
    if (stray !== undefined) throw new UsageError(`option --${stray} needs --cluster URL`);
    return undefined;
  }
  const name = nameToken('--cluster-name', p.string('cluster-name') ?? 'dios');
  const id = p.string('id');
  if (id !== undefined) nameToken('--id', id);
  const waitMs = wholeNumber('--wait-ms', p.string('wait-ms') ?? '5000', 0, 600_000);
  const scheduler = oneOf('--scheduler', p.string('scheduler') ?? SCHEDULERS[0]!, SCHEDULERS);
  return { nats, name, id, ...parseCredentials(p), waitMs, scheduler };
}
