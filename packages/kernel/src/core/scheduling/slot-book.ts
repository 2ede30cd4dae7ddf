/**
 * The bookkeeping every cluster scheduler shares: machines and their free
 * slots and resident classes, tasks waiting (in arrival order) and tasks
 * running where they were placed. Policies decide; this only counts.
 * @module
 */
import { errors } from '../abi/errors.js';
import type { MachineSpec, PendingTask } from './cluster-scheduler.js';
import { checkMachine, checkTask } from './scheduler-input.js';
import type { TaskClass } from './task-class.js';

/** A machine as the book keeps it. */
export interface BookMachine {
  /** The checked spec. */
  readonly spec: MachineSpec;
  /** Slots not held by residents or placed tasks (negative when residents overfill it). */
  free: number;
  /** Tasks there by class: residents and placed tasks. */
  readonly classes: Record<TaskClass, number>;
  /** Ids of the tasks placed there and still running. */
  readonly placed: Set<string>;
}

/** Machines, waiting tasks and running tasks of one scheduler. */
export class SlotBook {
  /** Machines by id, in the order added. */
  readonly machines = new Map<string, BookMachine>();
  /** Waiting tasks by id, in arrival order. */
  readonly waiting = new Map<string, PendingTask>();
  /** Running tasks: id to machine id and class. */
  readonly running = new Map<string, { machine: string; taskClass: TaskClass }>();

  /** Adds a checked machine; returns it. */
  addMachine(call: string, spec: MachineSpec): BookMachine {
    const m = checkMachine(call, spec);
    if (this.machines.has(m.id)) throw errors.EEXIST(call, 'machine.id', `machine ${m.id} is already known`);
    const classes: Record<TaskClass, number> = { cpu: 0, memory: 0, unknown: 0 };
    let residents = 0;
    for (const [k, v] of Object.entries(m.residents ?? {})) {
      classes[k as TaskClass] += v;
      residents += v;
    }
    const entry: BookMachine = { spec: m, free: m.slots - residents, classes, placed: new Set() };
    this.machines.set(m.id, entry);
    return entry;
  }

  /** Removes a machine; returns the placed tasks that were running there (now dropped). */
  removeMachine(call: string, id: string): string[] {
    const m = this.machines.get(id);
    if (m === undefined) throw errors.ENOENT(call, 'id', `no machine ${String(id)}`);
    this.machines.delete(id);
    for (const t of m.placed) this.running.delete(t);
    return [...m.placed];
  }

  /** Adds a checked task to the waiting set; returns it. */
  submit(call: string, spec: PendingTask): PendingTask {
    const t = checkTask(call, spec);
    if (this.waiting.has(t.id) || this.running.has(t.id))
      throw errors.EEXIST(call, 'task.id', `task ${t.id} is already held`);
    this.waiting.set(t.id, t);
    return t;
  }

  /** Moves a waiting task onto a machine's slot. */
  assign(task: string, machine: string): void {
    const t = this.waiting.get(task)!;
    const m = this.machines.get(machine)!;
    this.waiting.delete(task);
    const taskClass = t.taskClass ?? 'unknown';
    this.running.set(task, { machine, taskClass });
    m.free--;
    m.classes[taskClass]++;
    m.placed.add(task);
  }

  /** A running task ended: frees its slot; returns its machine. */
  finished(call: string, task: string): BookMachine {
    const r = this.running.get(task);
    if (r === undefined) throw errors.ENOENT(call, 'task', `task ${String(task)} is not running`);
    this.running.delete(task);
    const m = this.machines.get(r.machine)!;
    m.free++;
    m.classes[r.taskClass]--;
    m.placed.delete(task);
    return m;
  }
}
