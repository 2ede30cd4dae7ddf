/**
 * The dios command's help, version and usage errors: every command and
 * subcommand answers --help, -h and `dios help NAME` with its own text and
 * exit 0; the same mistake reads the same in every command; --version is
 * package.json's. Then the launcher a user runs, bin/dios.js: it runs the
 * build in its own process (no second process behind it), and says how to
 * build when there is nothing built.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { programMissing } from '../../kernel/test/support/services.js';
import { commandList, helpText } from '../src/cli/args/help-text.js';
import { allSpecs } from '../src/cli/command-table.js';
import { WEB_SERVE_COMMAND } from '../src/cli/web-args.js';
import { DIOS_BIN, diosSync, inProcess } from './cli-process.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(HERE, '..', 'package.json'), 'utf8')) as { version: string }).version;
const SPECS = allSpecs();
const GLOBAL = commandList(SPECS);
const dir = mkdtempSync(join(tmpdir(), 'dios-help-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dios help', () => {
  it.each(SPECS.map((s) => [s.name, s] as const))(
    '%s: --help, -h and dios help print its own help',
    async (name, spec) => {
      const words = name.split(' ');
      for (const args of [
        [...words, '--help'],
        [...words, '-h'],
        ['help', ...words],
      ]) {
        const r = await inProcess(args);
        expect(r, args.join(' ')).toEqual({ status: 0, stdout: helpText(spec), stderr: '' });
      }
      const text = helpText(spec);
      expect(text).not.toBe(GLOBAL);
      expect(text.startsWith(`Usage: dios ${name} `)).toBe(true);
      expect(text).toMatch(/\nOptions:\n[\s\S]*-h, --help {2,}print this help\n/);
      expect(text).toContain(`\nExample:\n  dios ${words[0]!}`);
      expect(GLOBAL).toContain(`  ${name} `);
    },
  );

  it('dios help, --help and -h list the commands; a command with subcommands lists its own', async () => {
    for (const args of [['help'], ['--help'], ['-h']])
      expect(await inProcess(args)).toEqual({ status: 0, stdout: GLOBAL, stderr: '' });
    const container = await inProcess(['container', '--help']);
    expect(container.stdout).toMatch(/^Usage: dios container SUBCOMMAND/);
    expect(container.stdout).toContain('  container run ');
    expect(container.stdout).not.toContain('image build');
    // dios daemon alone starts one, but its --help lists what else it does.
    expect((await inProcess(['daemon', '--help'])).stdout).toMatch(
      /daemon start .*\n[\s\S]*daemon stop [\s\S]*daemon status /,
    );
    expect((await inProcess(['daemon', '--data', 'd', '--help'])).stdout).toMatch(/^Usage: dios daemon start /);
    expect((await inProcess(['help', 'web'])).stdout).toBe(helpText(WEB_SERVE_COMMAND));
    expect(await inProcess(['help', 'nope'])).toEqual({
      status: 2,
      stdout: '',
      stderr: "dios: unknown command 'nope'\nTry 'dios help'.\n",
    });
  });

  it('--version and -V print the version in package.json', async () => {
    for (const flag of ['--version', '-V'])
      expect(await inProcess([flag])).toEqual({ status: 0, stdout: `${VERSION}\n`, stderr: '' });
  });
});

describe('the same mistake reads the same in every command', () => {
  // In-process: a usage error is found before a command starts anything.
  it('an unknown option', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SPECS), fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), async (spec, word) => {
        fc.pre(!(word in spec.options) && word !== 'help');
        const r = await inProcess([...spec.name.split(' '), `--${word}`]);
        expect(r).toEqual({
          status: 2,
          stdout: '',
          stderr: `dios: unknown option '--${word}'\nTry 'dios help ${spec.name}'.\n`,
        });
      }),
      { numRuns: 60 },
    );
  });

  it.each(SPECS.map((s) => [s.name, s] as const))(
    '%s: an option without its value, a flag with one',
    async (name, spec) => {
      const words = name.split(' ');
      for (const [option, o] of Object.entries(spec.options)) {
        const args = o.type === 'string' ? [...words, `--${option}`] : [...words, `--${option}=x`];
        const wording = o.type === 'string' ? 'needs a value' : 'takes no value';
        expect(await inProcess(args), args.join(' ')).toEqual({
          status: 2,
          stdout: '',
          stderr: `dios: option --${option} ${wording}\nTry 'dios help ${name}'.\n`,
        });
      }
    },
  );

  it('a port, in web and kv alike', async () => {
    for (const words of [
      ['web', 'serve', '.'],
      ['kv', 'serve'],
    ]) {
      const r = await inProcess([...words, '-p', 'eighty']);
      expect(r.stderr).toBe(
        `dios: option --port: expected a port number 0-65535, got 'eighty'\nTry 'dios help ${words.slice(0, 2).join(' ')}'.\n`,
      );
    }
  });

  it('from the sources, in a process of its own', () => {
    expect(diosSync(['web', 'serve', '--help'])).toEqual({
      status: 0,
      stdout: helpText(WEB_SERVE_COMMAND),
      stderr: '',
    });
  });
});

describe('bin/dios.js', () => {
  it('without a build, says to run npm run build (exit 1)', () => {
    const copy = join(dir, 'unbuilt', 'bin');
    cpSync(DIOS_BIN, join(copy, 'dios.js'));
    const r = spawnSync(process.execPath, [join(copy, 'dios.js'), '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^dios: .*dist\/cli\/main\.js is not built yet: run 'npm run build' first\n$/);
  });

  // The launcher runs the build: CI builds before testing; a checkout not built since is skipped here.
  const unbuilt = programMissing(join(HERE, '..', 'dist', 'cli', 'main.js'));

  it.skipIf(unbuilt !== undefined)(
    'prints the version from the build, and runs as npx dios from the repository root',
    () => {
      const r = spawnSync(process.execPath, [DIOS_BIN, '--version'], { encoding: 'utf8' });
      expect([r.status, r.stdout, r.stderr]).toEqual([0, `${VERSION}\n`, '']);
      const npx = spawnSync('npx', ['--no-install', 'dios', '-V'], {
        cwd: join(HERE, '..', '..', '..'),
        encoding: 'utf8',
      });
      expect([npx.status, npx.stdout]).toEqual([0, `${VERSION}\n`]);
    },
  );

  it.skipIf(unbuilt !== undefined)('serves in its own process: no child behind it, and SIGTERM ends it', async () => {
    const child = spawn(process.execPath, [DIOS_BIN, 'kv', 'serve', '-p', '0', '--data', join(dir, 'kv')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /listening on [\d.]+:(\d+)/.exec(out);
        if (m !== null) resolve(Number(m[1]));
      });
      void exit.then((code) => reject(new Error(`exited ${code} before listening: ${out}`)));
    });
    // It answers: the process serving is up (and past setting up its signal handlers).
    const socket = connect(port, '127.0.0.1');
    socket.write('PING\r\n');
    const [reply] = (await once(socket, 'data')) as [Buffer];
    socket.destroy();
    expect(reply.toString()).toBe('+PONG\r\n');
    // Linux lists a process's children per thread; the server is this pid, with none.
    const children = readdirSync(`/proc/${child.pid}/task`).flatMap((t) =>
      readFileSync(`/proc/${child.pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean),
    );
    expect(children).toEqual([]);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(existsSync(`/proc/${child.pid}`)).toBe(false);
  });
});
