/**
 * The container daemon: one DIOS kernel per data directory, with a durable
 * store in DIR/store, worker threads, the WASI interpreter and the
 * container engine, served over HTTP/1.1 on a Unix socket (see
 * daemon-server.ts). It claims the socket before it boots the kernel, so a
 * second daemon on the same directory is refused before it touches the
 * store. Stopping it (SIGINT, SIGTERM, POST /shutdown) stops accepting,
 * kills the running containers (they are 'stopped' at the next start, the
 * engine's restart rule), closes the store and removes the socket.
 * @module
 */
import { mkdirSync, unlinkSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Writable } from 'node:stream';
import { Kernel } from '@dios/kernel';
import { FileBlobStore, useWorkers, writableConsoleSink, type WorkerPool } from '@dios/kernel/node';
import { wasiInterpreter } from '@dios/libd/wasi';
import type { Engine, EngineHost } from '../../containers/api.js';
import { ContainerEngine } from '../../containers/engine/engine.js';
import { createDaemonServer } from './daemon-server.js';
import { daemonPaths, type DaemonPaths } from './daemon-paths.js';
import { listenOnSocket } from './socket-listen.js';

/** Id of the daemon's kernel (what `inspect` shows as Dios.Kernel). */
export const DAEMON_KERNEL_ID = 'dios-daemon';

/** Cluster name of the daemon's kernel: fixed, so every run names its blobs the same and finds the last run's. */
export const DAEMON_CLUSTER = 'dios-containers';

/** Options of {@link startDaemon}. */
export interface DaemonOptions {
  /** The data directory (store in DIR/store). */
  readonly dataDir: string;
  /** Boot the kernel in hypervisor mode (legacy programs only inside containers). */
  readonly hypervisor?: boolean;
  /** The socket to listen on (default: see daemonPaths). */
  readonly socketPath?: string;
  /** The host's part of the engine: reading image directories, placing module files for workers. */
  readonly host: EngineHost;
  /** Where the kernel's console goes (default: stderr). */
  readonly log?: Writable;
}

/** A running daemon. */
export interface Daemon {
  /** Its paths (socket, store, log). */
  readonly paths: DaemonPaths;
  /** The engine it serves. */
  readonly engine: Engine;
  /** Stops it (once; later calls return the same promise). */
  stop(): Promise<void>;
  /** Resolves when it has stopped, whoever stopped it (POST /shutdown included). */
  readonly stopped: Promise<void>;
}

/** How long open requests (a `wait`, a followed log) get to finish after the containers are killed. */
const DRAIN_MS = 500;

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/** Starts a daemon on `options.dataDir`; EADDRINUSE when one already serves it. */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const base = daemonPaths(options.dataDir);
  const paths: DaemonPaths = { ...base, socket: options.socketPath ?? base.socket };
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });

  let stopping: Promise<void> | undefined;
  let ready!: (engine: Engine) => void;
  let failed!: (e: unknown) => void;
  const engineReady = new Promise<Engine>((resolve, reject) => ((ready = resolve), (failed = reject)));
  const server = createDaemonServer(engineReady, { onShutdown: () => void stop() });
  await listenOnSocket(server, paths.socket);

  let store: FileBlobStore | undefined;
  let pool: WorkerPool | undefined;
  let engine: ContainerEngine;
  const release = async (): Promise<void> => {
    await pool?.close();
    await store?.close();
    try {
      unlinkSync(paths.socket);
    } catch {
      // Removed with the server already.
    }
  };
  try {
    store = new FileBlobStore(paths.store, { fsync: 'batch' });
    const kernel = await Kernel.boot({
      id: DAEMON_KERNEL_ID,
      cluster: DAEMON_CLUSTER,
      store,
      consoleSink: writableConsoleSink(options.log ?? process.stderr),
      hypervisor: options.hypervisor === true,
    });
    // Container tasks run in pure threads (one task each): two kept warm once the first has run, so a short burst of
    // starts finds them ready; plain threads are for the host's few tasks.
    const workers = useWorkers(kernel, { size: 1, pureSpares: 2 });
    pool = workers;
    kernel.registerInterpreter('wasm', wasiInterpreter);
    engine = await ContainerEngine.open(kernel, { host: options.host, sample: () => workers.sample() });
  } catch (e) {
    failed(e);
    await closeServer(server);
    server.closeAllConnections();
    await release();
    throw e;
  }
  ready(engine);

  let done!: () => void;
  const stopped = new Promise<void>((resolve) => (done = resolve));
  function stop(): Promise<void> {
    stopping ??= (async () => {
      const closing = closeServer(server);
      for (const c of engine.list(false)) {
        // One container that cannot be killed must not keep the daemon up: it comes back stopped anyway.
        await engine
          .kill(c.id)
          .catch((e: unknown) => process.stderr.write(`dios daemon: kill ${c.id}: ${String(e)}\n`));
      }
      // Killed containers end their `wait`s and followed logs; anything still open after a moment is cut.
      const timer = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
      await closing;
      clearTimeout(timer);
      await release();
      done();
    })();
    return stopping;
  }
  return { paths, engine, stop, stopped };
}
