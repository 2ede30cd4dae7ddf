/**
 * `dios load PATH HOSTPATH [--data DIR]`: copies a host file or directory
 * into blobs at DIOS path PATH of the local daemon's kernel (a directory's
 * files under PATH), where a container's `--share PATH` finds them. The
 * same words as `dios node start`'s `load PATH FILE` control line.
 * @module
 */
import { resolve } from 'node:path';
import { connectDaemon } from './client.js';
import type { CommandSpec } from '../args/command-spec.js';
import { parseCommand } from '../args/parse-command.js';
import { invalidValue, noMoreThan, required } from '../args/value-checks.js';
import { runCommand } from './command-run.js';
import { DATA_OPTION } from './data-option.js';
import { dataDirOf } from './daemon-paths.js';

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

/** Runs `dios load ARGS`; resolves to the exit status. */
export function loadCommand(argv: readonly string[]): Promise<number> {
  return runCommand('dios load', async () => {
    const args = parseLoadArgs(argv);
    const client = await connectDaemon({ dataDir: dataDirOf(args.data) });
    // The daemon runs elsewhere: it gets the host path as an absolute path.
    for (const path of await client.load(args.path, resolve(args.hostPath))) process.stdout.write(`${path}\n`);
    return 0;
  });
}
