/**
 * Programs a binary can name. A function runs in the kernel's thread; a
 * module (a URL and an export) can run in the kernel's thread or, given a
 * host that has threads, in a worker thread: code cannot cross threads, a
 * module URL can.
 * @module
 */
import { errors } from './errors.js';
import { describe } from './names.js';
import type { SystemCalls } from './system-calls.js';

/** A program as a function: receives its task's system calls, returns (or resolves to) an exit status. */
export type ProgramFunction = (sys: SystemCalls) => Promise<number | void> | number | void;

/** A program as a module: `import(module)[export]` is a {@link ProgramFunction}. */
export interface ProgramModule {
  /** Absolute URL of the module (e.g. `new URL('./task.js', import.meta.url).href`). */
  readonly module: string;
  /** Name of the export holding the program (default `default`). */
  readonly export?: string;
}

/** A DIOS program: a function, or a module that exports one. */
export type Program = ProgramFunction | ProgramModule;

/**
 * DIOS's three kinds of process: `pure` runs a DIOS program (the eleven
 * calls only); `legacy` a WebAssembly program that imports POSIX-like calls
 * (WASI) only; `hybrid` one that imports both WASI and the `dios` module.
 * Every call of every kind is carried by the task's system calls.
 */
export type ProcessKind = 'pure' | 'legacy' | 'hybrid';

/** Binary formats the kernel runs through an interpreter program (see `Kernel.registerInterpreter`). */
export type BinaryFormat = 'wasm';

/** Where a task's program runs: in the kernel's thread or in a worker thread of its own. */
export type Placement = 'thread' | 'worker';

/** Checks a program given to registerProgram (EINVAL naming `program`). */
export function checkProgram(program: unknown): Program {
  if (typeof program === 'function') return program as ProgramFunction;
  if (program !== null && typeof program === 'object') {
    const { module, export: name } = program as Partial<ProgramModule>;
    const keys = Object.keys(program).filter((k) => k !== 'module' && k !== 'export');
    if (keys.length > 0)
      throw errors.EINVAL('registerProgram', `program.${keys[0]}`, 'unknown field of a program module');
    if (typeof module !== 'string' || !/^[a-z][a-z0-9+.-]*:/i.test(module)) {
      throw errors.EINVAL(
        'registerProgram',
        'program.module',
        `expected an absolute module URL, got ${describe(module)}`,
      );
    }
    if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
      throw errors.EINVAL('registerProgram', 'program.export', `expected an export name, got ${describe(name)}`);
    }
    return Object.freeze({ module, export: name ?? 'default' });
  }
  throw errors.EINVAL(
    'registerProgram',
    'program',
    `expected a function or { module, export }, got ${describe(program)}`,
  );
}

const loaded = new Map<string, Promise<ProgramFunction>>();

/** Imports a module program's function (once per module and export); ENOEXEC when the export is not a function. */
export function loadProgram(program: ProgramModule, syscall = 'run'): Promise<ProgramFunction> {
  const key = `${program.export ?? 'default'}\u0000${program.module}`;
  let pending = loaded.get(key);
  if (pending === undefined) {
    pending = import(program.module).then((mod: Record<string, unknown>) => {
      const fn = mod[program.export ?? 'default'];
      if (typeof fn !== 'function') {
        throw errors.ENOEXEC(
          syscall,
          'binary',
          `module ${program.module} exports no program function "${program.export ?? 'default'}"`,
        );
      }
      return fn as ProgramFunction;
    });
    // A failed import is not cached: the module may be fixed and registered again.
    pending.catch(() => loaded.delete(key));
    loaded.set(key, pending);
  }
  return pending;
}

/** The bytes of a binary that names program `id`. */
export function programBinary(id: string): Uint8Array {
  return new TextEncoder().encode(`${PROGRAM_PREFIX}${id}`);
}

/** Prefix of a binary's bytes that names a registered program. */
export const PROGRAM_PREFIX = '#!dios-program ';
