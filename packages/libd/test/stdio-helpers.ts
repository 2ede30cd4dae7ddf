/**
 * Helpers of libd's stdio tests: booting, error assertions, blobs with
 * given content and buffer sizes, child tasks, and a SystemCalls wrapper
 * that lets a test act between two system calls of a FILE.
 */
import { Kernel, programBinary, type KernelOptions, type SystemCalls, type TaskSpec } from '@dios/kernel';
import { blobWith, dec, enc } from '../../kernel/test/support/blobs.js';

export { dec, enc, blobWith } from '../../kernel/test/support/blobs.js';
export { expectErrno } from '../../kernel/test/support/errno.js';

/** Boots a kernel whose console output is collected as text chunks in `out`. */
export async function boot(options: KernelOptions = {}): Promise<{ kernel: Kernel; sys: SystemCalls; out: string[] }> {
  const out: string[] = [];
  const kernel = await Kernel.boot({ consoleSink: (bytes) => out.push(dec(bytes)), ...options });
  return { kernel, sys: kernel.init, out };
}

/** The whole content of a blob, read through `handle` with the system calls. */
export async function contentOf(sys: SystemCalls, handle: number): Promise<Uint8Array> {
  const lent = await sys.beginRead(handle);
  const bytes = lent.slice();
  await sys.endRead(handle, lent);
  return bytes;
}

/** Writes `text` to a stream or blob through `handle` in one commit (flags passed to endWrite). */
export async function put(sys: SystemCalls, handle: number, text: string | Uint8Array, flags = 0): Promise<void> {
  const bytes = typeof text === 'string' ? enc(text) : text;
  const buf = await sys.beginWrite(handle, bytes.length);
  buf.set(bytes);
  await sys.endWrite(handle, buf, undefined, flags);
}

let programs = 0;

/**
 * Runs `body` as a child task of `sys` (spec and flags as for run). Returns
 * the task's handle and a promise of the body's outcome; the body's error, if
 * any, rejects that promise.
 */
export async function spawn(
  kernel: Kernel,
  sys: SystemCalls,
  body: (child: SystemCalls) => Promise<void>,
  spec: Partial<TaskSpec> = {},
  flags = 0,
): Promise<{ task: number; done: Promise<void> }> {
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const id = `stdio-test-${++programs}`;
  kernel.registerProgram(id, async (child) => {
    try {
      await body(child);
      settle.resolve();
    } catch (e) {
      settle.reject(e);
      return 1;
    }
  });
  const binary = await blobWith(sys, programBinary(id));
  const task = await sys.run(binary.ref, { argv: [id], ...spec }, flags);
  await sys.delete(binary.ref);
  return { task, done };
}

/** Calls a wrapper may intercept: each gets the real context and the call's arguments, and must make the call itself. */
export type Intercept = Partial<{
  beginRead: (real: SystemCalls, ...args: Parameters<SystemCalls['beginRead']>) => ReturnType<SystemCalls['beginRead']>;
  endRead: (real: SystemCalls, ...args: Parameters<SystemCalls['endRead']>) => ReturnType<SystemCalls['endRead']>;
  beginWrite: (
    real: SystemCalls,
    ...args: Parameters<SystemCalls['beginWrite']>
  ) => ReturnType<SystemCalls['beginWrite']>;
  endWrite: (real: SystemCalls, ...args: Parameters<SystemCalls['endWrite']>) => ReturnType<SystemCalls['endWrite']>;
}>;

/** A view of `sys` whose I/O calls go through `intercept` (everything else is the real context). */
export function intercepted(sys: SystemCalls, intercept: Intercept): SystemCalls {
  return new Proxy(sys, {
    get(target, key) {
      const hook = (intercept as Record<PropertyKey, unknown>)[key];
      if (typeof hook === 'function')
        return (...args: unknown[]) => (hook as (...a: unknown[]) => unknown)(target, ...args);
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Counts the I/O system calls made through the returned context. */
export function counting(sys: SystemCalls): { sys: SystemCalls; calls: Record<'beginRead' | 'beginWrite', number> } {
  const calls = { beginRead: 0, beginWrite: 0 };
  return {
    calls,
    sys: intercepted(sys, {
      beginRead: (real, ...args) => (calls.beginRead++, real.beginRead(...args)),
      beginWrite: (real, ...args) => (calls.beginWrite++, real.beginWrite(...args)),
    }),
  };
}
