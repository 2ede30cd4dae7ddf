/**
 * Parsing `dios wordcount`'s arguments.
 * @module
 */
import { CREDENTIAL_FLAGS, parseCredentials, type NatsCredentials } from './nats-credentials.js';
import { UsageError } from './usage-error.js';

/** The parsed `dios wordcount` command line. */
export interface WordCountArgs {
  /** Host files to count, in order. */
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
}

const TOKEN = /^[A-Za-z0-9_-]+$/;

/** How many of the most frequent words `dios wordcount` prints when neither `--top` nor `--all` is given. */
export const DEFAULT_TOP = 10;

function positive(option: string, value: string | undefined, min: number): number {
  if (value === undefined) throw new UsageError(`option ${option} needs a value`);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min) {
    throw new UsageError(`option ${option}: expected an integer >= ${min}, got '${value}'`);
  }
  return Number(value);
}

/** Parses the arguments after `wordcount`; UsageError naming the argument when they are wrong. */
export function parseWordCountArgs(args: readonly string[]): WordCountArgs {
  const files: string[] = [];
  let maps: number | undefined;
  let reduces: number | undefined;
  let top: number | undefined;
  let all = false;
  let store: string | undefined;
  let options = true;
  const cluster = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!options || arg === '-' || !arg.startsWith('-')) {
      files.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const [name, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    if (arg === '--') options = false;
    else if (name === '--maps') maps = positive('--maps', value(), 1);
    else if (name === '--reduces') reduces = positive('--reduces', value(), 1);
    else if (name === '--top') top = positive('--top', value(), 0);
    else if (arg === '--all') all = true;
    else if (name === '--store') {
      store = value();
      if (store === undefined || store === '') throw new UsageError('option --store needs a value');
    } else if (['--cluster', '--cluster-name', '--id', '--wait-ms', ...CREDENTIAL_FLAGS].includes(name)) {
      const v = value();
      if (v === undefined || v === '') throw new UsageError(`option ${name} needs a value`);
      cluster.set(name, v);
    } else throw new UsageError(`unknown option '${arg}'`);
  }
  if (files.length === 0) throw new UsageError('wordcount needs at least one FILE');
  if (all && top !== undefined) throw new UsageError('options --top and --all exclude each other');
  const onCluster = clusterArgs(cluster);
  // The log kept is this kernel's: with --cluster the job's tasks (and their flows) are on the nodes.
  if (store !== undefined && onCluster !== undefined)
    throw new UsageError('option --store cannot be used with --cluster');
  return { files, maps, reduces, top: all ? Infinity : (top ?? DEFAULT_TOP), cluster: onCluster, store };
}

function clusterArgs(got: Map<string, string>): ClusterArgs | undefined {
  const nats = got.get('--cluster');
  if (nats === undefined) {
    const stray = [...got.keys()][0];
    if (stray !== undefined) throw new UsageError(`option ${stray} needs --cluster URL`);
    return undefined;
  }
  const name = got.get('--cluster-name') ?? 'dios';
  if (!TOKEN.test(name)) throw new UsageError(`option --cluster-name: letters, digits, - and _ only, got '${name}'`);
  const id = got.get('--id');
  if (id !== undefined && !TOKEN.test(id))
    throw new UsageError(`option --id: letters, digits, - and _ only, got '${id}'`);
  let credentials: NatsCredentials;
  try {
    credentials = parseCredentials((flag) => got.get(flag));
  } catch (e) {
    throw e instanceof UsageError ? new UsageError(`option ${e.message}`) : e;
  }
  const wait = got.get('--wait-ms') ?? '5000';
  if (!/^\d+$/.test(wait) || Number(wait) > 600_000)
    throw new UsageError(`option --wait-ms: expected milliseconds in [0, 600000], got '${wait}'`);
  return { nats, name, id, ...credentials, waitMs: Number(wait) };
}
