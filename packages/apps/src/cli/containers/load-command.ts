/**
 * `dios load PATH HOSTPATH [--data DIR]`: copies a host file or directory
 * into blobs at DIOS path PATH of the local daemon's kernel (a directory's
 * files under PATH), where a container's `--share PATH` finds them. The
 * same words as `dios node start`'s `load PATH FILE` control line.
 * @module
 */
import { resolve } from 'node:path';
import { connectDaemon } from './client.js';
import { runCommand } from './command-run.js';
import { dataDirOf } from './daemon-paths.js';
import { parseLoadArgs } from './load-args.js';

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
