/**
 * Parsing `dios node start`'s arguments, and its usage text.
 * @module
 */
import { CREDENTIAL_FLAGS, parseCredentials, type NatsCredentials } from './nats-credentials.js';
import { UsageError } from './usage-error.js';

/** `dios node --help`. */
export const NODE_USAGE = `Usage: dios node start --nats URL --id NAME [--cluster NAME] [--data DIR]
                       [--user U --pass P | --token T | --nkey FILE]
                       [--dead-ms MS]
  Runs one kernel of a DIOS cluster: joins it to the other nodes of the
  cluster through the NATS server at URL, installs the MapReduce programs
  (so other nodes can run map and reduce tasks here), prints
  "node NAME up (cluster C, nats URL)" and serves until SIGINT or SIGTERM,
  when it says goodbye to the others and exits 0. Exits 1 when it cannot
  start: server unreachable, credentials refused, or (EEXIST) a live node
  of the cluster has its id already.
    --nats URL      NATS server, e.g. nats://127.0.0.1:4222
    --id NAME       this node's kernel id (letters, digits, - and _),
                    unique in the cluster
    --cluster NAME  cluster name (default dios); nodes of one cluster share
                    a root group, so paths resolve on every node
    --data DIR      durable store directory (default: blobs in memory)
    --user U --pass P, --token T
                    credentials the NATS server asks for
    --nkey FILE     log in with the NKey user seed (SU...) held in FILE
    --dead-ms MS    a peer silent for MS ms is gone (default 3000)
  Control lines on stdin, one reply line each (errors: "error CODE message"):
    put PATH TEXT   writes TEXT to the blob at PATH in the root group
                    (made here if no node has it); replies "ok"
    get PATH        prints the bytes of the blob at PATH, found on any node
    peers           prints the ids of the peers alive, space-separated
    load PATH FILE  reads host FILE into a new blob at PATH in the root
                    group, here; replies "ok SIZE"
    tasks           prints the tasks running here as PROGRAM=COUNT pairs
    ran PROGRAM     prints how many tasks of PROGRAM ran here (running,
                    and the last 1024 exited)
  In TEXT and in get's reply, "\\n" stands for a newline and "\\\\" for "\\".
  End of input leaves the node running.
`;

/** The parsed `dios node start` command line. */
export interface NodeArgs extends NatsCredentials {
  /** NATS server URL. */
  readonly nats: string;
  /** Kernel id. */
  readonly id: string;
  /** The cluster to join (`--cluster`, default `dios`): only nodes of the same cluster see each other. */
  readonly cluster: string;
  /** Durable store directory, if given. */
  readonly data: string | undefined;
  /** Liveness deadline (ms), if given. */
  readonly deadMs: number | undefined;
}

/** The cluster a node joins when `--cluster` is not given: nodes started alike find each other. */
export const DEFAULT_CLUSTER = 'dios';

const TOKEN = /^[A-Za-z0-9_-]+$/;
const FLAGS = ['--nats', '--id', '--cluster', '--data', ...CREDENTIAL_FLAGS, '--dead-ms'] as const;

/** Parses the arguments after `node`; UsageError naming the argument when they are wrong. */
export function parseNodeArgs(args: readonly string[]): NodeArgs {
  const [sub, ...rest] = args;
  if (sub === undefined) throw new UsageError("node needs a subcommand: 'node start'");
  if (sub !== 'start') throw new UsageError(`unknown node subcommand '${sub}'`);
  const got = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const eq = arg.indexOf('=');
    const flag = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
    if (!(FLAGS as readonly string[]).includes(flag)) throw new UsageError(`unknown argument '${arg}'`);
    const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : rest[++i];
    if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
    got.set(flag, value);
  }
  const nats = got.get('--nats');
  if (nats === undefined) throw new UsageError('--nats URL is required');
  const id = got.get('--id');
  if (id === undefined) throw new UsageError('--id NAME is required');
  if (!TOKEN.test(id)) throw new UsageError(`--id: letters, digits, - and _ only, got '${id}'`);
  const cluster = got.get('--cluster') ?? DEFAULT_CLUSTER;
  if (!TOKEN.test(cluster)) throw new UsageError(`--cluster: letters, digits, - and _ only, got '${cluster}'`);
  const credentials = parseCredentials((flag) => got.get(flag));
  const dead = got.get('--dead-ms');
  if (dead !== undefined && (!/^\d+$/.test(dead) || Number(dead) < 3 || Number(dead) > 3_600_000)) {
    throw new UsageError(`--dead-ms: expected milliseconds in [3, 3600000], got '${dead}'`);
  }
  return {
    nats,
    id,
    cluster,
    data: got.get('--data'),
    ...credentials,
    deadMs: dead === undefined ? undefined : Number(dead),
  };
}
