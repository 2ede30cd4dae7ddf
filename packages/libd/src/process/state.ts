/**
 * What libd keeps about each task's process life: its atexit handlers and
 * whether it is ending. Private to libd; the public calls are in exit.ts,
 * atexit.ts and program.ts.
 * @module
 */
import type { SystemCalls } from '@dios/kernel';
import { fflushAll } from '../stdio/flush.js';

/** An atexit handler. */
export type ExitHandler = () => void | Promise<void>;

/** libd's record of one task. */
export interface ProcessState {
  /** Registered handlers, oldest first; they run (and are removed) newest first. */
  readonly handlers: ExitHandler[];
  /** Set when the task starts ending (by exit or by main returning or throwing); the teardown runs once. */
  ending: boolean;
  /** Status an exit() called during the teardown (from an atexit handler) asked for. */
  override: number | undefined;
  /** Settles once exit() has deleted the task's self reference. */
  exited: Promise<void> | undefined;
}

const states = new WeakMap<SystemCalls, ProcessState>();

/** The process state of task `sys`, made on first use. */
export function processOf(sys: SystemCalls): ProcessState {
  let s = states.get(sys);
  if (s === undefined) states.set(sys, (s = { handlers: [], ending: false, override: undefined, exited: undefined }));
  return s;
}

/**
 * What exit() throws to unwind the program once the task has exited. Only
 * defineProgram (and the teardown) catch it; user code that catches it
 * should rethrow it.
 */
export class ExitSignal extends Error {
  /** The status exit() was called with. */
  constructor(readonly status: number) {
    super(`the program called exit(${status})`);
    this.name = 'ExitSignal';
  }
}

/** True once the task has exited: its self reference is gone or shows the task exited. */
export function hasExited(sys: SystemCalls): boolean {
  try {
    return sys.ref(sys.self).task?.state === 'exited';
  } catch {
    // The self reference is gone (EBADF): the task exited and its references closed.
    return true;
  }
}

/**
 * Runs the atexit handlers newest first (each is removed before it runs, so
 * a handler registered during the teardown runs too, and none runs twice),
 * then flushes every open FILE. Every step runs even if one fails; the first
 * failure is returned. A handler that calls exit() only records the status
 * it asks for (see exit); the handlers left still run.
 */
export async function teardown(sys: SystemCalls, state: ProcessState): Promise<{ error: unknown } | undefined> {
  let failure: { error: unknown } | undefined;
  for (let handler = state.handlers.pop(); handler !== undefined; handler = state.handlers.pop()) {
    try {
      await handler();
    } catch (e) {
      if (!(e instanceof ExitSignal)) failure ??= { error: e };
    }
  }
  try {
    await fflushAll(sys);
  } catch (e) {
    failure ??= { error: e };
  }
  return failure;
}
