/**
 * The dios command, run as a child process through its bin launcher: output
 * format and order, --top, --all, usage errors (exit 2), missing files.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseWordCountArgs } from '../src/cli/wordcount-args.js';
import { UsageError } from '../src/cli/usage-error.js';
import { coreutilsCounts, entries } from './helpers.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'dios.js');
const dir = mkdtempSync(join(tmpdir(), 'dios-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dios(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

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

  it('--top K prints K lines; --top 0 none', () => {
    expect(dios('wordcount', '--top', '3', GPL).stdout.split('\n').filter(Boolean)).toHaveLength(3);
    const zero = dios('wordcount', '--top=0', GPL);
    expect([zero.status, zero.stdout]).toEqual([0, '']);
  });

  it('an empty file prints nothing', () => {
    expect(dios('wordcount', file('empty.txt', ''))).toMatchObject({ status: 0, stdout: '', stderr: '' });
  });

  // The parser's refusals, in this process (a child process each cost ~2 s of the suite's budget)...
  it.each([
    [[], /at least one FILE/],
    [[GPL, '--maps', '0'], /--maps: expected an integer >= 1, got '0'/],
    [[GPL, '--reduces'], /--reduces needs a value/],
    [[GPL, '--top', 'many'], /--top: expected an integer >= 0, got 'many'/],
    [[GPL, '--top', '3', '--all'], /--top and --all/],
    [[GPL, '--frobnicate'], /unknown option '--frobnicate'/],
    [[GPL, '--user', 'u', '--pass', 'p'], /--user needs --cluster URL/],
    [[GPL, '--cluster', 'nats://127.0.0.1:1', '--user', 'u'], /--user needs --pass/],
    [[GPL, '--cluster', 'nats://127.0.0.1:1', '--token', 't', '--nkey', '/x'], /--nkey: give one of/],
    [[GPL, '--cluster', 'nats://127.0.0.1:1', '--cluster-name', 'a.b'], /--cluster-name: .*'a\.b'/],
  ])('wordcount usage error %j: a UsageError naming the argument', (args, message) => {
    expect(() => parseWordCountArgs(args)).toThrow(UsageError);
    expect(() => parseWordCountArgs(args)).toThrow(message);
  });

  // ...and through the real command: exit 2, nothing on stdout, the message on stderr.
  it.each([
    [['wordcount', GPL, '--maps', '0'], /--maps: expected an integer >= 1, got '0'/],
    [['count', GPL], /unknown command 'count'/],
    [[], /missing command/],
  ])('usage error %j: exit 2 with a message naming the argument', (args, message) => {
    const r = dios(...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
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

  it('runs as `npx dios` from the repository root', () => {
    const root = join(dirname(BIN), '..', '..', '..');
    const r = spawnSync('npx', ['--no-install', 'dios', 'wordcount', '--top', '1', GPL], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect([r.status, r.stdout]).toEqual([0, 'the\t' + String(coreutilsCounts(readFileSync(GPL)).get('the')) + '\n']);
  });

  it('--help prints the usage', () => {
    for (const args of [['--help'], ['-h'], ['wordcount', '--help']]) {
      const r = dios(...args);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^Usage: dios <command>/);
      expect(r.stdout).toContain('--top K');
    }
  });
});
