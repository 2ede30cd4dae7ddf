/**
 * Task monitoring: what each task has cost so far (system calls by kind,
 * bytes moved, objects created, time and memory), kept by the kernel for
 * schedulers and for people.
 * @module
 */

/** Running figures of one task. */
export class TaskStats {
  /** CPU time in milliseconds, where the host can measure it per task (worker tasks); undefined otherwise. */
  cpuMs: number | undefined = undefined;
  /** Peak heap memory in bytes, where the host can measure it per task (worker tasks); undefined otherwise. */
  memoryBytes: number | undefined = undefined;
}
