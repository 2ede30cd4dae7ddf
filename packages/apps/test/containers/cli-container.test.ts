/**
 * `dios image|container|daemon` as child processes, from the sources: the first
 * command starts the daemon on demand; `run` streams the console and exits
 * with the container's code; after `daemon stop` the next command starts a
 * new daemon, and `ps -a` and the image list still show what the first made
 * (state in DIR/store); SIGTERM stops a daemon. (A usage error's exit 2
 * is checked in process, in cli-args.test.ts.)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isDiosError } from '@dios/kernel';
import { connectDaemon } from '../../src/cli/containers/client.js';
import { dios } from '../cli-process.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/daemon-hello', import.meta.url));

describe('dios container commands', () => {
  const data = mkdtempSync(join(tmpdir(), 'dios-cli-ctr-'));
  const socket = join(data, 'dios.sock');

  afterAll(async () => {
    // Whatever a failed test left running: stopped through the socket, without another spawn.
    try {
      await (await connectDaemon({ dataDir: data, autostart: false })).shutdown();
    } catch (e) {
      if (!isDiosError(e, 'ECONNREFUSED')) throw e;
    }
    for (let i = 0; i < 100 && existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
    rmSync(data, { recursive: true, force: true });
  });

  it('starts the daemon on demand, runs attached, and keeps images and containers across a restart', async () => {
    const build = await dios(['image', 'build', FIXTURE, '--tag', 'hello', '--data', data]);
    expect(build.stderr).toBe('');
    expect(build.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(build.status).toBe(0);
    expect(existsSync(socket)).toBe(true);
    expect(readFileSync(join(data, 'daemon.log'), 'utf8')).toContain('dios daemon: serving');

    const run = await dios(['container', 'run', '--data', data, '--name', 'r1', 'hello', 'cli', '5']);
    expect(run.stdout).toBe('hello cli\n');
    expect(run.status).toBe(5);

    const stop = await dios(['daemon', 'stop', '--data', data]);
    expect(stop.status).toBe(0);
    expect(existsSync(socket)).toBe(false);

    const ps = await dios(['container', 'ps', '-a', '--data', data]);
    expect(ps.status).toBe(0);
    const [header, row, ...rest] = ps.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+NAMES$/);
    expect(row).toMatch(/^[0-9a-f]{12}\s+hello\s+"\/main\.mjs cli 5"\s+.* ago\s+Exited \(5\)\s+r1$/);
    expect(rest).toEqual([]);
    // The image too (asked in this process: one spawn less; `image ls`'s table is checked in cli-args.test.ts).
    const client = await connectDaemon({ dataDir: data, autostart: false });
    expect((await client.listImages()).map((i) => [i.digest, i.tags])).toEqual([
      [build.stdout.trim(), ['hello:latest']],
    ]);

    // SIGTERM (its pid is in the log) stops it as cleanly as 'daemon stop'.
    const pids = [...readFileSync(join(data, 'daemon.log'), 'utf8').matchAll(/serving .* \(pid (\d+)\)/g)];
    expect(pids.length).toBe(2);
    process.kill(Number(pids[1]![1]), 'SIGTERM');
    for (let i = 0; i < 200 && existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(socket)).toBe(false);
  });
});
