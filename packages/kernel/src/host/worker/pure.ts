/**
 * Pure tasks: a worker thread locked down before any task code loads, so a
 * pure task's only way out is its system calls. The thread runs one task and
 * is then ended (the pool keeps a few locked-down threads warm), so no task
 * sees what another left. Inside it:
 *
 * - both module loaders follow one policy (pure-policy): ES modules through
 *   module hooks, CommonJS through a guarded `Module` (pure-cjs);
 * - `process` is an allow-list object (pure-process), `console` writes to the
 *   DIOS console (pure-console);
 * - globals that reach the host or other threads are gone (fetch,
 *   BroadcastChannel, ...); allowed built-ins are trimmed and the prototypes
 *   Node's own process inherits from are hardened (pure-builtins); the
 *   ECMAScript intrinsics are frozen by Node (`--frozen-intrinsics`).
 *
 * This is confinement at the language level inside one process: see
 * docs/worker-tasks.md, "Pure tasks", for what it covers and what it does not.
 * @module
 */
import { createRequire, register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
import { errors } from '../../core/abi/errors.js';
import { hardenChain, hardenStreams, trimBuiltins } from './pure-builtins.js';
import { guardCommonJs } from './pure-cjs.js';
import { pureConsole } from './pure-console.js';
import { policyUrl, type PurePolicy } from './pure-policy.js';
import { pureProcess, type PureProcessTask } from './pure-process.js';

export { PURE_BUILTINS } from './pure-policy.js';

/** Node options of a pure thread: the ECMAScript intrinsics frozen before any code runs. */
export const PURE_EXEC_ARGV: readonly string[] = ['--frozen-intrinsics'];

// Globals through which code reaches the host or other threads (require and friends exist in eval-started threads).
const HOST_GLOBALS = [
  'fetch',
  'WebSocket',
  'EventSource',
  'BroadcastChannel',
  'require',
  'module',
  'exports',
  '__filename',
  '__dirname',
];

/** A locked-down thread, waiting for its one task. */
export interface PureThread {
  /** Tells both loaders the program module (once) and attaches process and console to the task; resolves when the loader thread has it. */
  begin(program: string, task: PureProcessTask): Promise<void>;
  /** The exit code the task set through process.exitCode, if any. */
  readonly exitCode: number | undefined;
}

/** Locks the calling worker thread down (once, before any task code is imported). */
export async function lockDown(): Promise<PureThread> {
  const require = createRequire(import.meta.url);
  const url = policyUrl();
  // The same policy as the hooks; in this thread its refusals are DiosErrors.
  const policy: PurePolicy = {
    ...((await import(url)) as PurePolicy),
    denied: (call, what, why) => errors.EACCES(call, what, why) as Error & { code: 'EACCES' },
  };
  const { port1, port2 } = new MessageChannel();
  register(url, { data: { port: port2 }, transferList: [port2] });
  // Stack traces would read source maps named by a module's comment: files outside the policy.
  process.setSourceMapsEnabled(false);
  trimBuiltins(require, policy);
  guardCommonJs(require, policy);
  const realProcess = process;
  const facade = pureProcess(realProcess);
  let task: PureProcessTask | undefined;
  const g = globalThis as Record<string, unknown>;
  for (const name of HOST_GLOBALS) {
    if (!(name in g)) continue;
    if (!Reflect.deleteProperty(g, name))
      Object.defineProperty(g, name, { value: undefined, writable: false, configurable: false });
  }
  Object.defineProperty(g, 'process', {
    value: facade.process,
    writable: false,
    configurable: false,
    enumerable: false,
  });
  // Node formats every stack of the thread with globalThis.Error.prepareStackTrace: a task's own Error there would get
  // the structured frames (and every error object) of the worker's code too, though the real Error is frozen.
  Object.defineProperty(g, 'Error', { value: Error, writable: false, configurable: false, enumerable: false });
  Object.defineProperty(g, 'console', {
    value: pureConsole((text) => task?.write(text)),
    writable: true,
    configurable: true,
    enumerable: false,
  });
  // Node calls methods on its own process (emit on a warning, ...) and reads flags from it: nothing on the way may be the task's.
  hardenChain(Object.getPrototypeOf(realProcess) as object);
  hardenChain(MessagePort.prototype);
  hardenStreams(require);
  fixGlobals(g);
  const reply = new Promise<boolean>((resolve) =>
    port1.once('message', (m: { ok?: unknown }) => resolve(m?.ok === true)),
  );
  return {
    async begin(program, next) {
      task = next;
      facade.attach(next);
      const here = policy.setProgram(program);
      port1.postMessage({ program });
      const there = await reply;
      port1.close();
      if (!here || !there) throw policy.denied('run', program, 'this pure thread has already run a program');
    },
    get exitCode() {
      return facade.exitCode;
    },
  };
}

/**
 * Fixes every global binding there at the lock-down but console (a task may replace its own console). The worker's
 * code looks globals up when it runs (the system-call layer calls Atomics with the channel's Int32Array and wraps
 * shared buffers in Uint8Array): a task's stand-in bound there would be handed the channel's SharedArrayBuffer. Lazy
 * globals are loaded now (a few ms of the thread's start). The prototypes of the global classes are hardened. New
 * globals of the task's own still work.
 */
function fixGlobals(g: Record<PropertyKey, unknown>): void {
  for (const key of Reflect.ownKeys(g)) {
    if (key === 'console') continue;
    const desc = Object.getOwnPropertyDescriptor(g, key)!;
    if (!desc.configurable && !desc.writable) continue;
    // A lazy global's getter may redefine the property when it first loads: it is loaded now.
    const value: unknown = 'value' in desc ? desc.value : Reflect.get(g, key);
    Object.defineProperty(g, key, {
      value,
      writable: false,
      configurable: false,
      enumerable: desc.enumerable ?? false,
    });
    // Node's own classes (TextEncoder, TextDecoder, URL, Blob, ...) are not frozen intrinsics: the channel's code calls
    // encodeInto and decode with views of the channel's SharedArrayBuffer, so a patched prototype method would catch it.
    const proto = typeof value === 'function' ? (value as { prototype?: unknown }).prototype : undefined;
    if (typeof proto === 'object' && proto !== null && !Object.isFrozen(proto)) hardenChain(proto);
  }
}
