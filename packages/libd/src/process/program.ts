/**
 * Programs: a libd program is a `main(argv, ctx)` function; defineProgram
 * wraps it into the kernel's Program, adding C's end-of-program work
 * (atexit handlers, flushing stdio, the exit status).
 * @module
 */
import type { Program, SystemCalls } from '@dios/kernel';
import { stdio, type StdStreams } from '../stdio/std-streams.js';
import { atexit, type ExitHandler } from './atexit.js';
import { getenv } from './env.js';
import { exit, exitSelf } from './exit.js';
import { ExitSignal, hasExited, processOf, teardown } from './state.js';

/** What a libd program's main is given besides its arguments. */
export interface ProgramContext {
  /** The task's system calls. */
  readonly sys: SystemCalls;
  /** The task's arguments, as run set them (argv[0] is conventionally the program's name). */
  readonly argv: readonly string[];
  /** The task's environment, as run set it. */
  readonly env: Readonly<Record<string, string>>;
  /**
   * The task's standard FILEs ({@link stdio}), opened on the first call:
   * a program that never prints opens nothing, and one that cannot reach a
   * console fails only when it asks for them.
   */
  stdio(): Promise<StdStreams>;
  /** {@link getenv} for this task. */
  getenv(name: string): string | undefined;
  /** {@link atexit} for this task. */
  atexit(fn: ExitHandler): void;
  /** {@link exit} for this task: `return ctx.exit(2)` or `await ctx.exit(2)`. */
  exit(status: number): Promise<never>;
}

/**
 * A libd program's entry point. Its return value is the exit status: an
 * integer is reported as it is (3 stays 3), anything else (undefined
 * included) as 0, as the kernel does for any program.
 */
export type ProgramMain = (argv: string[], ctx: ProgramContext) => number | void | Promise<number | void>;

/**
 * Makes a kernel `Program` (what `Kernel.registerProgram` takes) that
 * runs `main` with a copy of the task's argv and a {@link ProgramContext},
 * then ends the program as C's `exit` does:
 *
 * - main returns: the atexit handlers run (newest first), every open FILE
 *   is flushed, and main's status is the task's exit status;
 * - main throws: the handlers run and FILEs are flushed all the same, then
 *   the error is **rethrown**, so the kernel records the task's failure
 *   (status 1) and passes the error to its `onTaskFailure` hook;
 * - main calls {@link exit}: exit has already done the work and the task
 *   has exited; its status (0 or 1, see exit) stands.
 *
 * If a handler throws or a flush fails while main had succeeded, that error
 * is rethrown instead (status 1): output that could not be written is a
 * failure. If the task exited by deleting its own reference directly (C's
 * `_exit`), nothing more is done.
 */
export function defineProgram(main: ProgramMain): Program {
  if (typeof main !== 'function') throw new TypeError('defineProgram: main must be a function');
  return async (sys: SystemCalls): Promise<number> => {
    const state = processOf(sys);
    let outcome: { status: number } | { error: unknown };
    try {
      const status = await main([...sys.argv], contextOf(sys));
      outcome = { status: typeof status === 'number' && Number.isInteger(status) ? status : 0 };
    } catch (error) {
      outcome = { error };
    }
    if (state.exited !== undefined) {
      // exit() was called (maybe not awaited): let it finish; the status it gives stands.
      await state.exited;
      return 1;
    }
    if ('error' in outcome && outcome.error instanceof ExitSignal) return 1;
    if (hasExited(sys)) return 1;
    state.ending = true;
    const failure = await teardown(sys, state);
    if (state.override !== undefined) {
      // An atexit handler called exit(): it decides the status, reported as exit reports it.
      await exitSelf(sys, failure === undefined ? state.override : 1);
      return 1;
    }
    if ('error' in outcome) throw outcome.error;
    if (failure !== undefined) throw failure.error;
    return outcome.status;
  };
}

function contextOf(sys: SystemCalls): ProgramContext {
  return {
    sys,
    argv: sys.argv,
    env: sys.env,
    stdio: () => stdio(sys),
    getenv: (name) => getenv(sys, name),
    atexit: (fn) => atexit(sys, fn),
    exit: (status) => exit(sys, status),
  };
}
