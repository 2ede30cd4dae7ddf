/**
 * The `wasi_snapshot_preview1` import module: every function WASI preview1
 * defines, the implemented ones wired to their calls and the rest answering
 * ENOSYS (so any standard libc program links). Each import is guarded: an
 * error thrown while serving it becomes the errno it returns; only proc_exit
 * (and a task cancelled under it) unwinds the program.
 * @module
 */
import { isDiosError } from '@dios/kernel';
import { ProcExit, type WasiContext } from './context.js';
import { errnoOf, WasiErrno } from './errno.js';
import { fdIoCalls } from './fd-io.js';
import { fdStatusCalls } from './fd-status.js';
import { pathCalls } from './path-calls.js';
import { pollCalls } from './poll.js';
import { processCalls } from './process-calls.js';

/** The name of WASI preview1's import module. */
export const WASI_MODULE = 'wasi_snapshot_preview1';

/** Every function of WASI preview1 (wasi/api.h and the witx). */
export const PREVIEW1_FUNCTIONS: ReadonlySet<string> = new Set([
  'args_get',
  'args_sizes_get',
  'environ_get',
  'environ_sizes_get',
  'clock_res_get',
  'clock_time_get',
  'fd_advise',
  'fd_allocate',
  'fd_close',
  'fd_datasync',
  'fd_fdstat_get',
  'fd_fdstat_set_flags',
  'fd_fdstat_set_rights',
  'fd_filestat_get',
  'fd_filestat_set_size',
  'fd_filestat_set_times',
  'fd_pread',
  'fd_prestat_get',
  'fd_prestat_dir_name',
  'fd_pwrite',
  'fd_read',
  'fd_readdir',
  'fd_renumber',
  'fd_seek',
  'fd_sync',
  'fd_tell',
  'fd_write',
  'path_create_directory',
  'path_filestat_get',
  'path_filestat_set_times',
  'path_link',
  'path_open',
  'path_readlink',
  'path_remove_directory',
  'path_rename',
  'path_symlink',
  'path_unlink_file',
  'poll_oneoff',
  'proc_exit',
  'proc_raise',
  'sched_yield',
  'random_get',
  'sock_accept',
  'sock_recv',
  'sock_send',
  'sock_shutdown',
]);

/** A host function as WebAssembly calls it. */
export type ImportFunction = (...args: never[]) => number;

/** Whether an error must unwind the program instead of being returned: an exit, or the task cancelled (killed) under the call. */
export function unwinds(e: unknown): boolean {
  return e instanceof ProcExit || isDiosError(e, 'ECANCELED');
}

/** Wraps a call so that whatever it throws (but an exit) is returned as an errno. */
export function guarded<F extends (...args: never[]) => number>(call: F): ImportFunction {
  return (...args: never[]): number => {
    try {
      return call(...args);
    } catch (e) {
      if (unwinds(e)) throw e;
      return errnoOf(e);
    }
  };
}

/** The implemented calls of a task, by name. */
export function wasiCalls(ctx: WasiContext): Record<string, ImportFunction> {
  const all: Record<string, (...args: never[]) => number> = {
    ...fdIoCalls(ctx),
    ...fdStatusCalls(ctx),
    ...pathCalls(ctx),
    ...pollCalls(ctx),
    ...processCalls(ctx),
  };
  const out: Record<string, ImportFunction> = {};
  for (const [name, call] of Object.entries(all)) out[name] = guarded(call);
  return out;
}

/**
 * The functions to give a module for its `wasi_snapshot_preview1` imports
 * named `names`: the implemented call, or ENOSYS for a preview1 function
 * not implemented. A name preview1 does not define is returned in `unknown`.
 */
export function wasiImports(
  ctx: WasiContext,
  names: readonly string[],
): { functions: Record<string, ImportFunction>; unknown: string[] } {
  const calls = wasiCalls(ctx);
  const functions: Record<string, ImportFunction> = {};
  const unknown: string[] = [];
  for (const name of names) {
    if (!PREVIEW1_FUNCTIONS.has(name)) unknown.push(name);
    else functions[name] = calls[name] ?? (() => WasiErrno.NOSYS);
  }
  return { functions, unknown };
}
