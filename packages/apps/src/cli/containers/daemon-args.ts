/**
 * `dios daemon ...`'s command lines: [start] [--hypervisor], stop, status;
 * `--data DIR` on each.
 * @module
 */
import { CommandLineError } from './command-line-error.js';
import { DATA_OPTION, HELP_OPTION, hasFlag, lastValue, noMore, scanOptions } from './option-scan.js';

/** A parsed `dios daemon` command line (`data`: the --data option, if given). */
export type DaemonArgs = { readonly data: string | undefined } & (
  | { readonly kind: 'help' }
  | { readonly kind: 'start'; readonly hypervisor: boolean }
  | { readonly kind: 'stop' | 'status' }
);

/** Parses `dios daemon [start|stop|status] ...` (no subcommand: start). */
export function parseDaemonArgs(argv: readonly string[]): DaemonArgs {
  const first = argv[0];
  const explicit = first !== undefined && !first.startsWith('-');
  const command = explicit ? first : 'start';
  const rest = explicit ? argv.slice(1) : argv;
  if (command !== 'start' && command !== 'stop' && command !== 'status')
    throw new CommandLineError(`unknown subcommand '${command}' (one of start, stop, status)`);
  const hypervisor = { names: ['--hypervisor'], value: false };
  const s = scanOptions(
    rest,
    command === 'start' ? [DATA_OPTION, HELP_OPTION, hypervisor] : [DATA_OPTION, HELP_OPTION],
  );
  const data = lastValue(s, '--data');
  if (hasFlag(s, '--help')) return { kind: 'help', data };
  noMore(s.positionals, 0, command);
  if (command === 'start') return { kind: 'start', hypervisor: hasFlag(s, '--hypervisor'), data };
  return { kind: command, data };
}
