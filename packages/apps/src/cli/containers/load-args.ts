/**
 * `dios load`'s command line: its option table and its parser.
 * @module
 */
import type { CommandSpec } from '../args/command-spec.js';
import { parseCommand } from '../args/parse-command.js';
import { invalidValue, noMoreThan, required } from '../args/value-checks.js';
import { DATA_OPTION } from './data-option.js';

/** A parsed `dios load` command line. */
export interface LoadArgs {
  /** The DIOS path to load into. */
  readonly path: string;
  /** The host file or directory to load. */
  readonly hostPath: string;
  /** The --data option, if given. */
  readonly data: string | undefined;
}

/** `dios load`'s options, synopsis and help. */
export const LOAD_COMMAND: CommandSpec = {
  name: 'load',
  synopsis: 'PATH HOSTPATH [options]',
  summary:
    'Copies the host file HOSTPATH (or every file under the directory HOSTPATH, by its relative path under PATH) ' +
    "into durable blobs at DIOS path PATH of the container daemon's kernel, where --share PATH finds them; prints " +
    'the paths written.',
  details: "  (As 'dios node start''s control line load PATH FILE.)",
  options: { data: DATA_OPTION },
  example: 'load /data ./input',
};

/** Parses `dios load PATH HOSTPATH [--data DIR]` (UsageError naming what is wrong). */
export function parseLoadArgs(argv: readonly string[]): LoadArgs {
  const p = parseCommand(LOAD_COMMAND, argv);
  const path = required(p.positionals, 0, 'PATH (the DIOS path to load into)');
  if (!path.startsWith('/')) throw invalidValue('PATH', 'an absolute DIOS path (starting with /)', path);
  const hostPath = required(p.positionals, 1, 'HOSTPATH (the host file or directory to load)');
  noMoreThan(p.positionals, 2);
  return { path, hostPath, data: p.string('data') };
}
