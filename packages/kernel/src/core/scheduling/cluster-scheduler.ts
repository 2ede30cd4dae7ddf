/**
 * A scheduler over a whole cluster, round by round: machines with slots,
 * tasks that arrive and wait, rounds that place some of them, tasks that
 * finish and free their slots. The flow scheduler, the greedy and the random
 * baselines all implement it, so the simulator (`dios sched simulate`) and
 * the kernel's `run` use the same code.
 * @module
 */
import type { TaskClass } from './task-class.js';

/** One machine (a kernel) as a scheduler sees it. */
export interface MachineSpec {
  /** Its id (a kernel id). */
  readonly id: string;
  /** Tasks it runs at once (worker slots); an integer ≥ 0. */
  readonly slots: number;
  /** The rack it is in, when racks are configured. */
  readonly rack?: string;
  /** Tasks already running there that this scheduler did not place, by class: they hold slots and interfere. */
  readonly residents?: Readonly<Partial<Record<TaskClass, number>>>;
}

/** One task waiting to be placed. */
export interface PendingTask {
  /** Its id, unique among the tasks the scheduler holds. */
  readonly id: string;
  /** The job it belongs to (tasks of a job share an unscheduled aggregator). */
  readonly job: string;
  /** Bytes of its inputs by the machine holding them (a byte held on several machines is listed under each). */
  readonly inputBytes: Readonly<Record<string, number>>;
  /** Bytes of its inputs in all (default: the sum of `inputBytes`, i.e. nothing replicated); at least the largest entry. */
  readonly totalBytes?: number;
  /** What monitoring says it is ('unknown' when absent). */
  readonly taskClass?: TaskClass;
  /** When it was submitted (ms, on the clock `schedule` is given). */
  readonly submittedAt: number;
}

/** A placement made by a round. */
export interface Assignment {
  /** The task's id. */
  readonly task: string;
  /** The machine it now runs on. */
  readonly machine: string;
}

/** Places tasks on machines, round by round. */
export interface ClusterScheduler {
  /** Adds a machine (EEXIST if its id is taken, EINVAL for a bad spec). */
  addMachine(machine: MachineSpec): void;
  /** Removes a machine; returns the ids of the tasks it placed there that were still running (they are dropped). */
  removeMachine(id: string): string[];
  /** Adds a waiting task (EEXIST if its id is held, EINVAL for a bad spec). */
  submit(task: PendingTask): void;
  /** One round at time `now`: places waiting tasks, returns the placements made (each then holds a slot). */
  schedule(now: number): Assignment[];
  /** A placed task ended: its slot is free again (ENOENT if it is not running). */
  finished(task: string): void;
  /** Tasks submitted and not yet placed. */
  readonly waitingTasks: number;
  /** Tasks placed and not yet finished. */
  readonly runningTasks: number;
}
