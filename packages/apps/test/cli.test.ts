/**
 * dios wordcount, run as a child process from the sources: output format
 * and order, --top, --all, usage errors (exit 2), missing files.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseWordCountArgs } from '../src/cli/wordcount-args.js';
import { UsageError } from '../src/cli/args/usage-error.js';
import { diosSync, inProcess } from './cli-process.js';
import { coreutilsCounts, entries } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'dios-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const dios = (...args: string[]) => diosSync(args);

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const GPL = '/usr/share/common-licenses/GPL-3';
const APACHE = '/usr/share/common-licenses/Apache-2.0';

describe('dios wordcount', () => {
  it('prints the 10 most frequent words as word<TAB>count lines, ties in byte order', () => {
    const r = dios('wordcount', file('small.txt', 'b a B c\nA b d e f g h i j k l m'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('b\t3\na\t2\nc\t1\nd\t1\ne\t1\nf\t1\ng\t1\nh\t1\ni\t1\nj\t1\n');
  });

  it('--all prints every word of several files, the counts equal to coreutils', () => {
    const r = dios('wordcount', GPL, APACHE, '--all', '--maps', '5', '--reduces=3');
    expect(r.status).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(lines.every((l) => l.length === 2 && /^[a-z0-9]+$/.test(l[0]!) && /^[1-9]\d*$/.test(l[1]!))).toBe(true);
    const got = new Map(lines.map(([w, c]) => [w!, Number(c)]));
    const both = Buffer.concat([readFileSync(GPL), Buffer.from('\n'), readFileSync(APACHE)]);
    expect(entries(got)).toEqual(entries(coreutilsCounts(both)));
    const counts = lines.map((l) => Number(l[1]));
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it('--top K (-n K) prints K lines', () => {
    expect(dios('wordcount', '-n', '3', GPL).stdout.split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('an empty file prints nothing', () => {
    expect(dios('wordcount', file('empty.txt', ''))).toMatchObject({ status: 0, stdout: '', stderr: '' });
  });

  // The parser's refusals, in this process (a child process each cost ~2 s of the suite's budget)...
  it.each([
    [[], /^missing FILE$/],
    [[GPL, '--maps', '0'], /^option --maps: expected a whole number >= 1, got '0'$/],
    [[GPL, '--reduces'], /^option --reduces needs a value$/],
    [[GPL, '--top', 'many'], /^option --top: expected a whole number >= 1, got 'many'$/],
    [[GPL, '--top=0'], /^option --top: expected a whole number >= 1, got '0'$/],
    [[GPL, '--top', '-1'], /^option --top: expected a whole number >= 1, got '-1'$/],
    [[GPL, '--top', '2.5'], /^option --top: expected a whole number >= 1, got '2.5'$/],
    [[GPL, '--top', '--all'], /^option --top needs a value$/],
    [[GPL, '--all=yes'], /^option --all takes no value$/],
    [[GPL, '--top', '3', '--all'], /--top and --all/],
    [[GPL, '--frobnicate'], /^unknown option '--frobnicate'$/],
    [[GPL, '--store', 's', '--cluster', 'nats://127.0.0.1:1'], /^options --store and --cluster exclude each other$/],
    [[GPL, '--user', 'u', '--pass', 'p'], /--user needs --cluster URL/],
    [[GPL, '--cluster', 'nats://127.0.0.1:1', '--user', 'u'], /--user needs --pass/],
    [[GPL, '--cluster', 'nats://127.0.0.1:1', '--token', 't', '--nkey', '/x'], /--nkey: give one of/],
    [[GPL, '--cluster', 'nats://127.0.0.1:1', '--cluster-name', 'a.b'], /--cluster-name: .*'a\.b'/],
  ])('wordcount usage error %j: a UsageError naming the argument', (args, message) => {
    expect(() => parseWordCountArgs(args)).toThrow(UsageError);
    expect(() => parseWordCountArgs(args)).toThrow(message);
  });

  it('takes - (standard input) among the files and --progress', () => {
    expect(parseWordCountArgs(['-', GPL, '--progress'])).toMatchObject({ files: ['-', GPL], progress: true });
    expect(parseWordCountArgs([GPL])).toMatchObject({ progress: false, top: 10 });
  });

  // ...and through the command's dispatcher: exit 2, nothing on stdout, the message and the help to read on stderr.
  it.each([
    [
      ['wordcount', GPL, '--maps', '0'],
      "dios: option --maps: expected a whole number >= 1, got '0'\nTry 'dios help wordcount'.\n",
    ],
    [['count', GPL], "dios: unknown command 'count'\nTry 'dios help'.\n"],
    [[], "dios: missing command\nTry 'dios help'.\n"],
  ])('usage error %j: exit 2 with a message naming the argument', async (args, message) => {
    const r = await inProcess(args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(message);
  });

  it('a missing file: exit 1, ENOENT and the path', () => {
    const missing = join(dir, 'no-such-file.txt');
    const r = dios('wordcount', GPL, missing);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('ENOENT');
    expect(r.stderr).toContain(missing);
  });

  it('--cluster with an --nkey file that cannot be read: exit 1 naming the flag and the file', () => {
    const missing = join(dir, 'no-such-seed');
    const r = dios('wordcount', GPL, '--cluster', 'nats://127.0.0.1:1', '--nkey', missing);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--nkey: cannot read '.*no-such-seed': ENOENT/);
  });
});
