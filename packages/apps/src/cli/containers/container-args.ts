/**
 * `dios container ...`'s command lines, with Docker's options: create and
 * run (`--name`, `--entrypoint`, `-m/--memory`, `--pids-limit`,
 * `-c/--cpu-shares`, `--share`, `-e/--env`; run also `-d/--detach` and
 * `--rm`), start, stop (`-t/--time`), kill, rm (`-f/--force`), ps
 * (`-a/--all`), exec, logs (`-f/--follow`), stats (`--no-stream`), inspect;
 * `--data DIR` on each.
 * @module
 */
import { isDiosError } from '@dios/kernel';
import type { ContainerSpec, LimitsSpec } from '../../containers/api.js';
import { parseLimits, parseShareSpec } from '../../containers/images/config.js';
import type { CommandSpec, OptionSpec } from '../args/command-spec.js';
import { parseCommand, type ParsedCommand } from '../args/parse-command.js';
import { UsageError } from '../args/usage-error.js';
import { badSubcommand, invalidValue, noMoreThan, required, wholeNumber } from '../args/value-checks.js';
import { DATA_OPTION } from './data-option.js';

/** What `create` and `run` take. */
export interface CreateArgs {
  /** The subcommand. */
  readonly kind: 'create' | 'run';
  /** The container to create. */
  readonly spec: ContainerSpec;
  /** run: print the id and leave it running instead of streaming its console until it stops. */
  readonly detach: boolean;
  /** run: remove it once it stops. */
  readonly rm: boolean;
}

/** A parsed `dios container` command line (`data`: the --data option, if given). */
export type ContainerArgs = { readonly data: string | undefined } & (
  | CreateArgs
  | { readonly kind: 'start' | 'kill' | 'inspect' | 'stats'; readonly containers: readonly string[] }
  | { readonly kind: 'stop'; readonly containers: readonly string[]; readonly graceMs: number | undefined }
  | { readonly kind: 'rm'; readonly containers: readonly string[]; readonly force: boolean }
  | { readonly kind: 'ps'; readonly all: boolean }
  | { readonly kind: 'exec'; readonly container: string; readonly argv: readonly string[] }
  | { readonly kind: 'logs'; readonly container: string; readonly follow: boolean }
);

const CREATE_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  data: DATA_OPTION,
  name: { type: 'string', value: 'NAME', help: 'its name (default: generated)' },
  entrypoint: {
    type: 'string',
    value: 'PATH',
    help: "run the image's program at PATH instead of its entry (a .mjs/.js module or a .wasm binary)",
  },
  memory: {
    type: 'string',
    short: 'm',
    value: 'SIZE',
    help: 'heap limit of each task (64m, 1g; at least 4m): a task over it stops the whole container',
  },
  'pids-limit': { type: 'string', value: 'N', help: 'most live tasks (beyond: EAGAIN)' },
  'cpu-shares': { type: 'string', short: 'c', value: 'N', help: 'CPU weight, 2-262144 (default 1024)' },
  share: {
    type: 'string',
    multiple: true,
    value: 'PATH|NAME[:ro]',
    help: 'make a DIOS object (by path, or by name as 64 hex digits) resolvable inside, read-only with :ro (repeatable)',
  },
  env: { type: 'string', short: 'e', multiple: true, value: 'KEY=VALUE', help: 'environment (repeatable)' },
};

const containers = (kind: string, options: Readonly<Record<string, OptionSpec>>, summary: string, example: string) =>
  ({
    name: `container ${kind}`,
    synopsis: '[options] CONTAINER...',
    summary,
    options: { data: DATA_OPTION, ...options },
    example: `container ${kind} ${example}`,
  }) satisfies CommandSpec;

/** The specs of `dios container`'s subcommands, by name. */
export const CONTAINER_COMMANDS = {
  create: {
    name: 'container create',
    synopsis: '[options] IMAGE [ARGS...]',
    summary: "Creates a container (state created) and prints its id. ARGS replace the image's args.",
    options: CREATE_OPTIONS,
    stopAtPositional: true,
    example: 'container create --name web1 -m 64m hello:1',
  },
  run: {
    name: 'container run',
    synopsis: '[options] IMAGE [ARGS...]',
    summary:
      "Creates a container and starts it; without --detach, streams the container's console until it stops and " +
      'exits with its exit code (Ctrl-C stops it); with --detach, prints the id.',
    options: {
      ...CREATE_OPTIONS,
      detach: { type: 'boolean', short: 'd', help: 'leave it running and print its id' },
      rm: { type: 'boolean', help: 'remove it once it stops (not with --detach)' },
    },
    stopAtPositional: true,
    example: 'container run --rm hello:1 world',
  },
  start: containers('start', {}, 'Starts created or stopped containers.', 'web1'),
  stop: containers(
    'stop',
    { time: { type: 'string', short: 't', value: 'SECONDS', help: 'how long to wait before killing (default 10)' } },
    'Sends the stop notice, waits SECONDS, then kills the tasks left.',
    '-t 3 web1',
  ),
  kill: containers('kill', {}, 'Kills every task of the containers now (exit code 137).', 'web1'),
  rm: containers(
    'rm',
    { force: { type: 'boolean', short: 'f', help: 'running ones too' } },
    'Removes stopped containers.',
    '-f web1',
  ),
  ps: {
    name: 'container ps',
    synopsis: '[options]',
    summary: 'Lists the running containers: CONTAINER ID, IMAGE, COMMAND, CREATED, STATUS, NAMES.',
    options: { data: DATA_OPTION, all: { type: 'boolean', short: 'a', help: 'stopped ones too' } },
    example: 'container ps -a',
  },
  exec: {
    name: 'container exec',
    synopsis: '[options] CONTAINER PATH [ARGS...]',
    summary:
      'Runs PATH (inside the container) as a new task of a running container and exits with its status; ' +
      "its output goes to the container's console ('dios container logs').",
    options: { data: DATA_OPTION },
    stopAtPositional: true,
    example: 'container exec web1 /bin/other.mjs a b',
  },
  logs: {
    name: 'container logs',
    synopsis: '[options] CONTAINER',
    summary: "Prints the container's console.",
    options: { data: DATA_OPTION, follow: { type: 'boolean', short: 'f', help: 'and more, until it stops' } },
    example: 'container logs -f web1',
  },
  stats: containers(
    'stats',
    { 'no-stream': { type: 'boolean', help: 'one snapshot (the only mode: there is no live view)' } },
    'One snapshot of the task-monitoring figures summed per container (the running ones when none is named).',
    'web1',
  ),
  inspect: containers('inspect', {}, "Prints the containers as JSON, Docker's field names where they fit.", 'web1'),
} satisfies Record<string, CommandSpec>;

const SUBCOMMANDS = Object.keys(CONTAINER_COMMANDS) as (keyof typeof CONTAINER_COMMANDS)[];

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** A DiosError's detail as a UsageError naming `option`. */
function checked(option: string, value: string, f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!isDiosError(e)) throw e;
    throw new UsageError(`option ${option}: '${value}': ${e.detail}`);
  }
}

function limitsOf(p: ParsedCommand): LimitsSpec | undefined {
  const limits: { memory?: string; tasks?: number; cpuShares?: number } = {};
  const memory = p.string('memory');
  if (memory !== undefined) {
    checked('--memory', memory, () => parseLimits({ memory }, 'memory'));
    limits.memory = memory;
  }
  const tasks = p.string('pids-limit');
  if (tasks !== undefined) limits.tasks = wholeNumber('--pids-limit', tasks, 1, 65536);
  const shares = p.string('cpu-shares');
  if (shares !== undefined) limits.cpuShares = wholeNumber('--cpu-shares', shares, 2, 262144);
  return Object.keys(limits).length === 0 ? undefined : limits;
}

function envOf(p: ParsedCommand): Record<string, string> | undefined {
  const pairs = p.list('env');
  if (pairs.length === 0) return undefined;
  const env: [string, string][] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    // Docker's `-e K` (take K from this environment) is left out: the daemon's environment is not the caller's.
    if (eq <= 0) throw invalidValue('--env', 'KEY=VALUE', pair);
    env.push([pair.slice(0, eq), pair.slice(eq + 1)]);
  }
  // fromEntries: a variable called __proto__ stays a variable.
  return Object.fromEntries(env);
}

function parseCreate(kind: 'create' | 'run', argv: readonly string[]): ContainerArgs {
  const p = parseCommand(CONTAINER_COMMANDS[kind], argv);
  const data = p.string('data');
  const [image, ...args] = p.positionals;
  if (image === undefined) throw new UsageError('missing IMAGE');
  if (p.flag('rm') && p.flag('detach'))
    throw new UsageError(
      'options --rm and --detach exclude each other (the daemon does not remove containers by itself)',
    );
  const name = p.string('name');
  if (name !== undefined && !NAME.test(name))
    throw invalidValue('--name', 'a container name ([A-Za-z0-9][A-Za-z0-9_.-]*)', name);
  const entry = p.string('entrypoint');
  if (entry !== undefined && !entry.startsWith('/'))
    throw invalidValue('--entrypoint', 'an absolute path inside the image', entry);
  const shares = p.list('share');
  for (const share of shares) checked('--share', share, () => parseShareSpec(share, 'share'));
  const limits = limitsOf(p);
  const env = envOf(p);
  const spec: ContainerSpec = {
    image,
    ...(name !== undefined && { name }),
    ...(entry !== undefined && { entry }),
    ...(args.length > 0 && { args }),
    ...(env !== undefined && { env }),
    ...(limits !== undefined && { limits }),
    ...(shares.length > 0 && { shares }),
  };
  return { kind, spec, detach: p.flag('detach'), rm: p.flag('rm'), data };
}

function targets(p: ParsedCommand): string[] {
  required(p.positionals, 0, 'CONTAINER');
  return [...p.positionals];
}

/** Parses `dios container SUBCOMMAND ...` (UsageError naming the option or argument). */
export function parseContainerArgs(argv: readonly string[]): ContainerArgs {
  const [command, ...rest] = argv;
  if (command === 'create' || command === 'run') return parseCreate(command, rest);
  if (command === undefined || !(SUBCOMMANDS as string[]).includes(command))
    throw badSubcommand('container', command, SUBCOMMANDS);
  const kind = command as Exclude<(typeof SUBCOMMANDS)[number], 'create' | 'run'>;
  const p = parseCommand(CONTAINER_COMMANDS[kind], rest);
  const data = p.string('data');
  switch (kind) {
    case 'exec': {
      const container = required(p.positionals, 0, 'CONTAINER');
      required(p.positionals, 1, 'PATH (the program inside the container)');
      return { kind, container, argv: p.positionals.slice(1), data };
    }
    case 'ps':
      noMoreThan(p.positionals, 0);
      return { kind, all: p.flag('all'), data };
    case 'logs': {
      const [container] = targets(p);
      noMoreThan(p.positionals, 1);
      return { kind, container: container!, follow: p.flag('follow'), data };
    }
    case 'stop': {
      const t = p.string('time');
      const graceMs = t === undefined ? undefined : wholeNumber('--time', t, 0, 86400) * 1000;
      return { kind, containers: targets(p), graceMs, data };
    }
    case 'rm':
      return { kind, containers: targets(p), force: p.flag('force'), data };
    case 'stats':
      // Only one snapshot (--no-stream) is taken: there is no live view.
      return { kind, containers: [...p.positionals], data };
    default:
      return { kind, containers: targets(p), data };
  }
}
