/**
 * A local daemon started on demand: `dios daemon start --data DIR` as a
 * detached process of its own (it outlives the command that started it),
 * its output appended to DIR/daemon.log, waited for until it answers.
 * @module
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { errors } from '@dios/kernel';
import type { DaemonPaths } from './daemon-paths.js';

/** How long a command waits for a daemon it started to answer. */
export const DAEMON_START_TIMEOUT_MS = 15_000;

const POLL_MS = 50;

/**
 * The arguments to node that start `dios` as this code runs: from the
 * sources (a checkout, the tests), main.ts with tsx and the source
 * condition; from the build, the launcher bin/dios.js.
 */
function diosCommand(): string[] {
  if (import.meta.url.endsWith('.ts')) {
    const main = fileURLToPath(new URL('../main.ts', import.meta.url));
    return ['--conditions=@dios/source', `--import=${import.meta.resolve('tsx')}`, main];
  }
  for (const up of ['../../bin/dios.js', '../bin/dios.js']) {
    const path = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(path)) return [path];
  }
  throw errors.ENOENT('daemon.start', 'bin/dios.js', 'the dios launcher is not where the package keeps it');
}

/** The last lines of the daemon's log, for a start that failed. */
function logTail(paths: DaemonPaths): string {
  try {
    const lines = readFileSync(paths.log, 'utf8').trimEnd().split('\n');
    return lines.slice(-5).join('\n');
  } catch {
    return '';
  }
}

/** Starts `dios daemon start --data DIR` detached, output appended to DIR/daemon.log; resolves when `ping` says it answers. */
export async function startDaemonProcess(
  paths: DaemonPaths,
  ping: () => Promise<boolean>,
  timeoutMs = DAEMON_START_TIMEOUT_MS,
): Promise<void> {
  mkdirSync(paths.dataDir, { recursive: true });
  const log = openSync(paths.log, 'a');
  let exited: number | null | undefined;
  try {
    const child = spawn(process.execPath, [...diosCommand(), 'daemon', 'start', '--data', paths.dataDir], {
      detached: true,
      stdio: ['ignore', log, log],
    });
    child.once('exit', (code) => (exited = code));
    child.unref();
  } finally {
    closeSync(log);
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ping()) return;
    // Another command's daemon may have won the socket: then this one exits and that one answers.
    if (exited !== undefined && exited !== 0 && !(await ping())) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      if (await ping()) return;
      throw errors.ECONNREFUSED('daemon.start', paths.dataDir, `the daemon exited (${exited}): ${logTail(paths)}`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw errors.ETIMEDOUT(
    'daemon.start',
    paths.dataDir,
    `no answer on ${paths.socket} after ${timeoutMs} ms (see ${paths.log})`,
  );
}
