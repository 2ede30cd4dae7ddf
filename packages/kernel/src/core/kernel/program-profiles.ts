/**
 * What each program was seen to do: the class monitoring gives its runs
 * (core/scheduling/classify-task.ts), kept per program key for the next
 * placement. A worker task's CPU figure may arrive after its exit, so exits
 * wait here until their figures are in.
 * @module
 */
import type { TaskStats } from '../objects/task-stats.js';
import type { TaskClass } from '../scheduling/task-class.js';
import { TaskProfiles } from '../scheduling/task-profiles.js';

// Exits waiting for a worker's figures; the oldest are dropped past this.
const PENDING = 256;

interface Pending {
  readonly key: string;
  readonly stats: TaskStats;
  readonly worker: boolean;
}

/** Per-program classes of one kernel. */
export class ProgramProfiles {
  readonly #profiles = new TaskProfiles();
  #pending: Pending[] = [];

  /** A task of program `key` exited; its figures count once complete. */
  exited(key: string, stats: TaskStats, worker: boolean): void {
    this.#pending.push({ key, stats, worker });
    if (this.#pending.length > PENDING) this.#pending.shift();
  }

  /** The class program `key`'s runs so far give ('unknown' if none told). */
  classOf(key: string): TaskClass {
    this.#drain();
    try {
      return this.#profiles.classOf(key);
    } catch {
      return 'unknown';
    }
  }

  #drain(): void {
    const waiting: Pending[] = [];
    for (const p of this.#pending) {
      if (p.worker && p.stats.cpuMs === undefined) waiting.push(p);
      else {
        // An exit the profiles refuse (a key they do not take, figures they cannot read) is dropped, never kept.
        try {
          this.#profiles.record(p.key, p.stats.snapshot());
        } catch {
          /* dropped */
        }
      }
    }
    this.#pending = waiting;
  }
}
