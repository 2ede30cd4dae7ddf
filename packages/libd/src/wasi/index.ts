/**
 * @dios/libd/wasi: WASI preview1 over DIOS. Register it as the kernel's
 * WebAssembly interpreter and `run` of a wasm binary (C compiled with
 * `clang --target=wasm32-wasi`) starts it as a legacy (or, importing `dios`,
 * hybrid) process in a worker thread. Every call the program makes is
 * carried by the task's system calls: files are libd paths (the objects
 * fopen opens), stdin/stdout/stderr the task's streams or the console.
 *
 * @example
 * ```ts
 * import { wasiInterpreter } from '@dios/libd/wasi';
 * kernel.registerInterpreter('wasm', wasiInterpreter);
 * const task = await sys.run(wasmBlob, { argv: ['hello'] });
 * ```
 * @module @dios/libd/wasi
 */
import type { ProgramModule, SystemCalls } from '@dios/kernel';
import { runWasiModule } from './run-module.js';

/** The interpreter program: runs `sys.image` (a WASI command module) and returns its exit status. */
export default function wasiProgram(sys: SystemCalls): number {
  return runWasiModule(sys);
}

/**
 * This module as the kernel's interpreter for WebAssembly binaries:
 * `kernel.registerInterpreter('wasm', wasiInterpreter)`. (The worker imports
 * this module by URL and calls its default export; ESM only.)
 */
export const wasiInterpreter: ProgramModule = { module: import.meta.url, export: 'default' };

export { EXIT_LINK_FAILED, EXIT_NOT_RUNNABLE, EXIT_TRAP } from './run-module.js';
export { WRITE_BEHIND_LIMIT } from './open-file.js';
export { DIRECTORY_MAGIC } from './directories.js';
