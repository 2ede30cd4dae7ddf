/**
 * tee: copies stdin to stdout and to each FILE (`-a` appends to them).
 *
 *   echo hello | npx tsx --conditions=@dios/source examples/tee.ts [-a] [FILE]...
 *
 * @module
 */
import { chunks, fclose, fopen, fprintf, fwrite, stdio, type FILE, type ProgramContext } from '@dios/libd';
import { runProgram, strerror } from './run-program.js';

async function main(argv: string[], { sys }: ProgramContext): Promise<number> {
  const { stdin, stdout, stderr } = await stdio(sys);
  const [argv0, ...args] = argv;
  const append = args[0] === '-a';
  const names = append ? args.slice(1) : args;
  let status = 0;
  const outputs: { name: string; file: FILE }[] = [{ name: 'standard output', file: stdout }];
  for (const name of names) {
    try {
      outputs.push({ name, file: await fopen(sys, name, append ? 'a' : 'w') });
    } catch (e) {
      await fprintf(stderr, '%s: %s: %s\n', argv0!, name, strerror(e));
      status = 1;
    }
  }
  let live = outputs;
  for await (const chunk of chunks(stdin)) {
    // An output that fails is reported once and dropped; the others go on.
    const results = await Promise.allSettled(live.map((o) => fwrite(o.file, chunk)));
    for (const [i, r] of results.entries()) {
      if (r.status === 'rejected') {
        await fprintf(stderr, '%s: %s: %s\n', argv0!, live[i]!.name, strerror(r.reason));
        status = 1;
      }
    }
    live = live.filter((_, i) => results[i]!.status === 'fulfilled');
  }
  for (const o of outputs) await fclose(o.file).catch(() => (status = 1));
  return status;
}

const files = (args: string[]) => (args[0] === '-a' ? args.slice(1) : args);
await runProgram('tee', main, { readsStdin: () => true, outputs: files });
