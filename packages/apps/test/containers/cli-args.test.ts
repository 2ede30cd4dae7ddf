/**
 * The container commands' argument parsers, in this process: each refusal
 * is a UsageError naming the option or argument; Docker's options land in
 * the ContainerSpec; the socket path falls back to TMPDIR when too long.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { containerCommand } from '../../src/cli/containers/container-command.js';
import { parseContainerArgs } from '../../src/cli/containers/container-args.js';
import { parseDaemonArgs } from '../../src/cli/containers/daemon-args.js';
import {
  daemonPaths,
  dataDirOf,
  DEFAULT_DATA_DIR,
  MAX_SOCKET_PATH_BYTES,
} from '../../src/cli/containers/daemon-paths.js';
import { parseImageArgs } from '../../src/cli/containers/image-args.js';
import { parseLoadArgs } from '../../src/cli/containers/load-args.js';
import { age, containerTable, imageTable, size, table } from '../../src/cli/containers/listing.js';
import { UsageError } from '../../src/cli/args/usage-error.js';
import { DEFAULT_EXEC_DATA } from '../../src/cli/exec-args.js';
import { inProcess } from '../cli-process.js';

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('accepted');
}

describe('dios container arguments', () => {
  it('puts run options in the spec and leaves what follows IMAGE to the container', () => {
    const args = parseContainerArgs([
      'run',
      '--name=web1',
      '--entrypoint',
      '/bin/other.mjs',
      '-m',
      '64m',
      '--pids-limit',
      '8',
      '--cpu-shares',
      '512',
      '--share',
      '/data/in.txt:ro',
      '--share',
      `${'ab'.repeat(32)}`,
      '-e',
      'A=1',
      '--env',
      'B=x=y',
      '-d',
      '--data',
      '/tmp/d',
      'hello:1',
      '--name',
      '-h',
    ]);
    expect(args).toEqual({
      kind: 'run',
      data: '/tmp/d',
      detach: true,
      rm: false,
      spec: {
        image: 'hello:1',
        name: 'web1',
        entry: '/bin/other.mjs',
        args: ['--name', '-h'],
        env: { A: '1', B: 'x=y' },
        limits: { memory: '64m', tasks: 8, cpuShares: 512 },
        shares: ['/data/in.txt:ro', 'ab'.repeat(32)],
      },
    });
    expect(parseContainerArgs(['create', 'img'])).toEqual({
      kind: 'create',
      data: undefined,
      detach: false,
      rm: false,
      spec: { image: 'img' },
    });
  });

  it('parses the other subcommands', () => {
    expect(parseContainerArgs(['stop', '-t', '3', 'a', 'b'])).toEqual({
      kind: 'stop',
      containers: ['a', 'b'],
      graceMs: 3000,
      data: undefined,
    });
    expect(parseContainerArgs(['rm', 'a', '-f'])).toMatchObject({ kind: 'rm', containers: ['a'], force: true });
    expect(parseContainerArgs(['ps', '--all'])).toMatchObject({ kind: 'ps', all: true });
    expect(parseContainerArgs(['logs', '-f', 'a'])).toMatchObject({ kind: 'logs', container: 'a', follow: true });
    expect(parseContainerArgs(['exec', 'a', '/bin/x.mjs', '-f', '--data', 'y'])).toMatchObject({
      kind: 'exec',
      container: 'a',
      argv: ['/bin/x.mjs', '-f', '--data', 'y'],
      data: undefined,
    });
    expect(parseContainerArgs(['stats', '--no-stream'])).toMatchObject({ kind: 'stats', containers: [] });
    expect(parseContainerArgs(['run', '-dm64m', '-eA=1', 'img'])).toMatchObject({
      detach: true,
      spec: { image: 'img', limits: { memory: '64m' }, env: { A: '1' } },
    });
  });

  it('refuses mistakes, naming the option or argument', () => {
    const cases: [string[], RegExp][] = [
      [[], /missing subcommand/],
      [['frobnicate'], /^unknown subcommand 'frobnicate' of container \(one of: create, run, /],
      [['run'], /^missing IMAGE$/],
      [['run', '--bogus', 'img'], /unknown option '--bogus'/],
      [['run', '--memory'], /^option --memory needs a value$/],
      [['run', '--memory', 'lots', 'img'], /^option --memory: 'lots'/],
      [['run', '--memory', '1m', 'img'], /--memory: '1m'.*4/],
      [['create', '--pids-limit', '0', 'img'], /--pids-limit: expected a whole number from 1/],
      [['create', '--cpu-shares', '1', 'img'], /--cpu-shares: .* from 2 to 262144, got '1'/],
      [['create', '--share', 'relative/path', 'img'], /--share: 'relative\/path'/],
      [['create', '--share', '/x:rx', 'img'], /--share: '\/x:rx'/],
      [['create', '-e', 'NOEQUALS', 'img'], /--env: expected KEY=VALUE, got 'NOEQUALS'/],
      [['create', '--name', '-bad', 'img'], /^option --name: expected a container name .*, got '-bad'$/],
      [['create', '--name', '--env', 'img'], /^option --name needs a value$/],
      [['create', '--name=a b', 'img'], /^option --name: expected a container name .*, got 'a b'$/],
      [
        ['run', '--entrypoint', 'bin/x.mjs', 'img'],
        /^option --entrypoint: expected an absolute path .*, got 'bin\/x.mjs'$/,
      ],
      [['run', '--rm', '-d', 'img'], /^options --rm and --detach exclude each other/],
      [['create', '--detach', 'img'], /unknown option '--detach'/],
      [['stop', '-t', 'soon', 'a'], /--time: expected a whole number/],
      [['stop'], /^missing CONTAINER$/],
      [['ps', 'extra'], /^extra argument 'extra'$/],
      [['ps', '--all=1'], /^option --all takes no value$/],
      [['logs', 'a', 'b'], /^extra argument 'b'$/],
      [['exec', 'a'], /^missing PATH/],
      [['exec'], /^missing CONTAINER$/],
      [['rm', '--data'], /--data needs a value/],
    ];
    for (const [argv, message] of cases)
      expect(
        refusal(() => parseContainerArgs(argv)),
        argv.join(' '),
      ).toMatch(message);
  });
});

describe('dios image and dios daemon arguments', () => {
  it('parses them', () => {
    expect(parseImageArgs(['build', 'dir', '-t', 'hello:1'])).toEqual({
      kind: 'build',
      dir: 'dir',
      tag: 'hello:1',
      data: undefined,
    });
    expect(parseImageArgs(['rm', 'a', 'b', '--data=x'])).toEqual({ kind: 'rm', refs: ['a', 'b'], data: 'x' });
    expect(parseDaemonArgs([])).toEqual({ kind: 'start', hypervisor: false, data: undefined });
    expect(parseDaemonArgs(['--hypervisor', '--data', 'd'])).toEqual({ kind: 'start', hypervisor: true, data: 'd' });
    expect(parseDaemonArgs(['stop', '--data', 'd'])).toEqual({ kind: 'stop', data: 'd' });
  });

  it('refuses mistakes, naming the option or argument', () => {
    const image: [string[], RegExp][] = [
      [[], /missing subcommand/],
      [['build'], /^missing DIR$/],
      [['build', 'a', 'b'], /^extra argument 'b'$/],
      [['build', 'a', '--tag', 'Upper'], /^option --tag: expected NAME\[:TAG\] .*, got 'Upper'$/],
      [['build', 'a', '--tag'], /^option --tag needs a value$/],
      [['ls', '--tag', 'x'], /unknown option '--tag'/],
      [['rm'], /^missing IMAGE$/],
      [['push'], /^unknown subcommand 'push' of image \(one of: build, ls, rm\)$/],
    ];
    for (const [argv, message] of image)
      expect(
        refusal(() => parseImageArgs(argv)),
        argv.join(' '),
      ).toMatch(message);
    const daemon: [string[], RegExp][] = [
      [['restart'], /^unknown subcommand 'restart' of daemon \(one of: start, stop, status\)$/],
      [['stop', '--hypervisor'], /unknown option '--hypervisor'/],
      [['status', 'x'], /^extra argument 'x'$/],
    ];
    for (const [argv, message] of daemon)
      expect(
        refusal(() => parseDaemonArgs(argv)),
        argv.join(' '),
      ).toMatch(message);
  });
});

describe('daemon paths and listings', () => {
  it('takes the data directory from --data, then DIOS_DATA, then ./.dios-data', () => {
    expect(dataDirOf('a', { DIOS_DATA: 'b' })).toBe('a');
    expect(dataDirOf(undefined, { DIOS_DATA: 'b' })).toBe('b');
    expect(dataDirOf(undefined, {})).toBe('.dios-data');
    expect(DEFAULT_DATA_DIR).toBe(DEFAULT_EXEC_DATA);
  });

  it('puts the socket in the data directory, or under TMPDIR when that path is too long', () => {
    expect(daemonPaths('/srv/d').socket).toBe('/srv/d/dios.sock');
    const long = `/srv/${'x'.repeat(120)}`;
    const p = daemonPaths(long);
    expect(p.socket.startsWith(join(tmpdir(), 'dios-'))).toBe(true);
    expect(Buffer.byteLength(p.socket)).toBeLessThanOrEqual(MAX_SOCKET_PATH_BYTES);
    expect(daemonPaths(long).socket).toBe(p.socket);
    expect(daemonPaths(`${long}y`).socket).not.toBe(p.socket);
    expect(p.store).toBe(`${long}/store`);
  });

  it('prints aligned tables with short ids, ages and sizes', () => {
    expect(
      table([
        ['A', 'BB'],
        ['CCC', 'D'],
      ]),
    ).toBe('A     BB\nCCC   D\n');
    const now = Date.parse('2026-01-01T00:10:00Z');
    expect(age('2026-01-01T00:09:58Z', now)).toBe('2 seconds ago');
    expect(age('2026-01-01T00:05:00Z', now)).toBe('5 minutes ago');
    expect(size(999)).toBe('999B');
    expect(size(5200)).toBe('5.2kB');
    const images = imageTable(
      [
        {
          digest: `sha256:${'c'.repeat(64)}`,
          tags: ['hello:1', 'hello:latest'],
          size: 1234,
          created: '2026-01-01T00:00:00Z',
        },
      ],
      now,
    );
    expect(images.split('\n')[0]).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    expect(images).toContain(`hello        1        ${'c'.repeat(12)}   10 minutes ago   1.23kB`);
    const ps = containerTable(
      [
        {
          id: 'f'.repeat(64),
          name: 'web',
          image: 'hello',
          command: '/main.mjs a',
          created: '2026-01-01T00:09:00Z',
          status: 'stopped',
          exitCode: 3,
          tasks: 0,
        },
      ],
      now,
    );
    expect(ps).toMatch(/^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+NAMES\n/);
    expect(ps).toContain(`${'f'.repeat(12)}   hello   "/main.mjs a"   1 minute ago   Exited (3)   web`);
  });
});

describe("the command's failures", () => {
  it('is exit 2 with the message and the help to read, before any daemon is reached', async () => {
    const data = join(tmpdir(), `dios-never-${process.pid}`);
    const r = await inProcess(['container', 'run', '--data', data, '--memory', 'lots', 'hello']);
    expect(existsSync(data)).toBe(false);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^dios: option --memory: 'lots'.*\nTry 'dios help container run'\.\n$/);
  });

  it('is exit 1 with one line when the data directory cannot be made (no daemon can start there)', async () => {
    // Under a regular file: no directory can be made there.
    const file = join(tmpdir(), `dios-not-a-dir-${process.pid}`);
    writeFileSync(file, '');
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    try {
      expect(await containerCommand(['ps', '--data', join(file, 'data')])).toBe(1);
    } finally {
      spy.mockRestore();
      rmSync(file);
    }
    expect(lines).toEqual([expect.stringMatching(/^dios container: ENOTDIR: .*dios-not-a-dir-\d+\/data'\n$/)]);
  });
});

describe('dios load arguments', () => {
  it('takes an absolute DIOS path and a host path, with --data', () => {
    expect(parseLoadArgs(['/data', './in', '--data', 'd'])).toEqual({ path: '/data', hostPath: './in', data: 'd' });
  });

  it('refuses a missing or relative PATH, a missing HOSTPATH, extra arguments and unknown options', () => {
    expect(refusal(() => parseLoadArgs([]))).toContain('missing PATH');
    expect(refusal(() => parseLoadArgs(['data', './in']))).toBe(
      "PATH: expected an absolute DIOS path (starting with /), got 'data'",
    );
    expect(refusal(() => parseLoadArgs(['/data']))).toContain('missing HOSTPATH');
    expect(refusal(() => parseLoadArgs(['/data', 'a', 'b']))).toMatch(/b/);
    expect(refusal(() => parseLoadArgs(['/data', 'a', '--ro']))).toContain('--ro');
  });
});
