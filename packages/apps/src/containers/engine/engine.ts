/**
 * The container engine (docs/containers.md): Docker's life cycle over a DIOS
 * kernel. A container is a kernel container (a group that is its tasks' only
 * scope, a secrecy tag, a console, limits: `Kernel.createContainer`) with
 * its image's files shared into it read-only under their paths, the objects
 * `--share` names, and an entry task started in its group. The engine is
 * host code: it drives the kernel through init's system calls and the
 * kernel's host operations, and keeps its records in blobs of a host group,
 * durable when the kernel has a store, so images and containers survive a
 * restart (running ones come back stopped).
 * @module
 */
import { v4 as uuidv4 } from 'uuid';
import {
  DiosError,
  errors,
  isDiosError,
  monitorTasks,
  Name,
  normalizePath,
  pathNameSync,
  Rights,
  EXIT_KILLED,
  type Container,
  type ContainerEvent,
  type Kernel,
} from '@dios/kernel';
import type {
  ContainerInfo,
  ContainerSpec,
  ContainerStats,
  ContainerSummary,
  Engine,
  EngineHost,
  ImageSummary,
} from '../api.js';
import { parseLimits, parseShareSpec } from '../images/config.js';
import { ImageStore } from '../images/image-store.js';
import { BlobFiles } from './blob-file.js';
import { ContainerLog } from './container-log.js';
import { decodeRecord, encodeRecord, type ContainerRecord } from './container-record.js';
import { writePath } from './host-paths.js';
import { ImagePrograms } from './image-programs.js';
import { applyShare, shareInfo } from './shares.js';

/** Options of {@link ContainerEngine.open}. */
export interface EngineOptions {
  /** The host's part: reading image directories, putting module programs where workers import them. */
  readonly host: EngineHost;
  /** Called before `stats` sums the figures, so running tasks' CPU time is current (a worker pool's `sample`). */
  readonly sample?: () => void;
}

// The environment variable naming a container's stop notice, in every task the engine starts: select on it to learn of `stop`.
const STOP_NOTICE_ENV = 'DIOS_STOP_NOTICE';
/** How long `stop` waits by default before it kills (ms), as `docker stop`. */
export const DEFAULT_STOP_GRACE_MS = 10_000;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const enc = new TextEncoder();
const dec = new TextDecoder();

interface Live {
  record: ContainerRecord;
  readonly container: Container;
  readonly log: ContainerLog;
  /** Init's handles on the objects shared into it by `--share` (dropped at remove). */
  readonly shareHandles: number[];
  /** Init's handle on the entry task while it runs. */
  entry: number | undefined;
  /** Set by kill and stop, so the exit says why. */
  killed: boolean;
  /** Set by close. */
  shutdown?: boolean;
  stopped: Promise<number> | undefined;
  /** Serialises the operations on one container. */
  queue: Promise<unknown>;
  /** Exits of tasks the engine started (entry, exec), by task name key, until it reads them. */
  readonly exits: Map<string, ContainerEvent>;
}

/** Docker's container life cycle on a DIOS kernel; see {@link Engine}. */
export class ContainerEngine implements Engine {
  readonly #kernel: Kernel;
  readonly #host: EngineHost;
  readonly #images: ImageStore;
  readonly #files: BlobFiles;
  readonly #sample: (() => void) | undefined;
  readonly #live = new Map<string, Live>();
  readonly #programs: ImagePrograms;
  readonly #waited = new Set<string>();

  private constructor(kernel: Kernel, images: ImageStore, group: number, options: EngineOptions) {
    this.#kernel = kernel;
    this.#host = options.host;
    this.#images = images;
    this.#programs = new ImagePrograms(kernel, images, options.host, group);
    this.#files = new BlobFiles(kernel.init, group, kernel.hostGroupName('containers'));
    this.#sample = options.sample;
  }

  /**
   * The engine of `kernel` (which needs worker threads: `useWorkers`, and for
   * WebAssembly entries an interpreter). Reads back the images and
   * containers an earlier run left in the kernel's store.
   */
  static async open(kernel: Kernel, options: EngineOptions): Promise<ContainerEngine> {
    const images = await ImageStore.open(kernel);
    const engine = new ContainerEngine(kernel, images, kernel.hostGroup('containers'), options);
    await engine.#restore();
    return engine;
  }

  // ---- images ----

  async buildImage(dir: string, tag?: string): Promise<ImageSummary> {
    return this.#images.add(await this.#host.readTree(dir), tag, dir);
  }

  listImages(): ImageSummary[] {
    return this.#images.list();
  }

  async removeImage(ref: string): Promise<void> {
    await this.#images.remove(ref, (digest) => [...this.#live.values()].some((l) => l.record.image === digest));
  }

  // ---- containers ----

  async create(spec: ContainerSpec): Promise<ContainerInfo> {
    const s = 'container create';
    if (typeof spec !== 'object' || spec === null)
      throw errors.EINVAL(s, 'spec', `expected { image, name?, args?, env?, limits?, shares? }, got ${String(spec)}`);
    if (typeof spec.image !== 'string') throw errors.EINVAL(s, 'image', 'expected an image tag or digest');
    const image = this.#images.resolve(spec.image);
    const name = spec.name ?? this.#freshName();
    if (typeof name !== 'string' || !NAME.test(name))
      throw errors.EINVAL(s, 'name', `a name is 1 to 128 of [A-Za-z0-9_.-], starting with a letter or digit`);
    if ([...this.#live.values()].some((l) => l.record.name === name))
      throw errors.EEXIST(s, 'name', `a container named ${name} exists`);
    const args: readonly string[] = spec.args ?? image.config.args ?? [];
    if (!Array.isArray(args) || (args as unknown[]).some((a) => typeof a !== 'string'))
      throw errors.EINVAL(s, 'args', 'expected an array of strings');
    if (spec.entry !== undefined && typeof spec.entry !== 'string')
      throw errors.EINVAL(s, 'entry', 'expected the path of a program in the image');
    const entry = spec.entry === undefined ? image.config.entry : normalizePath(spec.entry, s, 'entry');
    if (!image.files.some((f) => f.path === entry))
      throw errors.ENOENT(s, 'entry', `no program ${entry} in image ${image.digest.slice(7, 19)}`);
    for (const field of ['env', 'limits'] as const) {
      const v: unknown = spec[field];
      if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v)))
        throw errors.EINVAL(s, field, `expected an object, got ${typeof v}`);
    }
    const env = { ...(image.config.env ?? {}), ...(spec.env ?? {}) };
    for (const [k, v] of Object.entries(env))
      if (typeof v !== 'string') throw errors.EINVAL(s, `env.${k}`, 'expected a string');
    const limits = parseLimits({ ...(image.config.limits ?? {}), ...(spec.limits ?? {}) }, 'limits');
    const asked: unknown = spec.shares;
    if (asked !== undefined && !Array.isArray(asked))
      throw errors.EINVAL(s, 'shares', 'expected an array of share specs');
    const shares = [...(image.config.shares ?? []), ...((asked as readonly string[] | undefined) ?? [])];
    shares.forEach((share, i) => {
      if (typeof share !== 'string') throw errors.EINVAL(s, `shares[${i}]`, 'expected PATH|NAME[:ro|:rw]');
    });
    shares.forEach((share, i) => parseShareSpec(share, `shares[${i}]`));
    const record: ContainerRecord = {
      id: randomId(),
      name,
      image: image.digest,
      imageRef: spec.image,
      created: new Date().toISOString(),
      entry,
      args: [...(args as readonly string[])],
      env,
      limits,
      shares,
      tag: '',
      status: 'creating',
      exitCode: 0,
      oomKilled: false,
      error: '',
      startedAt: '',
      finishedAt: '',
    };
    const live = await this.#make(record, undefined);
    try {
      await this.#persist(live);
      await this.#files.write('index', enc.encode(JSON.stringify([...this.#live.keys()])));
    } catch (e) {
      await this.#drop(live);
      throw e;
    }
    return this.inspect(record.id);
  }

  start(idOrName: string): Promise<ContainerInfo> {
    const live = this.#find(idOrName);
    return this.#serial(live, async () => {
      if (live.record.status === 'running') return this.inspect(live.record.id);
      const c = live.container;
      this.#kernel.rearmContainer(c);
      c.oomKilled = false;
      live.killed = false;
      const binary = await this.#programs.binary(live.record.image, live.record.entry);
      const init = this.#kernel.init;
      live.entry = await init.run(binary, {
        argv: [live.record.entry, ...live.record.args],
        env: this.#env(live),
        groups: [c.handles.group],
      });
      Object.assign(live.record, {
        status: 'running',
        exitCode: 0,
        oomKilled: false,
        error: '',
        startedAt: new Date().toISOString(),
        finishedAt: '',
      });
      live.stopped = this.#watch(live, live.entry);
      await this.#persist(live);
      return this.inspect(live.record.id);
    });
  }

  stop(idOrName: string, graceMs = DEFAULT_STOP_GRACE_MS): Promise<ContainerInfo> {
    if (!Number.isFinite(graceMs) || graceMs < 0)
      throw errors.EINVAL('container stop', 'time', `expected a non-negative number of ms, got ${String(graceMs)}`);
    const live = this.#find(idOrName);
    return this.#serial(live, async () => {
      if (live.record.status !== 'running' || live.stopped === undefined) return this.inspect(live.record.id);
      const c = live.container;
      this.#kernel.noticeContainer(c);
      const gone = live.stopped.then(() => true);
      const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref?.());
      if (!(await Promise.race([gone, timer]))) {
        live.killed = true;
        this.#kernel.killContainer(c);
      }
      await live.stopped;
      return this.inspect(live.record.id);
    });
  }

  kill(idOrName: string): Promise<ContainerInfo> {
    const live = this.#find(idOrName);
    return this.#serial(live, async () => {
      if (live.record.status !== 'running' || live.stopped === undefined) return this.inspect(live.record.id);
      live.killed = true;
      this.#kernel.killContainer(live.container);
      await live.stopped;
      return this.inspect(live.record.id);
    });
  }

  remove(idOrName: string, force = false): Promise<void> {
    const live = this.#find(idOrName);
    return this.#serial(live, async () => {
      if (live.record.status === 'running') {
        if (!force)
          throw errors.EBUSY(
            'container rm',
            'container',
            `container ${live.record.name} is running: stop it first, or remove it with force`,
          );
        live.killed = true;
        this.#kernel.killContainer(live.container);
        await live.stopped;
      }
      await this.#drop(live);
      await this.#files.write('index', enc.encode(JSON.stringify([...this.#live.keys()])));
      await this.#files.remove(`record:${live.record.id}`);
      await this.#files.remove(`log:${live.record.id}`);
    });
  }

  list(all = false): ContainerSummary[] {
    const out: ContainerSummary[] = [];
    for (const { record: r, container } of this.#live.values()) {
      if (!all && r.status !== 'running') continue;
      out.push({
        id: r.id,
        name: r.name,
        image: r.imageRef,
        command: [r.entry, ...r.args].join(' '),
        created: r.created,
        status: r.status,
        exitCode: r.exitCode,
        tasks: container.taskCount,
      });
    }
    return out.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
  }

  async exec(idOrName: string, argv: readonly string[]): Promise<number> {
    const s = 'container exec';
    const live = this.#find(idOrName);
    if (!Array.isArray(argv) || argv.length === 0 || (argv as unknown[]).some((a) => typeof a !== 'string'))
      throw errors.EINVAL(s, 'argv', 'expected the path of a program in the container, then its arguments');
    if (live.record.status !== 'running')
      throw errors.EINVAL(s, 'container', `container ${live.record.name} is not running`);
    const path = normalizePath(argv[0] as string, s, 'argv[0]');
    const image = this.#images.resolve(live.record.image);
    if (!image.files.some((f) => f.path === path))
      throw errors.ENOENT(s, 'argv[0]', `no program ${path} in image ${image.digest.slice(7, 19)}`);
    const init = this.#kernel.init;
    const task = await init.run(await this.#programs.binary(image.digest, path), {
      argv: [path, ...(argv as readonly string[]).slice(1)],
      env: this.#env(live),
      groups: [live.container.handles.group],
    });
    try {
      return await this.#exitOf(live, task);
    } finally {
      // The task has ended; dropping init's handle can only fail if it is gone already.
      await init.delete(task).catch(() => {});
    }
  }

  async logs(
    idOrName: string,
    follow?: { onData(bytes: Uint8Array): void; until?: Promise<void> },
  ): Promise<Uint8Array> {
    const live = this.#find(idOrName);
    const now = live.log.contents();
    if (follow === undefined) return now;
    const stop = live.log.follow((bytes) => follow.onData(bytes));
    try {
      const ended = live.record.status === 'running' && live.stopped !== undefined ? live.stopped : Promise.resolve();
      await Promise.race([ended, ...(follow.until !== undefined ? [follow.until] : [])]);
    } finally {
      stop();
    }
    return now;
  }

  stats(idOrName: string): ContainerStats {
    const live = this.#find(idOrName);
    this.#sample?.();
    const reports = monitorTasks(this.#kernel).filter((r) => r.container === live.record.id);
    const sum = (f: (r: (typeof reports)[number]) => number) => reports.reduce((n, r) => n + f(r), 0);
    return {
      id: live.record.id,
      name: live.record.name,
      tasks: live.container.taskCount,
      tasksStarted: reports.length,
      cpuMs: sum((r) => r.stats.cpuMs ?? 0),
      memoryBytes: reports.reduce((m, r) => Math.max(m, r.stats.memoryBytes ?? 0), 0),
      ...(live.record.limits.memoryMb !== undefined ? { memoryLimitMb: live.record.limits.memoryMb } : {}),
      bytesRead: sum((r) => r.stats.bytesRead),
      bytesWritten: sum((r) => r.stats.bytesWritten),
      calls: sum((r) => r.stats.totalCalls),
      failedCalls: sum((r) => r.stats.failedCalls),
    };
  }

  inspect(idOrName: string): ContainerInfo {
    const { record: r, container: c } = this.#find(idOrName);
    return {
      Id: r.id,
      Name: r.name,
      Image: r.image,
      ImageRef: r.imageRef,
      Created: r.created,
      State: {
        Status: r.status,
        Running: r.status === 'running',
        ExitCode: r.exitCode,
        OOMKilled: r.oomKilled,
        Error: r.error,
        StartedAt: r.startedAt,
        FinishedAt: r.finishedAt,
      },
      Config: { Entry: r.entry, Args: [...r.args], Env: { ...r.env } },
      Limits: {
        ...(r.limits.memoryMb !== undefined ? { MemoryMb: r.limits.memoryMb } : {}),
        ...(r.limits.maxTasks !== undefined ? { Tasks: r.limits.maxTasks } : {}),
        ...(r.limits.cpuShares !== undefined ? { CpuShares: r.limits.cpuShares } : {}),
      },
      Shares: r.shares.map((spec, i) => shareInfo(this.#kernel, spec, i)),
      Dios: { Group: c.group.name.key, Tag: c.tag.key, Kernel: this.#kernel.id },
    };
  }

  async wait(idOrName: string): Promise<number> {
    const live = this.#find(idOrName);
    if (live.record.status === 'running' && live.stopped !== undefined) return live.stopped;
    return live.record.exitCode;
  }

  async load(path: string, hostPath: string): Promise<string[]> {
    const s = 'load';
    const target = normalizePath(path, s, 'path');
    if (typeof hostPath !== 'string' || hostPath.length === 0)
      throw errors.EINVAL(s, 'hostPath', 'expected the path of a host file or directory');
    let files: { path: string; bytes: Uint8Array }[];
    try {
      files = (await this.#host.readTree(hostPath)).map((f) => ({
        path: normalizePath(`${target}/${f.path}`, s, 'path'),
        bytes: f.bytes,
      }));
    } catch (e) {
      // The host's errors name its own arguments: here they are about `hostPath`.
      const asLoad = (x: unknown): unknown => (isDiosError(x) ? new DiosError(x.code, s, 'hostPath', x.detail) : x);
      if (!isDiosError(e, 'ENOTDIR')) throw asLoad(e);
      let bytes: Uint8Array;
      try {
        bytes = await this.#host.readFile(hostPath);
      } catch (x) {
        throw asLoad(x);
      }
      files = [{ path: target, bytes }];
    }
    for (const file of files) await writePath(this.#kernel.init, file.path, file.bytes);
    return files.map((f) => f.path);
  }

  /**
   * Shuts the engine down as a daemon does: every running container is
   * killed (exit 137, "the engine shut down") and its state and output
   * written, so the next start of the engine finds them stopped.
   */
  async close(): Promise<void> {
    const running = [...this.#live.values()].filter((l) => l.record.status === 'running' && l.stopped !== undefined);
    for (const live of running) {
      live.killed = true;
      live.shutdown = true;
      this.#kernel.killContainer(live.container);
    }
    await Promise.all(running.map((l) => l.stopped!));
    for (const live of this.#live.values()) live.log.close();
  }

  // ---- internals ----

  // The kernel container of a record, with its image's files and its shares made visible inside.
  async #make(record: ContainerRecord, initialLog: Uint8Array | undefined): Promise<Live> {
    const log = new ContainerLog((bytes) => this.#files.append(`log:${record.id}`, bytes), initialLog);
    const container = this.#kernel.createContainer({
      id: record.id,
      limits: record.limits,
      ...(record.tag !== '' ? { tag: Name.parse(record.tag, 'ContainerEngine', 'record.tag') } : {}),
      consoleSink: log.sink,
    });
    const final: ContainerRecord = { ...record, tag: container.tag.key };
    const live: Live = {
      record: final,
      container,
      log,
      shareHandles: [],
      entry: undefined,
      killed: false,
      stopped: undefined,
      queue: Promise.resolve(),
      exits: new Map(),
    };
    this.#live.set(record.id, live);
    // Only the tasks the engine waits for are kept: it started them, so it reads each exit once.
    container.subscribe((event) => {
      if (this.#waited.has(event.task.key)) live.exits.set(event.task.key, event);
    });
    try {
      const image = this.#images.resolve(record.image);
      // The image's files, read-only and runnable, under their paths in the container (one copy for every container).
      for (const file of image.files)
        this.#kernel.shareIntoContainer(container, this.#images.fileHandle(image.digest, file.path), {
          as: pathNameSync(container.group.name, file.path),
          rights: Rights.READ | Rights.EXEC | Rights.DELEGATE,
        });
      for (const [i, spec] of record.shares.entries())
        live.shareHandles.push(await applyShare(this.#kernel, container, spec, i));
      if (final.status === 'creating') final.status = 'created';
    } catch (e) {
      await this.#drop(live);
      throw e;
    }
    return live;
  }

  // Waits for the entry task to end, then ends the rest (the container stops with its main task, as Docker's does).
  async #watch(live: Live, entry: number): Promise<number> {
    const init = this.#kernel.init;
    const c = live.container;
    const status = await this.#exitOf(live, entry);
    if (c.taskCount > 0) this.#kernel.killContainer(c);
    // The entry has ended; dropping init's handle can only fail if it is gone already.
    await init.delete(entry).catch(() => {});
    live.entry = undefined;
    const oom = c.oomKilled;
    Object.assign(live.record, {
      status: 'stopped',
      exitCode: oom ? 137 : status,
      oomKilled: oom,
      error: oom
        ? `a task passed the memory limit of ${live.record.limits.memoryMb} MiB: the container was stopped`
        : live.shutdown === true
          ? 'the engine shut down'
          : live.killed
            ? 'killed'
            : '',
      finishedAt: new Date().toISOString(),
    });
    await live.log.flush();
    // A store that refuses (closed, full) leaves the last state written: the restart rule covers it.
    await this.#persist(live).catch(() => {});
    return live.record.exitCode;
  }

  // The exit status of a task init started in the container. Init may not see it through its reference (the
  // task's label carries the container's tag, which init's does not), so it comes from the kernel's container event.
  async #exitOf(live: Live, handle: number): Promise<number> {
    const init = this.#kernel.init;
    const key = this.#kernel.ref(this.#kernel.tasks.get(init.taskName.key)!, handle, 'ContainerEngine').object.name.key;
    this.#waited.add(key);
    // Select fails only when the handle went (the task is over either way): the event tells the status.
    await init.select([handle]).catch(() => {});
    const event = live.exits.get(key);
    live.exits.delete(key);
    this.#waited.delete(key);
    return event?.status ?? EXIT_KILLED;
  }

  // A task's environment: the container's, and the name of its stop notice (DIOS_STOP_NOTICE, 64 hex digits).
  #env(live: Live): Record<string, string> {
    return { ...live.record.env, [STOP_NOTICE_ENV]: live.container.notice.name.key };
  }

  async #persist(live: Live): Promise<void> {
    await this.#files.write(`record:${live.record.id}`, encodeRecord(live.record));
  }

  // Forgets a container: the kernel's (its tasks killed, its objects destroyed) and the engine's.
  async #drop(live: Live): Promise<void> {
    live.log.close();
    if (!live.container.removed) this.#kernel.removeContainer(live.container);
    // A shared object may be gone already; its handle then needs no dropping.
    for (const h of live.shareHandles) await this.#kernel.init.delete(h).catch(() => {});
    this.#live.delete(live.record.id);
  }

  // Containers an earlier run left: back as they were, the running ones stopped.
  async #restore(): Promise<void> {
    const index = await this.#files.read('index');
    if (index === undefined) return;
    const ids = JSON.parse(dec.decode(index)) as unknown;
    if (!Array.isArray(ids)) throw errors.EIO('ContainerEngine.open', 'store', 'the container index is damaged');
    for (const id of ids) {
      if (typeof id !== 'string') continue;
      const bytes = await this.#files.read(`record:${id}`);
      if (bytes === undefined) continue;
      const record = decodeRecord(bytes, id);
      if (record.status === 'running' || record.status === 'creating') {
        Object.assign(record, {
          status: 'stopped',
          exitCode: 255,
          error: 'the engine stopped while the container ran',
          finishedAt: new Date().toISOString(),
        });
      }
      const live = await this.#make(record, await this.#files.read(`log:${id}`));
      await this.#persist(live);
    }
  }

  #find(idOrName: string): Live {
    const s = 'container';
    if (typeof idOrName !== 'string' || idOrName.length === 0)
      throw errors.EINVAL(s, 'container', 'expected a container id or name');
    const exact = this.#live.get(idOrName);
    if (exact !== undefined) return exact;
    for (const live of this.#live.values()) if (live.record.name === idOrName) return live;
    const matches = [...this.#live.values()].filter((l) => l.record.id.startsWith(idOrName));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1)
      throw errors.EINVAL(s, 'container', `${idOrName} is the start of ${matches.length} container ids`);
    throw errors.ENOENT(s, 'container', `no container ${idOrName}`);
  }

  #serial<T>(live: Live, f: () => Promise<T>): Promise<T> {
    const next = live.queue.then(f, f);
    // The caller gets the error from `next`; the queue goes on.
    live.queue = next.catch(() => {});
    return next;
  }

  #freshName(): string {
    for (;;) {
      const name = `dios_${randomId().slice(0, 8)}`;
      if (![...this.#live.values()].some((l) => l.record.name === name)) return name;
    }
  }
}

// A container's id is a random (v4) UUID written as 32 hex digits, without the hyphens, so that its first 12, which
// ps shows, are hex like Docker's (whose ids are 64 hex digits of randomness; 122 random bits are as unique here).
function randomId(): string {
  return uuidv4().replaceAll('-', '');
}
