/**
 * `dios exec`, run as a child process from the sources: a C program
 * compiled here for WASI gets its argv (everything after PROGRAM.wasm, even
 * `--data`), stdin from a pipe, stdout and stderr apart, and its exit status
 * passed through; a file it writes is there in the next run with the same
 * --data; a missing file, a file that is not WebAssembly, a malformed module
 * and a trap each give one line on stderr and a non-zero status. Needs
 * clang with the wasm32-wasi sysroot (skipped without, unless
 * DIOS_REQUIRE_SERVICES=1).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { programMissing } from '../../kernel/test/support/services.js';
import { DEFAULT_EXEC_DATA, EXEC_COMMAND, parseExecArgs } from '../src/cli/exec-args.js';
import { helpText } from '../src/cli/args/help-text.js';
import { dios, inProcess } from './cli-process.js';

const CLANG = '/usr/bin/clang';
const WASI_LIBC = '/usr/lib/wasm32-wasi/libc.a';
const missing = programMissing(CLANG) ?? programMissing(WASI_LIBC);

// One program, several behaviours chosen by argv[1].
const PROBE_C = String.raw`
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int copy(FILE *from, FILE *to) {
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, from)) > 0) fwrite(buf, 1, n, to);
  return ferror(from) ? 5 : 0;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "echo") == 0) {
    printf("argc=%d", argc);
    for (int i = 0; i < argc; i++) printf(" [%s]", argv[i]);
    printf("\n");
    copy(stdin, stdout);
    fprintf(stderr, "stderr line\n");
    return argc > 2 ? atoi(argv[2]) : 0;
  }
  if (strcmp(mode, "write") == 0 && argc == 4) {
    FILE *f = fopen(argv[2], "w");
    if (f == NULL) { perror(argv[2]); return 3; }
    fputs(argv[3], f);
    return fclose(f) == 0 ? 0 : 6;
  }
  if (strcmp(mode, "read") == 0 && argc == 3) {
    FILE *f = fopen(argv[2], "r");
    if (f == NULL) { perror(argv[2]); return 4; }
    int status = copy(f, stdout);
    fclose(f);
    return status;
  }
  if (strcmp(mode, "trap") == 0) __builtin_trap();
  fprintf(stderr, "usage: probe echo|write|read|trap\n");
  return 2;
}
`;

const dir = mkdtempSync(join(tmpdir(), 'dios-exec-'));
const probe = join(dir, 'probe.wasm');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe
  .skipIf(missing !== undefined)
  .concurrent(`dios exec${missing === undefined ? '' : ` (skipped: ${missing})`}`, () => {
    beforeAll(() => {
      writeFileSync(join(dir, 'probe.c'), PROBE_C);
      execFileSync(CLANG, ['--target=wasm32-wasi', '--sysroot=/usr', '-O2', join(dir, 'probe.c'), '-o', probe]);
    }, 60_000);

    it('passes argv after PROGRAM.wasm to the program, pipes stdin through, keeps stderr apart, exits with its status', async () => {
      const data = join(dir, 'data-echo');
      const r = await dios(['exec', '--data', data, probe, 'echo', '7', '--data', '-h'], 'line one\nline two\n');
      expect(r.stderr).toBe('stderr line\n');
      expect(r.stdout).toBe('argc=5 [probe.wasm] [echo] [7] [--data] [-h]\nline one\nline two\n');
      expect(r.status).toBe(7);
      // --data made the store there, not in the default directory.
      expect(existsSync(data)).toBe(true);
    });

    it('a file the program writes is there in the next run with the same --data, and not with another', async () => {
      const data = join(dir, 'data-files');
      expect(await dios(['exec', `--data=${data}`, probe, 'write', '/notes.txt', 'kept across runs'])).toMatchObject({
        status: 0,
        stderr: '',
      });
      expect(await dios(['exec', '--data', data, '--', probe, 'read', '/notes.txt'])).toMatchObject({
        status: 0,
        stdout: 'kept across runs',
        stderr: '',
      });
      const other = await dios(['exec', '--data', join(dir, 'data-other'), probe, 'read', '/notes.txt']);
      expect(other.status).toBe(4);
      expect(other.stderr).toMatch(/^\/notes\.txt: No such file or directory\n$/);
    });

    it('a trap: one line naming the program on stderr, status 134 (as of an abort)', async () => {
      const r = await dios(['exec', '--data', join(dir, 'data-trap'), probe, 'trap']);
      expect(r.status).toBe(134);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^probe\.wasm: trap: unreachable\n$/);
    });
  });

// The command line and programs that cannot run need no compiler.
describe.concurrent('dios exec: command line', () => {
  it.each([
    {
      what: 'a missing file',
      name: 'nowhere.wasm',
      contents: undefined,
      status: 127,
      message: /^dios exec: .*nowhere\.wasm: no such file\n$/,
    },
    {
      what: 'a file that is not WebAssembly',
      name: 'text.wasm',
      contents: 'hello\n',
      status: 126,
      message: /^dios exec: .*text\.wasm: not a WebAssembly module .*\n$/,
    },
    {
      what: 'a malformed import section',
      name: 'bad.wasm',
      contents: '\u0000asm\u0001\u0000\u0000\u0000\u0001\u00ff',
      status: 126,
      message: /^dios exec: .*bad\.wasm: ENOEXEC: .*\n$/,
    },
    {
      what: 'a module that does not compile',
      name: 'broken.wasm',
      contents: '\u0000asm\u0001\u0000\u0000\u0000\u000a\u0001\u00ff',
      status: 126,
      message: /^broken\.wasm: not a valid WebAssembly module: .*\n$/,
    },
  ])('$what: one line on stderr, status $status', async ({ name, contents, status, message }) => {
    const path = join(dir, name);
    if (contents !== undefined) writeFileSync(path, contents, 'latin1');
    const r = await dios(['exec', '--data', join(dir, `data-${name}`), path]);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(status);
  });

  it('a usage error: exit 2 with the message', async () => {
    expect(await inProcess(['exec', '--verbose', 'x.wasm'])).toEqual({
      status: 2,
      stdout: '',
      stderr: "dios: unknown option '--verbose'\nTry 'dios help exec'.\n",
    });
  });

  it.each([
    [[], /^missing PROGRAM\.wasm$/],
    [['--data'], /^option --data needs a value$/],
    [['--data='], /^option --data needs a value$/],
    [['--'], /^missing PROGRAM\.wasm$/],
    [['-x', 'p.wasm'], /^unknown option '-x'$/],
  ])('parseExecArgs %j: a usage error naming the argument', (args, message) => {
    expect(() => parseExecArgs(args)).toThrow(message);
  });

  it('parseExecArgs: options before the program, everything after it belongs to the program', () => {
    expect(parseExecArgs(['p.wasm', '--data', 'x', '--', '-h'])).toEqual({
      program: 'p.wasm',
      args: ['--data', 'x', '--', '-h'],
      data: DEFAULT_EXEC_DATA,
    });
    expect(parseExecArgs(['--data=d', '--', '-odd.wasm', 'a'])).toMatchObject({
      program: '-odd.wasm',
      args: ['a'],
      data: 'd',
    });
  });

  it("dios exec --help explains it; after PROGRAM.wasm, --help is the program's", async () => {
    const r = await inProcess(['exec', '--data', 'd', '--help']);
    expect([r.status, r.stdout]).toEqual([0, helpText(EXEC_COMMAND)]);
    expect(r.stdout).toMatch(/^Usage: dios exec \[--data DIR\] \[--\] PROGRAM\.wasm \[ARGS\.\.\.\]/);
    expect(r.stdout).toMatch(/default \.\/\.dios-data/);
    expect(parseExecArgs(['p.wasm', '--help'])).toMatchObject({ program: 'p.wasm', args: ['--help'] });
  });
});
