/**
 * The container engine's types (docs/containers.md): images, containers,
 * what `inspect`, `ps` and `stats` print, and the engine's operations. The
 * engine (engine/), the image store (images/), the daemon that serves the
 * engine over a Unix socket and its client (daemon/) all speak these.
 * @module
 */

/** The file an image directory holds its config in. */
export const IMAGE_CONFIG_FILE = 'dios-image.json';

/** Limits as written in an image config or on the command line (`--memory 64m`, `--pids-limit 16`, `--cpu-shares 512`). */
export interface LimitsSpec {
  /** Heap limit of each task: MiB as a number, or a size with a unit (`64m`, `1g`; at least 4 MiB). */
  readonly memory?: number | string;
  /** Most live tasks (Docker's `--pids-limit`). */
  readonly tasks?: number;
  /** CPU weight (Docker's `--cpu-shares`, default 1024). */
  readonly cpuShares?: number;
}

/**
 * What `dios-image.json` holds. `entry` is the path (inside the image) of
 * the program the container runs: a WebAssembly binary (`.wasm`, WASI) or a
 * JavaScript module (`.mjs`/`.js`) whose default export takes the task's
 * SystemCalls.
 */
export interface ImageConfig {
  /** Path of the entry program inside the image, e.g. `/bin/hello.wasm` or `main.mjs`. */
  readonly entry: string;
  /** Arguments after argv[0] (default none). */
  readonly args?: readonly string[];
  /** Environment (default none). */
  readonly env?: Readonly<Record<string, string>>;
  /** Default limits. */
  readonly limits?: LimitsSpec;
  /** Default shares (`PATH|NAME[:ro]`, as `--share`). */
  readonly shares?: readonly string[];
}

/** One file of an image. */
export interface ImageFile {
  /** Absolute path inside the image (normalised, e.g. `/bin/hello.wasm`). */
  readonly path: string;
  /** Its size in bytes. */
  readonly size: number;
  /** `sha256:` and 64 hex digits of its content. */
  readonly digest: string;
}

/** An image as the store keeps it: immutable, named by the digest of its manifest. */
export interface Image {
  /** `sha256:` and 64 hex digits: the hash of the canonical manifest (config and files). */
  readonly digest: string;
  /** The config, checked and normalised (entry path absolute). */
  readonly config: ImageConfig;
  /** Its files, sorted by path. */
  readonly files: readonly ImageFile[];
  /** Total bytes of the files. */
  readonly size: number;
  /** When it was built (ISO 8601). */
  readonly created: string;
}

/** A line of `dios image ls`. */
export interface ImageSummary {
  /** The image's digest. */
  readonly digest: string;
  /** Tags naming it (`name:tag`, `:latest` added when none is given). */
  readonly tags: readonly string[];
  /** Total bytes of its files. */
  readonly size: number;
  /** When it was built. */
  readonly created: string;
}

/** The OCI runtime states a container goes through. */
export type ContainerStatus = 'creating' | 'created' | 'running' | 'stopped';

/** What `container create` (and `run`) take. */
export interface ContainerSpec {
  /** The image: a tag (`hello`, `hello:1`) or a digest or its first 12+ hex digits. */
  readonly image: string;
  /** A name (unique; default: generated, like `dios_3f2a9c`): `[A-Za-z0-9][A-Za-z0-9_.-]*`. */
  readonly name?: string;
  /** The program to run instead of the image's entry (a path inside the image), as Docker's `--entrypoint`. */
  readonly entry?: string;
  /** Arguments replacing the image's `args`. */
  readonly args?: readonly string[];
  /** Environment added to the image's. */
  readonly env?: Readonly<Record<string, string>>;
  /** Limits overriding the image's, field by field. */
  readonly limits?: LimitsSpec;
  /** Shares added to the image's (`PATH|NAME[:ro]`). */
  readonly shares?: readonly string[];
}

/** A share as applied: what is visible inside the container, and how. */
export interface ShareInfo {
  /** As written (`/data/in.txt:ro`). */
  readonly spec: string;
  /** The shared object's name (64 hex digits). */
  readonly name: string;
  /** The path inside the container (for a path share). */
  readonly path?: string;
  /** Whether it is read-only inside. */
  readonly readOnly: boolean;
}

/** What `container inspect` prints (JSON), following Docker's field names where they fit. */
export interface ContainerInfo {
  /** A random UUID as 32 hex digits. */
  readonly Id: string;
  /** Its name. */
  readonly Name: string;
  /** The image's digest. */
  readonly Image: string;
  /** The image as it was asked for (tag or digest). */
  readonly ImageRef: string;
  /** When it was created (ISO 8601). */
  readonly Created: string;
  /** Its state. */
  readonly State: {
    /** The OCI state. */
    readonly Status: ContainerStatus;
    /** Whether its entry task runs. */
    readonly Running: boolean;
    /** Exit status of the entry task (137 when killed), 0 before it ran. */
    readonly ExitCode: number;
    /** Whether a task passed the memory limit, which stopped the container. */
    readonly OOMKilled: boolean;
    /** Why it stopped, in words ("" while running or never started). */
    readonly Error: string;
    /** When it last started ("" if never). */
    readonly StartedAt: string;
    /** When it last stopped ("" if never). */
    readonly FinishedAt: string;
  };
  /** Config in force: the image's, with the create options applied. */
  readonly Config: {
    /** Entry program path. */
    readonly Entry: string;
    /** argv after argv[0]. */
    readonly Args: readonly string[];
    /** Environment. */
    readonly Env: Readonly<Record<string, string>>;
  };
  /** Limits in force (MiB, tasks, shares; absent fields: no limit). */
  readonly Limits: { readonly MemoryMb?: number; readonly Tasks?: number; readonly CpuShares?: number };
  /** Objects shared into it. */
  readonly Shares: readonly ShareInfo[];
  /** Its DIOS identity: the group (its tasks' only scope) and the secrecy tag (names, 64 hex digits). */
  readonly Dios: { readonly Group: string; readonly Tag: string; readonly Kernel: string };
}

/** A line of `container ps`. */
export interface ContainerSummary {
  /** Id (a random UUID as 32 hex digits; ps shows 12). */
  readonly id: string;
  /** Name. */
  readonly name: string;
  /** Image as asked for. */
  readonly image: string;
  /** Entry path and args. */
  readonly command: string;
  /** Created (ISO 8601). */
  readonly created: string;
  /** State. */
  readonly status: ContainerStatus;
  /** Exit code when stopped. */
  readonly exitCode: number;
  /** Live tasks. */
  readonly tasks: number;
}

/** What `container stats` prints: the task-monitoring figures summed over the container's tasks. */
export interface ContainerStats {
  /** Id. */
  readonly id: string;
  /** Name. */
  readonly name: string;
  /** Live tasks now. */
  readonly tasks: number;
  /** Tasks started since it was created. */
  readonly tasksStarted: number;
  /** CPU time of its tasks (ms). */
  readonly cpuMs: number;
  /** Largest heap peak among its tasks (bytes), as the workers report it. */
  readonly memoryBytes: number;
  /** Memory limit (MiB) per task, if any. */
  readonly memoryLimitMb?: number;
  /** Bytes its tasks read and wrote through the system calls. */
  readonly bytesRead: number;
  /** See bytesRead. */
  readonly bytesWritten: number;
  /** System calls made, and how many failed. */
  readonly calls: number;
  /** See calls. */
  readonly failedCalls: number;
}

/** What the engine does; the daemon serves exactly these. Every error is a DiosError (code, call, argument). */
export interface Engine {
  /** Builds the image in directory `dir` (its `dios-image.json` and every file under it), tagged `tag` if given. */
  buildImage(dir: string, tag?: string): Promise<ImageSummary>;
  /** Every image, newest first. */
  listImages(): ImageSummary[];
  /** Removes a tag, or an image (by digest) with all its tags; EBUSY while a container uses it. */
  removeImage(ref: string): Promise<void>;
  /** Creates a container (state created). */
  create(spec: ContainerSpec): Promise<ContainerInfo>;
  /** Starts a created or stopped container. */
  start(idOrName: string): Promise<ContainerInfo>;
  /** Sends the stop notice, waits up to `graceMs` (default 10000) for the tasks to end, then kills the rest. */
  stop(idOrName: string, graceMs?: number): Promise<ContainerInfo>;
  /** Kills every task now (exit 137). */
  kill(idOrName: string): Promise<ContainerInfo>;
  /** Removes a stopped or created container (a running one only with `force`, which kills it first). */
  remove(idOrName: string, force?: boolean): Promise<void>;
  /** Containers: running ones, or all with `all`. */
  list(all?: boolean): ContainerSummary[];
  /** Runs program `argv[0]` (a path inside the container) as a new task of a running container; resolves to its exit status. */
  exec(idOrName: string, argv: readonly string[]): Promise<number>;
  /** The container's console output so far; with `follow`, calls `onData` with more until `until` resolves or it stops. */
  logs(idOrName: string, follow?: { onData(bytes: Uint8Array): void; until?: Promise<void> }): Promise<Uint8Array>;
  /** The summed figures. */
  stats(idOrName: string): ContainerStats;
  /** The JSON `inspect` prints. */
  inspect(idOrName: string): ContainerInfo;
  /** Resolves when the container is stopped; its exit code. */
  wait(idOrName: string): Promise<number>;
  /**
   * Copies the host file or directory `hostPath` into blobs at DIOS path
   * `path` (a directory's files under it), in the host's own name space:
   * what `--share PATH` then makes visible inside a container. Returns the
   * paths written.
   */
  load(path: string, hostPath: string): Promise<string[]>;
}

/** A file read from a directory: its path relative to the directory ('/'-separated) and its bytes. */
export interface TreeFile {
  /** Relative path, '/'-separated, no leading slash (`bin/hello.wasm`). */
  readonly path: string;
  /** Its content. */
  readonly bytes: Uint8Array;
}

/**
 * What the engine needs of the host it runs on (the command implements it
 * with node:fs, in cli/containers/): the engine itself stays host-neutral.
 */
export interface EngineHost {
  /** Every regular file under `dir`, sorted by path (symlinks are not followed); ENOENT or ENOTDIR naming `dir`. */
  readTree(dir: string): Promise<TreeFile[]>;
  /** The bytes of the regular file `path`; ENOENT, EACCES, or EINVAL for a directory or a special file, naming `path`. */
  readFile(path: string): Promise<Uint8Array>;
  /**
   * Puts an image's files where a worker thread can import them (once per
   * digest; later calls reuse them) and returns the `file:` URL of the
   * module at image path `entry`.
   */
  materialize(digest: string, files: readonly TreeFile[], entry: string): Promise<string>;
}
