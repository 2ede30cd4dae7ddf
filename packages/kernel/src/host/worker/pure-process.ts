/**
 * The `process` a pure task sees: an allow-list object in place of Node's
 * (which stays with Node's internals, each of which holds its own reference).
 * Computation helpers and facts about the runtime are there; everything about
 * the host (pid, cwd, execPath, report, loadEnvFile, binding, dlopen, stdio,
 * resource usage, ...) is simply absent. Its events are inert: Node's own
 * process events never reach the task.
 * @module
 */

// Listener methods of the façade: they accept listeners and do nothing (a pure task gets no host events).
const INERT_LISTENER_METHODS = [
  'on',
  'once',
  'off',
  'addListener',
  'removeListener',
  'removeAllListeners',
  'prependListener',
  'prependOnceListener',
  'setMaxListeners',
];

/** Members of `process` a pure task sees; every other member of Node's process is absent. */
export const PURE_PROCESS_MEMBERS: readonly string[] = [
  'argv',
  'env',
  'exitCode',
  'nextTick',
  'hrtime',
  'version',
  'versions',
  'platform',
  'arch',
  'release',
  'cwd',
  'exit',
  'emitWarning',
  'stdout',
  'stderr',
  ...INERT_LISTENER_METHODS,
  'emit',
  'listeners',
  'rawListeners',
  'listenerCount',
  'eventNames',
  'getMaxListeners',
];

/** What the façade does on the task's behalf; set per task by the worker. */
export interface PureProcessTask {
  /** Task argv (process.argv is `['dios', ...argv]`, so `slice(2)` gives the arguments as in Node). */
  argv: readonly string[];
  /** Task environment (a copy the task may change). */
  env: Record<string, string>;
  /** Ends the task with a status (process.exit). */
  exit(status: number): never;
  /** Writes text to the task's console (stdout, stderr, warnings). */
  write(text: string): void;
}

/** The façade and the setter the worker uses to attach it to a task. */
export interface PureProcess {
  /** The object to install as globalThis.process. */
  readonly process: object;
  /** Attaches the façade to the task now starting. */
  attach(task: PureProcessTask): void;
  /** The exit code the task set through process.exitCode, if any. */
  readonly exitCode: number | undefined;
}

/** Builds the façade from the real process's allowed members (called before any task code runs). */
export function pureProcess(real: NodeJS.Process): PureProcess {
  let task: PureProcessTask | undefined;
  let argv: string[] = ['dios'];
  let env: Record<string, string> = {};
  let exitCode: number | undefined;
  const nextTick = real.nextTick.bind(real);
  const hrtime = Object.assign(real.hrtime.bind(real), { bigint: real.hrtime.bigint.bind(real) });
  const stream = (name: string) =>
    Object.freeze({
      isTTY: false,
      writable: true,
      write(chunk: unknown, ...rest: unknown[]): boolean {
        task?.write(typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk as Uint8Array));
        const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        if (done !== undefined) nextTick(done);
        return true;
      },
      toString: () => `[pure ${name}]`,
    });
  const inert = function (this: unknown) {
    return facade;
  };
  const facade = Object.create(null) as Record<string, unknown>;
  const define = (name: string, value: unknown) => Object.defineProperty(facade, name, { value, enumerable: true });
  Object.defineProperty(facade, 'argv', { get: () => argv, enumerable: true });
  Object.defineProperty(facade, 'env', { get: () => env, enumerable: true });
  Object.defineProperty(facade, 'exitCode', {
    get: () => exitCode,
    set: (code: unknown) => {
      exitCode = code === undefined || code === null ? undefined : Number(code);
    },
    enumerable: true,
  });
  define('nextTick', nextTick);
  define('hrtime', hrtime);
  define('version', real.version);
  define('versions', Object.freeze({ ...real.versions }));
  define('platform', real.platform);
  define('arch', real.arch);
  define('release', Object.freeze({ name: real.release.name }));
  define('cwd', () => '/');
  define('exit', (code?: number) => task?.exit(Number(code ?? exitCode ?? 0)));
  define('emitWarning', (warning: unknown) =>
    task?.write(`Warning: ${warning instanceof Error ? warning.message : String(warning)}\n`),
  );
  define('stdout', stream('stdout'));
  define('stderr', stream('stderr'));
  for (const name of INERT_LISTENER_METHODS) define(name, inert);
  define('emit', () => false);
  define('listeners', () => []);
  define('rawListeners', () => []);
  define('listenerCount', () => 0);
  define('eventNames', () => []);
  define('getMaxListeners', () => 0);
  Object.freeze(facade);
  return {
    process: facade,
    attach(next) {
      task = next;
      argv = ['dios', ...next.argv];
      env = next.env;
    },
    get exitCode() {
      return exitCode;
    },
  };
}
