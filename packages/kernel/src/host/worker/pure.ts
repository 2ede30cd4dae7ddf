/**
 * Pure tasks: a worker thread locked down before any task code loads, so a
 * pure task's only way out is its system calls. Module resolution refuses
 * every Node built-in that reaches the host (fs, net, child_process,
 * worker_threads, os, ...), and the globals that do (fetch, WebSocket,
 * BroadcastChannel, process.binding, process.dlopen, ...) are removed.
 * This is confinement at the language level, not a security boundary: see
 * docs/architecture.md, "Worker tasks".
 * @module
 */
import { register } from 'node:module';

/** Built-in modules a pure task may import: computation only, no host access. */
export const PURE_BUILTINS: readonly string[] = [
  'assert',
  'assert/strict',
  'buffer',
  'crypto',
  'events',
  'path',
  'path/posix',
  'path/win32',
  'punycode',
  'querystring',
  'stream',
  'stream/consumers',
  'stream/promises',
  'stream/web',
  'string_decoder',
  'timers',
  'timers/promises',
  'url',
  'util',
  'util/types',
  'zlib',
];

// The resolve hook runs on Node's loader thread, so it is plain JavaScript in a data: URL (no build step, no TypeScript).
function hookSource(allowed: readonly string[]): string {
  return `
const allowed = new Set(${JSON.stringify(allowed)});
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.startsWith('node:') && !allowed.has(result.url.slice(5))) {
    const error = new Error('EACCES: permission denied, import(' + specifier + '): a pure DIOS task has no host module ' + result.url + '; its I/O goes through the system calls');
    error.code = 'EACCES';
    throw error;
  }
  return result;
}`;
}

// Globals through which code reaches the host or other threads.
const HOST_GLOBALS = ['fetch', 'WebSocket', 'EventSource', 'BroadcastChannel'];
const HOST_PROCESS = ['binding', '_linkedBinding', 'dlopen', 'kill', 'chdir', 'umask', 'setuid', 'setgid', 'getBuiltinModule', 'stdin', 'stdout', 'stderr', 'openStdin'];

/** Locks the calling worker thread down (once, before any task code is imported). */
export function lockDown(): void {
  register(`data:text/javascript,${encodeURIComponent(hookSource(PURE_BUILTINS))}`);
  const g = globalThis as Record<string, unknown>;
  for (const name of HOST_GLOBALS) {
    try {
      delete g[name];
    } catch {
      g[name] = undefined;
    }
  }
  const proc = process as unknown as Record<string, unknown>;
  for (const name of HOST_PROCESS) {
    try {
      Object.defineProperty(proc, name, { value: undefined, configurable: false, writable: false });
    } catch {
      // A property the runtime does not let go of stays; docs list what pure mode covers.
    }
  }
}
