/**
 * The container daemon's client: the Engine's operations, each one HTTP
 * request on the daemon's Unix socket. `connectDaemon` finds the daemon of
 * a data directory and, unless told not to, starts one when none answers
 * (daemon-autostart.ts), as Docker's CLI relies on dockerd being there.
 * @module
 */
import { lstatSync } from 'node:fs';
import { errors } from '@dios/kernel';
import type {
  ContainerInfo,
  ContainerSpec,
  ContainerStats,
  ContainerSummary,
  Engine,
  ImageSummary,
} from '../../containers/api.js';
import { DAEMON_START_TIMEOUT_MS, startDaemonProcess } from './daemon-autostart.js';
import { daemonPaths } from './daemon-paths.js';
import { readAll, requestJson, sendRequest } from './daemon-request.js';

/** Each Engine method, made asynchronous: what crosses the socket. */
export type RemoteEngine = {
  [K in keyof Engine]: (...args: Parameters<Engine[K]>) => Promise<Awaited<ReturnType<Engine[K]>>>;
};

const seg = encodeURIComponent;

/** The Engine over a daemon's socket. */
export class DaemonClient implements RemoteEngine {
  /** `socketPath`: the daemon's Unix socket. */
  constructor(readonly socketPath: string) {}

  /** Whether the daemon answers. */
  async ping(): Promise<boolean> {
    try {
      const res = await sendRequest(this.socketPath, { method: 'GET', path: '/_ping', call: 'daemon.ping' });
      return (await readAll(res)).toString() === 'OK';
    } catch {
      return false;
    }
  }

  /** Asks the daemon to stop (it kills running containers, closes its store, removes the socket, exits). */
  async shutdown(): Promise<void> {
    await requestJson(this.socketPath, { method: 'POST', path: '/shutdown', call: 'daemon.shutdown' });
  }

  /** Engine.buildImage; `dir` is resolved by the caller (the daemon's working directory is not the caller's). */
  buildImage(dir: string, tag?: string): Promise<ImageSummary> {
    return this.#json('POST', '/images/build', 'image.build', { dir, ...(tag === undefined ? {} : { tag }) });
  }

  /** Engine.listImages. */
  listImages(): Promise<ImageSummary[]> {
    return this.#json('GET', '/images/json', 'image.list');
  }

  /** Engine.removeImage. */
  removeImage(ref: string): Promise<void> {
    return this.#json('DELETE', `/images/${seg(ref)}`, 'image.remove');
  }

  /** Engine.load: the daemon reads `hostPath` itself (give it an absolute path). */
  async load(path: string, hostPath: string): Promise<string[]> {
    const r = await this.#json<{ paths: string[] }>('POST', '/files/load', 'load', { path, hostPath });
    return r.paths;
  }

  /** Engine.create. */
  create(spec: ContainerSpec): Promise<ContainerInfo> {
    return this.#json('POST', '/containers/create', 'container.create', spec);
  }

  /** Engine.start. */
  start(idOrName: string): Promise<ContainerInfo> {
    return this.#json('POST', `/containers/${seg(idOrName)}/start`, 'container.start');
  }

  /** Engine.stop; the grace period goes in whole seconds (rounded up), as Docker's `t`. */
  stop(idOrName: string, graceMs?: number): Promise<ContainerInfo> {
    const t = graceMs === undefined ? '' : `?t=${Math.ceil(graceMs / 1000)}`;
    return this.#json('POST', `/containers/${seg(idOrName)}/stop${t}`, 'container.stop');
  }

  /** Engine.kill. */
  kill(idOrName: string): Promise<ContainerInfo> {
    return this.#json('POST', `/containers/${seg(idOrName)}/kill`, 'container.kill');
  }

  /** Engine.remove. */
  remove(idOrName: string, force?: boolean): Promise<void> {
    return this.#json('DELETE', `/containers/${seg(idOrName)}${force === true ? '?force=1' : ''}`, 'container.remove');
  }

  /** Engine.list. */
  list(all?: boolean): Promise<ContainerSummary[]> {
    return this.#json('GET', `/containers/json${all === true ? '?all=1' : ''}`, 'container.list');
  }

  /** Engine.exec. */
  async exec(idOrName: string, argv: readonly string[]): Promise<number> {
    const r = await this.#json<{ ExitCode: number }>('POST', `/containers/${seg(idOrName)}/exec`, 'container.exec', {
      argv,
    });
    return r.ExitCode;
  }

  /**
   * Engine.logs. Without `follow`, the console's bytes. With it, every
   * byte (what the console held, then more) goes to `onData` as it comes,
   * until the container stops or `until` resolves; then it resolves to an
   * empty array.
   */
  async logs(
    idOrName: string,
    follow?: { onData(bytes: Uint8Array): void; until?: Promise<void> },
  ): Promise<Uint8Array> {
    const path = `/containers/${seg(idOrName)}/logs${follow === undefined ? '' : '?follow=1'}`;
    const res = await sendRequest(this.socketPath, { method: 'GET', path, call: 'container.logs' });
    if (follow === undefined) return new Uint8Array(await readAll(res));
    void follow.until?.then(() => res.destroy());
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) follow.onData(new Uint8Array(chunk));
    } catch {
      // Cut short by `until` (or by the daemon going): following ends either way.
    }
    return new Uint8Array(0);
  }

  /** Engine.stats. */
  stats(idOrName: string): Promise<ContainerStats> {
    return this.#json('GET', `/containers/${seg(idOrName)}/stats`, 'container.stats');
  }

  /** Engine.inspect. */
  inspect(idOrName: string): Promise<ContainerInfo> {
    return this.#json('GET', `/containers/${seg(idOrName)}/json`, 'container.inspect');
  }

  /** Engine.wait. */
  async wait(idOrName: string): Promise<number> {
    const r = await this.#json<{ StatusCode: number }>('POST', `/containers/${seg(idOrName)}/wait`, 'container.wait');
    return r.StatusCode;
  }

  #json<T>(method: 'GET' | 'POST' | 'DELETE', path: string, call: string, body?: unknown): Promise<T> {
    return requestJson<T>(this.socketPath, { method, path, call, ...(body === undefined ? {} : { body }) });
  }
}

/** Options of {@link connectDaemon}. */
export interface ConnectOptions {
  /** The data directory whose daemon to reach. */
  readonly dataDir: string;
  /** Start a daemon when none answers (default true). */
  readonly autostart?: boolean;
  /** How long to wait for a started daemon (default {@link DAEMON_START_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
}

/** Refuses a socket another user made: in a shared TMPDIR someone else could be listening there. */
function checkOwner(socket: string): void {
  let uid: number;
  try {
    uid = lstatSync(socket).uid;
  } catch {
    return;
  }
  if (process.getuid !== undefined && uid !== process.getuid())
    throw errors.EACCES('daemon.connect', socket, `the socket belongs to user ${uid}, not to this user`);
}

/** A client of the daemon of `dataDir`, started on demand unless `autostart` is false (then ECONNREFUSED when none answers). */
export async function connectDaemon(options: ConnectOptions): Promise<DaemonClient> {
  const paths = daemonPaths(options.dataDir);
  checkOwner(paths.socket);
  const client = new DaemonClient(paths.socket);
  if (await client.ping()) return client;
  if (options.autostart === false)
    throw errors.ECONNREFUSED('daemon.connect', paths.socket, `no daemon serves ${paths.dataDir}`);
  await startDaemonProcess(paths, () => client.ping(), options.timeoutMs ?? DAEMON_START_TIMEOUT_MS);
  checkOwner(paths.socket);
  return client;
}
