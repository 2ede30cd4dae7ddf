/**
 * Starting a real nats-server for a test file: on a free loopback port, with
 * a config file of the test's choosing, killed (and its directory removed)
 * by stop(). Tests that need it skip with a visible reason when the program
 * is missing, unless DIOS_REQUIRE_SERVICES=1 makes that a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { programMissing } from './services.js';

/** Where Debian's nats-server package puts the program. */
export const NATS_SERVER = '/usr/sbin/nats-server';

/** Why NATS tests cannot run here (undefined: they can). Throws when DIOS_REQUIRE_SERVICES=1 and the server is missing. */
export function natsMissing(): string | undefined {
  return programMissing(NATS_SERVER);
}

/** A running nats-server. */
export interface NatsServer {
  /** `nats://127.0.0.1:PORT`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** A scratch directory of its own (holds the config; removed by stop). */
  readonly dir: string;
  /** The server process. */
  readonly process: ChildProcess;
  /** Kills the server and removes its directory. */
  stop(): void;
}

/** A TCP port nothing listens on now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Whether something accepts connections on `port`. */
export async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/**
 * Starts nats-server with `config` (the text of a config file; the port and
 * address are given on the command line) and `args` (more flags, e.g.
 * `--user`), and resolves once it accepts connections (within 10 s).
 */
export async function startNatsServer(
  options: { config?: string; args?: readonly string[] } = {},
): Promise<NatsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'dios-nats-'));
  const config = join(dir, 'nats.conf');
  writeFileSync(config, options.config ?? '');
  const port = await freePort();
  const child = spawn(NATS_SERVER, ['-c', config, '-a', '127.0.0.1', '-p', String(port), ...(options.args ?? [])], {
    stdio: 'ignore',
  });
  const stop = () => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null) {
      stop();
      throw new Error(`nats-server exited with ${child.exitCode}`);
    }
    if (Date.now() > deadline) {
      stop();
      throw new Error('nats-server did not accept connections within 10 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `nats://127.0.0.1:${port}`, port, dir, process: child, stop };
}
