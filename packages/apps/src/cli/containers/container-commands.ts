/**
 * The option tables of `dios container`'s subcommands, with Docker's
 * options (their parser is container-args.ts).
 * @module
 */
import type { CommandSpec, OptionSpec } from '../args/command-spec.js';
import { DATA_OPTION } from './data-option.js';

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
