/**
 * cp: copies SOURCE to DEST, through web streams over two FILEs.
 *
 *   npx tsx --conditions=@dios/source examples/cp.ts SOURCE DEST
 *
 * @module
 */
import {
  fclose,
  fopen,
  fprintf,
  stdio,
  toReadableStream,
  toWritableStream,
  type FILE,
  type ProgramContext,
} from '@dios/libd';
import { runProgram, strerror } from './run-program.js';

async function main(argv: string[], { sys }: ProgramContext): Promise<number> {
  const { stderr } = await stdio(sys);
  const [argv0, ...args] = argv;
  if (args.length !== 2) {
    await fprintf(stderr, 'usage: %s SOURCE DEST\n', argv0!);
    return 1;
  }
  const [source, dest] = args as [string, string];
  let from: FILE;
  try {
    from = await fopen(sys, source, 'r');
  } catch (e) {
    await fprintf(stderr, "%s: cannot stat '%s': %s\n", argv0!, source, strerror(e));
    return 1;
  }
  let to: FILE;
  try {
    to = await fopen(sys, dest, 'w');
  } catch (e) {
    await fclose(from);
    await fprintf(stderr, "%s: cannot create regular file '%s': %s\n", argv0!, dest, strerror(e));
    return 1;
  }
  try {
    // pipeTo closes both FILEs when it is done, and on an error on either side.
    await toReadableStream(from).pipeTo(toWritableStream(to));
  } catch (e) {
    await fprintf(stderr, "%s: error copying '%s' to '%s': %s\n", argv0!, source, dest, strerror(e));
    return 1;
  }
  return 0;
}

await runProgram('cp', main, { outputs: (args) => args.slice(1, 2) });
