/**
 * What one task has cost so far: its calls by kind, bytes moved, objects
 * made, time and memory. The task context counts; the kernel's monitoring
 * reads.
 * @module
 */
import { Errno } from '../abi/errors.js';
import { SYSCALL_NAMES, type SyscallName } from '../abi/syscall-kinds.js';

/** Running figures of one task. */
export class TaskStats {
  /** CPU time in milliseconds, where the host can measure it per task (worker tasks); undefined otherwise. */
  cpuMs: number | undefined = undefined;
  /** Peak heap memory in bytes, where the host can measure it per task (worker tasks); undefined otherwise. */
  memoryBytes: number | undefined = undefined;
  /** Wall-clock time the task object was made (ms since the epoch). */
  readonly startedAt = Date.now();
  /** Monotonic clock (performance.now()) when the task object was made: durations come from this, not from Date. */
  readonly startedMono = performance.now();
  /** Monotonic clock when the task exited (or was destroyed without exiting); undefined while it lives. */
  endedMono: number | undefined = undefined;
  /** Calls made, failed ones included, indexed by {@link Syscall}. A typed array: one store per call, no shape changes. */
  readonly calls = new Float64Array(SYSCALL_NAMES.length);
  /** Calls that failed (threw or rejected). */
  failedCalls = 0;
  /**
   * Failed calls by error code (`ENOENT`, `ETIMEDOUT`): why they failed.
   * `other`: errors without one of the kernel's codes, and calls a worker
   * task's own argument check refused before they reached the kernel.
   */
  readonly failures = new Map<string, number>();
  /** Bytes read: lengths of buffers returned by successful end_read calls, except RELEASE (nothing consumed). */
  bytesRead = 0;
  /** Bytes written: lengths committed by successful end_write calls (DISCARD commits nothing). */
  bytesWritten = 0;
  /** Objects created: successful create calls plus tasks started by run. */
  objectsCreated = 0;
  /** Tasks started by run (also counted in objectsCreated). */
  tasksStarted = 0;

  /** Milliseconds from the task's start until it exited, or until now while it lives. */
  get wallMs(): number {
    return (this.endedMono ?? performance.now()) - this.startedMono;
  }

  /** Counts a failed call, by its error's code. */
  fail(error: unknown): void {
    this.failedCalls++;
    const raw = (error as { code?: unknown } | null)?.code;
    // Only the kernel's own codes: an error a task made up (a throwing getter in an argument) cannot add keys.
    const code = typeof raw === 'string' && Object.hasOwn(Errno, raw) ? raw : 'other';
    this.failures.set(code, (this.failures.get(code) ?? 0) + 1);
  }

  /** Marks the end of the task (the first call wins). */
  end(): void {
    if (this.endedMono === undefined) this.endedMono = performance.now();
  }

  /** A frozen plain copy of the figures, for JSON and schedulers. */
  snapshot(): TaskStatsSnapshot {
    const calls = {} as Record<SyscallName, number>;
    let total = 0;
    for (let i = 0; i < SYSCALL_NAMES.length; i++) {
      calls[SYSCALL_NAMES[i]!] = this.calls[i]!;
      total += this.calls[i]!;
    }
    return Object.freeze({
      startedAt: this.startedAt,
      endedAt: this.endedMono === undefined ? undefined : this.startedAt + (this.endedMono - this.startedMono),
      wallMs: this.wallMs,
      cpuMs: this.cpuMs,
      memoryBytes: this.memoryBytes,
      calls: Object.freeze(calls),
      totalCalls: total,
      failedCalls: this.failedCalls,
      failures: Object.freeze(Object.fromEntries(this.failures)),
      bytesRead: this.bytesRead,
      bytesWritten: this.bytesWritten,
      objectsCreated: this.objectsCreated,
      tasksStarted: this.tasksStarted,
    });
  }
}

/** A frozen copy of a task's running figures (what {@link TaskReport.stats} holds). Fields that are undefined are left out by JSON.stringify. */
export interface TaskStatsSnapshot {
  /** When the task object was made (ms since the epoch). */
  readonly startedAt: number;
  /** When it exited (ms since the epoch, measured on the monotonic clock from startedAt); undefined while it lives. */
  readonly endedAt: number | undefined;
  /** Wall time in ms: until exit, or until the snapshot while it lives. Paused time counts. */
  readonly wallMs: number;
  /** CPU time in ms: worker tasks only (in-thread tasks share the kernel's thread). */
  readonly cpuMs: number | undefined;
  /** Peak heap bytes: worker tasks only. */
  readonly memoryBytes: number | undefined;
  /** Calls made by kind, failed ones included. */
  readonly calls: Readonly<Record<SyscallName, number>>;
  /** Sum of {@link TaskStatsSnapshot.calls}. */
  readonly totalCalls: number;
  /** Calls that failed. */
  readonly failedCalls: number;
  /** Failed calls by error code (`other` for errors without one); the counts add up to failedCalls. */
  readonly failures: Readonly<Record<string, number>>;
  /** Bytes returned by successful end_read calls (RELEASE excluded). */
  readonly bytesRead: number;
  /** Bytes committed by successful end_write calls. */
  readonly bytesWritten: number;
  /** Successful creates plus tasks started by run. */
  readonly objectsCreated: number;
  /** Tasks started by run. */
  readonly tasksStarted: number;
}
