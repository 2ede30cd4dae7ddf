/**
 * The part of a baseline scheduler that is only bookkeeping: machines,
 * waiting and running tasks kept in a {@link SlotBook}. A baseline adds its
 * own `schedule`.
 * @module
 */
import type { Assignment, ClusterScheduler, MachineSpec, PendingTask } from './cluster-scheduler.js';
import { SlotBook } from './slot-book.js';

/** A {@link ClusterScheduler} whose rounds are the only thing left to write. */
export abstract class BookedScheduler implements ClusterScheduler {
  /** Machines and tasks; subclasses place from it. */
  protected readonly book = new SlotBook();

  /** `call`: the name errors give (e.g. 'greedyScheduler'). */
  constructor(private readonly call: string) {}

  /** See {@link ClusterScheduler.addMachine}. */
  addMachine(machine: MachineSpec): void {
    this.book.addMachine(this.call, machine);
  }
  /** See {@link ClusterScheduler.removeMachine}. */
  removeMachine(id: string): string[] {
    return this.book.removeMachine(this.call, id);
  }
  /** See {@link ClusterScheduler.submit}. */
  submit(task: PendingTask): void {
    this.book.submit(this.call, task);
  }
  /** See {@link ClusterScheduler.finished}. */
  finished(task: string): void {
    this.book.finished(this.call, task);
  }
  /** See {@link ClusterScheduler.waitingTasks}. */
  get waitingTasks(): number {
    return this.book.waiting.size;
  }
  /** See {@link ClusterScheduler.runningTasks}. */
  get runningTasks(): number {
    return this.book.running.size;
  }
  /** See {@link ClusterScheduler.schedule}. */
  abstract schedule(now: number): Assignment[];
}
