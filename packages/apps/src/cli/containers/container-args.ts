/**
 * `dios container ...`'s command lines, with Docker's options: create and
 * run (`--name`, `--entrypoint`, `--memory`, `--pids-limit`,
 * `--cpu-shares`, `--share`, `-e/--env`; run also `-d/--detach` and
 * `--rm`), start, stop
 * (`-t/--time`), kill, rm (`-f/--force`), ps (`-a/--all`), exec, logs
 * (`-f/--follow`), stats (`--no-stream`), inspect; `--data DIR` on each.
 * @module
 */
import { isDiosError } from '@dios/kernel';
import type { ContainerSpec, LimitsSpec } from '../../containers/api.js';
import { parseLimits, parseShareSpec } from '../../containers/images/config.js';
import { CommandLineError } from './command-line-error.js';
import {
  DATA_OPTION,
  HELP_OPTION,
  hasFlag,
  integerOption,
  lastValue,
  noMore,
  scanOptions,
  type OptionSpec,
  type Scanned,
} from './option-scan.js';

/** The container subcommands. */
const SUBCOMMANDS = ['create', 'start', 'run', 'stop', 'kill', 'rm', 'ps', 'exec', 'logs', 'stats', 'inspect'] as const;

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
  | { readonly kind: 'help' }
  | CreateArgs
  | { readonly kind: 'start' | 'kill' | 'inspect' | 'stats'; readonly containers: readonly string[] }
  | { readonly kind: 'stop'; readonly containers: readonly string[]; readonly graceMs: number | undefined }
  | { readonly kind: 'rm'; readonly containers: readonly string[]; readonly force: boolean }
  | { readonly kind: 'ps'; readonly all: boolean }
  | { readonly kind: 'exec'; readonly container: string; readonly argv: readonly string[] }
  | { readonly kind: 'logs'; readonly container: string; readonly follow: boolean }
);

const CREATE_OPTIONS: readonly OptionSpec[] = [
  DATA_OPTION,
  HELP_OPTION,
  { names: ['--name'], value: true },
  { names: ['--entrypoint'], value: true },
  { names: ['-m', '--memory'], value: true },
  { names: ['--pids-limit'], value: true },
  { names: ['-c', '--cpu-shares'], value: true },
  { names: ['--share'], value: true },
  { names: ['-e', '--env'], value: true },
];
const RUN_OPTIONS: readonly OptionSpec[] = [
  ...CREATE_OPTIONS,
  { names: ['-d', '--detach'], value: false },
  { names: ['--rm'], value: false },
];

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** A DiosError's detail as a CommandLineError naming `option`. */
function usageOf(option: string, value: string, f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!isDiosError(e)) throw e;
    throw new CommandLineError(`${option}: '${value}': ${e.detail}`);
  }
}

function limitsOf(s: Scanned): LimitsSpec | undefined {
  const limits: { memory?: string; tasks?: number; cpuShares?: number } = {};
  const memory = lastValue(s, '--memory');
  if (memory !== undefined) {
    usageOf('--memory', memory, () => parseLimits({ memory }, 'memory'));
    limits.memory = memory;
  }
  const tasks = lastValue(s, '--pids-limit');
  if (tasks !== undefined) limits.tasks = integerOption('--pids-limit', tasks, 1, 65536);
  const shares = lastValue(s, '--cpu-shares');
  if (shares !== undefined) limits.cpuShares = integerOption('--cpu-shares', shares, 2, 262144);
  return Object.keys(limits).length === 0 ? undefined : limits;
}

function envOf(s: Scanned): Record<string, string> | undefined {
  const pairs = s.options.get('--env');
  if (pairs === undefined) return undefined;
  const env: [string, string][] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    // Docker's `-e K` (take K from this environment) is left out: the daemon's environment is not the caller's.
    if (eq <= 0) throw new CommandLineError(`--env: expected KEY=VALUE, got '${pair}'`);
    env.push([pair.slice(0, eq), pair.slice(eq + 1)]);
  }
  // fromEntries: a variable called __proto__ stays a variable.
  return Object.fromEntries(env);
}

function parseCreate(kind: 'create' | 'run', argv: readonly string[]): ContainerArgs {
  const s = scanOptions(argv, kind === 'run' ? RUN_OPTIONS : CREATE_OPTIONS, true);
  const data = lastValue(s, '--data');
  if (hasFlag(s, '--help')) return { kind: 'help', data };
  const [image, ...args] = s.positionals;
  if (image === undefined) throw new CommandLineError(`${kind}: missing IMAGE`);
  if (hasFlag(s, '--rm') && hasFlag(s, '--detach'))
    throw new CommandLineError('--rm: not with --detach (the daemon does not remove containers by itself)');
  const name = lastValue(s, '--name');
  if (name !== undefined && !NAME.test(name))
    throw new CommandLineError(`--name: '${name}' is not a container name ([A-Za-z0-9][A-Za-z0-9_.-]*)`);
  const entry = lastValue(s, '--entrypoint');
  if (entry !== undefined && !entry.startsWith('/'))
    throw new CommandLineError(`--entrypoint: '${entry}' is not an absolute path inside the image`);
  const shares = s.options.get('--share') ?? [];
  for (const share of shares) usageOf('--share', share, () => parseShareSpec(share, 'share'));
  const limits = limitsOf(s);
  const env = envOf(s);
  const spec: ContainerSpec = {
    image,
    ...(name !== undefined && { name }),
    ...(entry !== undefined && { entry }),
    ...(args.length > 0 && { args }),
    ...(env !== undefined && { env }),
    ...(limits !== undefined && { limits }),
    ...(shares.length > 0 && { shares }),
  };
  return { kind, spec, detach: hasFlag(s, '--detach'), rm: hasFlag(s, '--rm'), data };
}

function targets(s: Scanned, command: string): string[] {
  if (s.positionals.length === 0) throw new CommandLineError(`${command}: missing CONTAINER`);
  return [...s.positionals];
}

/** Parses `dios container SUBCOMMAND ...` (CommandLineError naming the option or argument). */
export function parseContainerArgs(argv: readonly string[]): ContainerArgs {
  const [command, ...rest] = argv;
  if (command === undefined) throw new CommandLineError(`missing subcommand (one of ${SUBCOMMANDS.join(', ')})`);
  if (command === '-h' || command === '--help' || command === 'help') return { kind: 'help', data: undefined };
  if (command === 'create' || command === 'run') return parseCreate(command, rest);
  if (command === 'exec') {
    const s = scanOptions(rest, [DATA_OPTION, HELP_OPTION], true);
    const data = lastValue(s, '--data');
    if (hasFlag(s, '--help')) return { kind: 'help', data };
    const [container, ...argv2] = s.positionals;
    if (container === undefined) throw new CommandLineError('exec: missing CONTAINER');
    if (argv2.length === 0) throw new CommandLineError('exec: missing PATH (the program inside the container)');
    return { kind: 'exec', container, argv: argv2, data };
  }
  const specs: Record<string, OptionSpec[]> = {
    start: [],
    kill: [],
    inspect: [],
    stats: [{ names: ['--no-stream'], value: false }],
    stop: [{ names: ['-t', '--time'], value: true }],
    rm: [{ names: ['-f', '--force'], value: false }],
    ps: [{ names: ['-a', '--all'], value: false }],
    logs: [{ names: ['-f', '--follow'], value: false }],
  };
  const own = specs[command];
  if (own === undefined)
    throw new CommandLineError(`unknown subcommand '${command}' (one of ${SUBCOMMANDS.join(', ')})`);
  const s = scanOptions(rest, [DATA_OPTION, HELP_OPTION, ...own]);
  const data = lastValue(s, '--data');
  if (hasFlag(s, '--help')) return { kind: 'help', data };
  switch (command) {
    case 'ps':
      noMore(s.positionals, 0, 'ps');
      return { kind: 'ps', all: hasFlag(s, '--all'), data };
    case 'logs': {
      const [container] = targets(s, 'logs');
      noMore(s.positionals, 1, 'logs');
      return { kind: 'logs', container: container!, follow: hasFlag(s, '--follow'), data };
    }
    case 'stop': {
      const t = lastValue(s, '--time');
      const graceMs = t === undefined ? undefined : integerOption('--time', t, 0, 86400) * 1000;
      return { kind: 'stop', containers: targets(s, 'stop'), graceMs, data };
    }
    case 'rm':
      return { kind: 'rm', containers: targets(s, 'rm'), force: hasFlag(s, '--force'), data };
    case 'stats':
      // Only one snapshot (--no-stream) is taken: there is no live view.
      return { kind: 'stats', containers: [...s.positionals], data };
    default:
      return { kind: command as 'start' | 'kill' | 'inspect', containers: targets(s, command), data };
  }
}
