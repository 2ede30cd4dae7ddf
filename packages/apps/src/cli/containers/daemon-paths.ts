/**
 * Where the container daemon of a data directory keeps its files: the
 * durable store, the log of a daemon started on demand, and the Unix
 * socket it listens on.
 * @module
 */
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The data directory when neither `--data` nor DIOS_DATA says one: the same as `dios exec`'s (DEFAULT_EXEC_DATA; cli-args.test.ts checks they agree). */
export const DEFAULT_DATA_DIR = '.dios-data';

/** Longest Unix socket path Linux takes (sun_path is 108 bytes, one for the terminating NUL). */
export const MAX_SOCKET_PATH_BYTES = 107;

/** The data directory: `--data` if given, else DIOS_DATA, else ./.dios-data. */
export function dataDirOf(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return option ?? (env.DIOS_DATA !== undefined && env.DIOS_DATA !== '' ? env.DIOS_DATA : DEFAULT_DATA_DIR);
}

/** Where a data directory's files go. */
export interface DaemonPaths {
  /** The data directory, resolved. */
  readonly dataDir: string;
  /** The durable store. */
  readonly store: string;
  /** The Unix socket. */
  readonly socket: string;
  /** What a daemon started on demand writes. */
  readonly log: string;
}

/**
 * The paths of data directory `dataDir`. The socket is `DIR/dios.sock`
 * unless that is longer than a socket path may be; then it is
 * `TMPDIR/dios-HASH.sock`, HASH taken from the resolved directory, so every
 * command finds the same one.
 */
export function daemonPaths(dataDir: string): DaemonPaths {
  const dir = resolve(dataDir);
  let socket = join(dir, 'dios.sock');
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH_BYTES) {
    const hash = createHash('sha256').update(dir).digest('hex').slice(0, 16);
    socket = join(tmpdir(), `dios-${hash}.sock`);
  }
  return { dataDir: dir, store: join(dir, 'store'), socket, log: join(dir, 'daemon.log') };
}
