/**
 * WordCount on MapReduce agrees exactly with the coreutils pipeline on real
 * texts, for several numbers of map and reduce tasks; and `dios wordcount`
 * counts standard input ('-') and directories (walked, sorted) as it counts
 * the same files listed.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SystemCalls } from '@dios/kernel';
import { wordCount, wordCountSync } from '@dios/apps';
import { InputError, wordCountCommand } from '../src/cli/wordcount-command.js';
import { hostFiles } from '../src/cli/wordcount/host-files.js';
import { loadStream } from '../src/cli/wordcount/stdin-blob.js';
import { MAIN, ROOT } from './cluster-helpers.js';
import { asMap, bootKernel, coreutilsCounts, entries, inOutputOrder, putBlob } from './helpers.js';

const TEXTS = ['GPL-3', 'Apache-2.0', 'GFDL-1.3', 'Artistic', 'LGPL-2.1', 'MPL-2.0'].map(
  (n) => `/usr/share/common-licenses/${n}`,
);
const SHAPES: [number, number][] = [
  [1, 1],
  [2, 3],
  [7, 2],
  [16, 5],
  [64, 16],
];

let sys: SystemCalls;
beforeAll(async () => ({ sys } = await bootKernel()));

describe.each(TEXTS)('%s', (path) => {
  const bytes = readFileSync(path);
  const expected = coreutilsCounts(bytes);

  it.each(SHAPES)('maps=%i reduces=%i: the same counts as coreutils, in output order', async (maps, reduces) => {
    const input = await putBlob(sys, bytes);
    const counts = await wordCount(sys, [input], { maps, reduces });
    expect(expected.size).toBeGreaterThan(100);
    expect(entries(asMap(counts))).toEqual(entries(expected));
    expect(inOutputOrder(counts)).toBe(true);
  });

  it('the single-threaded baseline agrees too, in the same order', () => {
    const counts = wordCountSync(bytes);
    expect(entries(asMap(counts))).toEqual(entries(expected));
    expect(inOutputOrder(counts)).toBe(true);
  });
});

describe('several inputs', () => {
  it('counts the inputs together, a record never running from one input into the next', async () => {
    const parts = TEXTS.map((p) => readFileSync(p));
    // The first input ends inside a word that the second begins with: they are two words, not one.
    parts[0] = Buffer.concat([parts[0]!, Buffer.from('abc')]);
    parts[1] = Buffer.concat([Buffer.from('def'), parts[1]!]);
    const inputs = await Promise.all(parts.map((p) => putBlob(sys, p)));
    const expected = coreutilsCounts(Buffer.concat(parts.flatMap((p) => [p, Buffer.from('\n')])));
    expect(expected.get('abc')).toBe(1);
    for (const [maps, reduces] of [
      [1, 1],
      [5, 3],
      [40, 7],
    ] as const) {
      const counts = await wordCount(sys, inputs, { maps, reduces });
      expect(entries(asMap(counts))).toEqual(entries(expected));
    }
  });
});

describe('dios wordcount: standard input and directories', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dios-wc-inputs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const [gpl, apache, lgpl, mpl] = ['GPL-3', 'Apache-2.0', 'LGPL-2.1', 'MPL-2.0'].map((n) =>
    readFileSync(`/usr/share/common-licenses/${n}`),
  );
  // tree/a.txt, tree/b/c/d.txt, tree/b/e.txt, and a link back up that must not loop.
  const tree = join(dir, 'tree');
  mkdirSync(join(tree, 'b', 'c'), { recursive: true });
  writeFileSync(join(tree, 'a.txt'), apache!);
  writeFileSync(join(tree, 'b', 'c', 'd.txt'), lgpl!);
  writeFileSync(join(tree, 'b', 'e.txt'), mpl!);
  symlinkSync('..', join(tree, 'b', 'up'));
  symlinkSync('nowhere', join(tree, 'b', 'dangling'));

  // Runs the command in this process, for its refusals (a job here would start a worker thread per task, slow under
  // vitest); nothing is expected on its streams.
  const refused = (args: string[]): Promise<void> => {
    const quiet = Object.assign(new Writable({ write: (_c, _e, done) => done() }), { isTTY: false });
    return wordCountCommand(args, quiet, quiet as unknown as NodeJS.WriteStream, (async function* () {})());
  };
  const counts = (out: string) =>
    entries(
      new Map(
        out
          .split('\n')
          .filter(Boolean)
          .map((l) => [l.split('\t')[0]!, Number(l.split('\t')[1])]),
      ),
    );

  it('a directory is its regular files in a sorted walk; links followed, loops and dangling links not', async () => {
    expect((await hostFiles(tree)).map((f) => f.path.slice(tree.length))).toEqual(['/a.txt', '/b/c/d.txt', '/b/e.txt']);
  });

  it("'-' reads standard input and a directory counts as its files, child process (stderr empty without --progress)", () => {
    const r = spawnSync(
      process.execPath,
      ['--conditions=@dios/source', '--import', 'tsx', MAIN, 'wordcount', '--all', '-', tree],
      { cwd: ROOT, input: gpl, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const all = Buffer.concat([gpl!, Buffer.from('\n'), apache!, Buffer.from('\n'), lgpl!, Buffer.from('\n'), mpl!]);
    expect(counts(r.stdout)).toEqual(entries(coreutilsCounts(all)));
  });

  it('standard input in pieces becomes one blob of the same bytes', async () => {
    const text = gpl!.toString('latin1');
    const pieces = [text.slice(0, 1000), '', text.slice(1000, 1001), text.slice(1001)];
    const ref = await loadStream(
      sys,
      (async function* () {
        for (const piece of pieces) yield Buffer.from(piece, 'latin1');
      })(),
    );
    const view = await sys.beginRead(ref, { offset: 0 });
    expect(Buffer.from(view).equals(gpl!)).toBe(true);
    await sys.endRead(ref, view);
    await sys.delete(ref);
  });

  it("'-' twice is a usage error: standard input can be read once", async () => {
    await expect(refused(['-', '-'])).rejects.toThrow(/'-' \(standard input\) may be given once/);
    await expect(refused(['-', '-'])).rejects.toMatchObject({ name: 'UsageError' });
  });

  it('an empty directory is no files; a file in the walk that cannot be read is named', async () => {
    mkdirSync(join(dir, 'empty'));
    expect(await hostFiles(join(dir, 'empty'))).toEqual([]);
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'ok.txt'), 'fine words');
    symlinkSync('self', join(bad, 'self')); // a link to itself: ELOOP
    const failed = refused([bad]);
    await expect(failed).rejects.toBeInstanceOf(InputError);
    await expect(failed).rejects.toThrow(`cannot read '${join(bad, 'self')}': ELOOP`);
  });
});
