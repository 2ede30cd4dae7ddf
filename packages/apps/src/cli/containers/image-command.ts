/**
 * `dios image build|ls|rm`: the images of the local daemon (started on
 * demand, see client.ts).
 * @module
 */
import { resolve } from 'node:path';
import { connectDaemon } from './client.js';
import { eachTarget, runCommand } from './command-run.js';
import { dataDirOf } from './daemon-paths.js';
import { parseImageArgs } from './image-args.js';
import { imageTable, shortId } from './listing.js';

/** Runs `dios image ARGS`; resolves to the exit status. */
export function imageCommand(argv: readonly string[]): Promise<number> {
  const command = 'dios image';
  return runCommand(command, async () => {
    const args = parseImageArgs(argv);
    const client = await connectDaemon({ dataDir: dataDirOf(args.data) });
    switch (args.kind) {
      case 'build': {
        // The daemon runs elsewhere: it gets the directory as an absolute path.
        const image = await client.buildImage(resolve(args.dir), args.tag);
        process.stdout.write(`${image.digest}\n`);
        return 0;
      }
      case 'ls':
        process.stdout.write(imageTable(await client.listImages()));
        return 0;
      case 'rm':
        return eachTarget(command, args.refs, async (ref) => {
          await client.removeImage(ref);
          // As Docker words it: a tag is untagged, an image named by its digest deleted.
          const digest = /^(sha256:)?[0-9a-f]{12,64}$/.test(ref);
          process.stdout.write(digest ? `Deleted: ${shortId(ref)}\n` : `Untagged: ${ref}\n`);
        });
    }
  });
}
