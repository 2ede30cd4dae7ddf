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
import { parseCommand, type ParsedCommand } from '../args/parse-command.js';
import { UsageError } from '../args/usage-error.js';
import { badSubcommand, invalidValue, noMoreThan, required, wholeNumber } from '../args/value-checks.js';
import { CONTAINER_COMMANDS } from './container-commands.js';

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
