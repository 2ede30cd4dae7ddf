/**
 * cat: copies each FILE (or stdin, for `-` or no FILE) to stdout.
 *
 *   npx tsx --conditions=@dios/source examples/cat.ts [FILE]...
 *
 * @module
 */
import { chunks, fclose, fopen, fprintf, fwrite, stdio, type FILE, type ProgramContext } from '@dios/libd';
import { runProgram, strerror } from './run-program.js';

async function main(argv: string[], { sys }: ProgramContext): Promise<number> {
  const { stdin, stdout, stderr } = await stdio(sys);
  const [argv0, ...names] = argv;
  let status = 0;
  for (const name of names.length > 0 ? names : ['-']) {
    let file: FILE;
    try {
      file = name === '-' ? stdin : await fopen(sys, name, 'r');
    } catch (e) {
      await fprintf(stderr, '%s: %s: %s\n', argv0!, name, strerror(e));
      status = 1;
      continue;
    }
    try {
      // Each chunk is what one read gave: console input is copied as it arrives.
      for await (const chunk of chunks(file, { close: file !== stdin })) await fwrite(stdout, chunk);
    } catch (e) {
      await fprintf(stderr, '%s: %s: %s\n', argv0!, name, strerror(e));
      status = 1;
    }
  }
  await fclose(stdout);
  return status;
}

await runProgram('cat', main, { readsStdin: (args) => args.length === 0 || args.includes('-') });
