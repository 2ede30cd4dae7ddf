/**
 * `dios load PATH HOSTPATH [--data DIR]`: copies a host file or directory
 * into blobs at DIOS path PATH of the local daemon's kernel (a directory's
 * files under PATH), where a container's `--share PATH` finds them. The
 * same words as `dios node start`'s `load PATH FILE` control line.
 * @module
 */
import { resolve } from 'node:path';
import { connectDaemon } from './client.js';
import { CommandLineError } from './command-line-error.js';
import { runCommand } from './command-run.js';
import { USAGE_CONTAINERS } from './containers-usage.js';
import { dataDirOf } from './daemon-paths.js';
import { DATA_OPTION, HELP_OPTION, hasFlag, lastValue, noMore, scanOptions } from './option-scan.js';

/** A parsed `dios load` command line. */
export type LoadArgs =
  | { readonly kind: 'help' }
  | { readonly kind: 'load'; readonly path: string; readonly hostPath: string; readonly data: string | undefined };

/** Parses `dios load PATH HOSTPATH [--data DIR]` (CommandLineError naming what is wrong). */
export function parseLoadArgs(argv: readonly string[]): LoadArgs {
  const s = scanOptions(argv, [DATA_OPTION, HELP_OPTION]);
  if (hasFlag(s, '--help')) return { kind: 'help' };
  const [path, hostPath] = s.positionals;
  if (path === undefined) throw new CommandLineError('missing PATH (the DIOS path to load into)');
  if (!path.startsWith('/')) throw new CommandLineError(`PATH: '${path}' is not absolute (it starts with /)`);
  if (hostPath === undefined) throw new CommandLineError('missing HOSTPATH (the host file or directory to load)');
  noMore(s.positionals, 2, 'load');
  return { kind: 'load', path, hostPath, data: lastValue(s, '--data') };
}

/** Runs `dios load ARGS`; resolves to the exit status. */
export function loadCommand(argv: readonly string[]): Promise<number> {
  return runCommand('dios load', async () => {
    const args = parseLoadArgs(argv);
    if (args.kind === 'help') {
      process.stdout.write(USAGE_CONTAINERS);
      return 0;
    }
    const client = await connectDaemon({ dataDir: dataDirOf(args.data) });
    // The daemon runs elsewhere: it gets the host path as an absolute path.
    for (const path of await client.load(args.path, resolve(args.hostPath))) process.stdout.write(`${path}\n`);
    return 0;
  });
}
