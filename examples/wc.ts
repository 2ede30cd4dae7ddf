/**
 * wc: prints newline, word and byte counts for each FILE (or stdin), and a
 * total line when there are several, laid out as GNU coreutils' wc does in
 * the C locale. `-l`, `-w`, `-c` choose the counts.
 *
 *   npx tsx --conditions=@dios/source examples/wc.ts [-lwc] [FILE]...
 *
 * @module
 */
import { chunks, fclose, fopen, fprintf, stdio, type FILE, type ProgramContext } from '@dios/libd';
import { runProgram, strerror } from './run-program.js';

type Counts = [lines: number, words: number, bytes: number];

// C locale: space, \t \n \v \f \r end a word; a printable character starts one; other bytes do neither.
const isSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d);
const isPrint = (b: number) => b > 0x20 && b < 0x7f;

async function count(file: FILE, close: boolean): Promise<Counts> {
  const counts: Counts = [0, 0, 0];
  let inWord = false;
  for await (const chunk of chunks(file, { close })) {
    counts[2] += chunk.length;
    for (const b of chunk) {
      if (b === 0x0a) counts[0]++;
      if (isSpace(b)) inWord = false;
      else if (isPrint(b) && !inWord) {
        inWord = true;
        counts[1]++;
      }
    }
  }
  return counts;
}

async function main(argv: string[], { sys }: ProgramContext): Promise<number> {
  const { stdin, stdout, stderr } = await stdio(sys);
  const [argv0, ...args] = argv;
  const flags = args.filter((a) => /^-[lwc]+$/.test(a)).join('');
  const names = args.filter((a) => !/^-[lwc]+$/.test(a));
  const shown = flags === '' ? [true, true, true] : ['l', 'w', 'c'].map((f) => flags.includes(f));
  const inputs = names.length > 0 ? names : ['-'];
  // Open everything first: as coreutils does with stat, the column width comes from the total size of the files.
  const opened = await Promise.all(
    inputs.map((n) =>
      (n === '-' ? Promise.resolve(stdin) : fopen(sys, n, 'r')).then(
        (file) => ({ file, error: undefined }),
        (error: unknown) => ({ file: undefined, error }),
      ),
    ),
  );
  let regular = 0;
  let minimum = 1;
  for (const { file } of opened)
    if (file === stdin) minimum = 7;
    else if (file !== undefined) regular += sys.ref(file.handle).size;
  let width = Math.max(minimum, String(regular).length);
  if (inputs.length === 1 && shown.filter(Boolean).length === 1) width = 1;
  const line = (c: Counts, name: string) =>
    c
      .filter((_, i) => shown[i])
      .map((n) => String(n).padStart(width))
      .join(' ') + (names.length === 0 ? '' : ` ${name}`);
  const total: Counts = [0, 0, 0];
  let status = 0;
  for (const [i, { file, error }] of opened.entries()) {
    try {
      if (file === undefined) throw error;
      const c = await count(file, file !== stdin);
      c.forEach((n, k) => (total[k] = total[k]! + n));
      await fprintf(stdout, '%s\n', line(c, inputs[i]!));
    } catch (e) {
      await fprintf(stderr, '%s: %s: %s\n', argv0!, inputs[i]!, strerror(e));
      status = 1;
    }
  }
  if (inputs.length > 1) await fprintf(stdout, '%s\n', line(total, 'total'));
  await fclose(stdout);
  return status;
}

await runProgram('wc', main, { readsStdin: (args) => args.every((a) => /^-[lwc]+$/.test(a)) || args.includes('-') });
