/**
 * `dios daemon ...`'s command lines: [start] [--hypervisor], stop, status;
 * `--data DIR` on each.
 * @module
 */
import type { CommandSpec } from '../args/command-spec.js';
import { parseCommand } from '../args/parse-command.js';
import { badSubcommand, noMoreThan } from '../args/value-checks.js';
import { DAEMON_DETAILS } from './containers-usage.js';
import { DATA_OPTION } from './data-option.js';

/** A parsed `dios daemon` command line (`data`: the --data option, if given). */
export type DaemonArgs = { readonly data: string | undefined } & (
  { readonly kind: 'start'; readonly hypervisor: boolean } | { readonly kind: 'stop' | 'status' }
);

/** The specs of `dios daemon`'s subcommands, by name. */
export const DAEMON_COMMANDS = {
  start: {
    name: 'daemon start',
    synopsis: '[options]',
    summary:
      "Runs the container daemon of a data directory in the foreground until SIGINT, SIGTERM or 'daemon stop'; " +
      "refuses if one already serves it (plain 'dios daemon' too).",
    details: DAEMON_DETAILS,
    options: {
      data: DATA_OPTION,
      hypervisor: { type: 'boolean', help: 'legacy (WebAssembly) programs run only inside containers' },
    },
    example: 'daemon start --data ./dios-data',
  },
  stop: {
    name: 'daemon stop',
    synopsis: '[options]',
    summary: 'Stops the daemon of the data directory (its running containers are killed).',
    options: { data: DATA_OPTION },
    example: 'daemon stop',
  },
  status: {
    name: 'daemon status',
    synopsis: '[options]',
    summary: 'Says whether a daemon serves the data directory (exit 0) or not (exit 1).',
    options: { data: DATA_OPTION },
    example: 'daemon status --data ./dios-data',
  },
} satisfies Record<string, CommandSpec>;

/** The subcommand `dios daemon` runs when none is named (the words after it are start's options). */
export const DEFAULT_DAEMON_SUBCOMMAND = 'start';

/** Parses `dios daemon [start|stop|status] ...` (no subcommand: start). */
export function parseDaemonArgs(argv: readonly string[]): DaemonArgs {
  const first = argv[0];
  const explicit = first !== undefined && !first.startsWith('-');
  const command = explicit ? first : DEFAULT_DAEMON_SUBCOMMAND;
  if (command !== 'start' && command !== 'stop' && command !== 'status')
    throw badSubcommand('daemon', command, Object.keys(DAEMON_COMMANDS));
  const p = parseCommand(DAEMON_COMMANDS[command], explicit ? argv.slice(1) : argv);
  noMoreThan(p.positionals, 0);
  const data = p.string('data');
  if (command === 'start') return { kind: 'start', hypervisor: p.flag('hypervisor'), data };
  return { kind: command, data };
}
