/**
 * The eleven system calls by name and index: the index a task's per-kind
 * call counters use, and the names the worker channel and the monitoring
 * report carry.
 * @module
 */
import type { AsyncSystemCall } from './system-calls.js';

/**
 * The eleven system calls, as indexes into the per-kind counters of a task's
 * stats. Its keys are SystemCalls' asynchronous methods, checked by the
 * compiler: a call missing here, or one SystemCalls lacks, fails to build.
 */
export const Syscall = Object.freeze({
  /** create */
  create: 0,
  /** lookup */
  lookup: 1,
  /** copy */
  copy: 2,
  /** delete */
  delete: 3,
  /** run */
  run: 4,
  /** pause */
  pause: 5,
  /** select */
  select: 6,
  /** begin_read */
  beginRead: 7,
  /** end_read */
  endRead: 8,
  /** begin_write */
  beginWrite: 9,
  /** end_write */
  endWrite: 10,
} as const satisfies Record<AsyncSystemCall, number>);

/** The name of one of the eleven system calls. */
export type SyscallName = keyof typeof Syscall;

/** The system calls' names, in {@link Syscall} index order. */
export const SYSCALL_NAMES: readonly SyscallName[] = Object.freeze(Object.keys(Syscall) as SyscallName[]);
