/**
 * `dios node start`'s command line: its option table and its parser.
 * @module
 */
import type { NameResolution } from '@dios/kernel';
import type { CommandSpec } from './args/command-spec.js';
import { parseCommand } from './args/parse-command.js';
import { UsageError } from './args/usage-error.js';
import { badSubcommand, nameToken, noMoreThan, oneOf, wholeNumber } from './args/value-checks.js';
import { CREDENTIAL_OPTIONS, parseCredentials, type NatsCredentials } from './nats-credentials.js';

/** The parsed `dios node start` command line. */
export interface NodeArgs extends NatsCredentials {
  /** NATS server URL. */
  readonly nats: string;
  /** Kernel id (--id), when given (default: see nodeId). */
  readonly id: string | undefined;
  /** The cluster to join (`--cluster`, default `dios`): only nodes of the same cluster see each other. */
  readonly cluster: string;
  /** Durable store directory, if given. */
  readonly data: string | undefined;
  /** Liveness deadline (ms), if given. */
  readonly deadMs: number | undefined;
  /** How a lookup finds the nodes holding a name (`--name-resolution`, default `directory`). */
  readonly nameResolution: NameResolution;
  /** How `run` with kernel '*' made on this node places tasks (`--scheduler`, default `greedy`). */
  readonly scheduler: NodeScheduler;
  /** Worker slots the node reports to schedulers (`--slots`), when given. */
  readonly slots: number | undefined;
}

/** The placement policies a node can run: greedy (locality, then load) or flow (min-cost flow). */
export type NodeScheduler = 'greedy' | 'flow';

// The schedulers, default first: greedy stays the default, flow is asked for.
const NODE_SCHEDULERS: readonly NodeScheduler[] = ['greedy', 'flow'];

// The ways of resolving names, default first.
const NAME_RESOLUTIONS: readonly NameResolution[] = ['directory', 'broadcast'];

/** The cluster a node joins when `--cluster` is not given: nodes started alike find each other. */
export const DEFAULT_CLUSTER = 'dios';

/** `dios node start`'s options, synopsis and help (with its control lines). */
export const NODE_START_COMMAND: CommandSpec = {
  name: 'node start',
  synopsis: '--nats URL [--id NAME] [options]',
  summary:
    'Runs one kernel of a DIOS cluster, joined to the other nodes through a NATS server, until SIGINT or SIGTERM; ' +
    'stdin takes control lines.',
  details: `  It installs the MapReduce programs (so other nodes can run map and reduce
  tasks here), prints "node NAME up (cluster C, nats URL)" (with
  ", scheduler flow" before the ")" under --scheduler flow) and serves until
  SIGINT or SIGTERM, when it says goodbye to the others and exits 0. Exits 1
  when it cannot start: server unreachable, credentials refused, or (EEXIST)
  a live node of the cluster has its id already.
  Control lines on stdin, one reply line each (errors: "error CODE message"):
    put PATH TEXT   writes TEXT to the blob at PATH in the root group
                    (made here if no node has it); replies "ok"
    get PATH        prints the bytes of the blob at PATH, found on any node
    peers           prints the ids of the peers alive, space-separated
    load PATH FILE  reads host FILE into a new blob at PATH in the root
                    group, here; replies "ok SIZE"
    tasks           prints the tasks running here as PROGRAM=COUNT pairs
    lookups         prints "lookups L broadcasts B requests R entries E
                    unsynced U": lookups sent to peers, those that asked
                    every peer, requests they sent, names in this node's
                    directory shard, peers its shard still waits to hear
                    from (E and U are "-" with --name-resolution broadcast)
    ran PROGRAM     prints how many tasks of PROGRAM ran here (running,
                    and the last 1024 exited)
  In TEXT and in get's reply, "\\n" stands for a newline and "\\\\" for "\\".
  End of input leaves the node running.`,
  options: {
    nats: { type: 'string', value: 'URL', help: 'NATS server, e.g. nats://127.0.0.1:4222 (required)' },
    id: {
      type: 'string',
      value: 'NAME',
      help: "this node's kernel id (letters, digits, - and _), unique in the cluster (default: the id kept in --data DIR, else a new node-UUID, kept there)",
    },
    cluster: {
      type: 'string',
      value: 'NAME',
      help: `cluster name (default ${DEFAULT_CLUSTER}); nodes of one cluster share a root group, so paths resolve on every node`,
    },
    data: { type: 'string', value: 'DIR', help: 'durable store directory (default: blobs in memory)' },
    ...CREDENTIAL_OPTIONS,
    'dead-ms': { type: 'string', value: 'MS', help: 'a peer silent for MS ms is gone (default 3000)' },
    'name-resolution': {
      type: 'string',
      value: 'HOW',
      help: "directory (default): a lookup asks the name's directory shard and the nodes it lists; broadcast: every node",
    },
    scheduler: {
      type: 'string',
      value: 'NAME',
      help: "how a run with kernel '*' made here (a MapReduce job's tasks) is placed: greedy (default: the kernel with most input bytes, then the least loaded) or flow (min-cost flow over data transfer and interference between task classes; docs/scheduling.md)",
    },
    slots: {
      type: 'string',
      value: 'N',
      help: 'tasks this node runs at once as schedulers count them, 0 to 4096 (default: not reported; the flow scheduler assumes 4)',
    },
  },
  example: 'node start --nats nats://127.0.0.1:4222 --id n1',
};

/** Parses the arguments after `node` (`start ...`); UsageError naming the argument when they are wrong. */
export function parseNodeArgs(args: readonly string[]): NodeArgs {
  const [sub, ...rest] = args;
  if (sub !== 'start') throw badSubcommand('node', sub, ['start']);
  const p = parseCommand(NODE_START_COMMAND, rest);
  noMoreThan(p.positionals, 0);
  const nats = p.string('nats');
  if (nats === undefined) throw new UsageError('missing option --nats URL');
  const id = p.string('id');
  const dead = p.string('dead-ms');
  const slots = p.string('slots');
  return {
    nats,
    id: id === undefined ? undefined : nameToken('--id', id),
    cluster: nameToken('--cluster', p.string('cluster') ?? DEFAULT_CLUSTER),
    data: p.string('data'),
    ...parseCredentials(p),
    deadMs: dead === undefined ? undefined : wholeNumber('--dead-ms', dead, 3, 3_600_000),
    nameResolution: oneOf('--name-resolution', p.string('name-resolution') ?? NAME_RESOLUTIONS[0]!, NAME_RESOLUTIONS),
    scheduler: oneOf('--scheduler', p.string('scheduler') ?? NODE_SCHEDULERS[0]!, NODE_SCHEDULERS),
    slots: slots === undefined ? undefined : wholeNumber('--slots', slots, 0, 4096),
  };
}
