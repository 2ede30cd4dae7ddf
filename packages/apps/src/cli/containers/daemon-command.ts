/**
 * `dios daemon [start] [--hypervisor]`, `dios daemon stop`, `dios daemon
 * status`: the container daemon of a data directory, run in the
 * foreground, stopped, or asked after.
 * @module
 */
import { join } from 'node:path';
import { isDiosError } from '@dios/kernel';
import { connectDaemon } from './client.js';
import { DAEMON_START_TIMEOUT_MS } from './daemon-autostart.js';
import { runCommand } from './command-run.js';
import { parseDaemonArgs } from './daemon-args.js';
import { dataDirOf, daemonPaths } from './daemon-paths.js';
import { startDaemon } from './daemon.js';
import { nodeEngineHost } from './host-files.js';

const COMMAND = 'dios daemon';

/** Runs the daemon until a signal or POST /shutdown; 0 when it stopped cleanly. */
async function runDaemon(dataDir: string, hypervisor: boolean): Promise<number> {
  const paths = daemonPaths(dataDir);
  const daemon = await startDaemon({
    dataDir,
    hypervisor,
    // Module programs of images are written here, for worker threads to import.
    host: nodeEngineHost(join(paths.dataDir, 'modules')),
  });
  const stop = () => void daemon.stop();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stderr.write(
    `dios daemon: serving ${paths.dataDir} on ${daemon.paths.socket} (pid ${process.pid})${hypervisor ? ' (hypervisor mode)' : ''}\n`,
  );
  await daemon.stopped;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  process.stderr.write('dios daemon: stopped\n');
  return 0;
}

/** Asks the daemon to stop and waits until its socket is gone. */
async function stopDaemon(dataDir: string): Promise<number> {
  let client;
  try {
    client = await connectDaemon({ dataDir, autostart: false });
  } catch (e) {
    if (!isDiosError(e, 'ECONNREFUSED')) throw e;
    process.stderr.write(`${COMMAND}: no daemon serves ${daemonPaths(dataDir).dataDir}\n`);
    return 0;
  }
  await client.shutdown();
  const deadline = Date.now() + DAEMON_START_TIMEOUT_MS;
  while (await client.ping()) {
    if (Date.now() > deadline) {
      process.stderr.write(`${COMMAND}: the daemon still answers after ${DAEMON_START_TIMEOUT_MS} ms\n`);
      return 1;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return 0;
}

async function status(dataDir: string): Promise<number> {
  const paths = daemonPaths(dataDir);
  try {
    const client = await connectDaemon({ dataDir, autostart: false });
    const [all, running, images] = await Promise.all([client.list(true), client.list(false), client.listImages()]);
    process.stdout.write(
      `running: ${paths.dataDir} on ${paths.socket}: ${images.length} images, ` +
        `${all.length} containers (${running.length} running)\n`,
    );
    return 0;
  } catch (e) {
    if (!isDiosError(e, 'ECONNREFUSED')) throw e;
    process.stdout.write(`not running: no daemon serves ${paths.dataDir} (socket ${paths.socket})\n`);
    return 1;
  }
}

/** Runs `dios daemon ARGS`; resolves to the exit status. */
export function daemonCommand(argv: readonly string[]): Promise<number> {
  return runCommand(COMMAND, async () => {
    const args = parseDaemonArgs(argv);
    const dataDir = dataDirOf(args.data);
    if (args.kind === 'start') return runDaemon(dataDir, args.hypervisor);
    if (args.kind === 'stop') return stopDaemon(dataDir);
    return status(dataDir);
  });
}
