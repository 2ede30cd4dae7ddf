/**
 * Task monitoring: what each task has cost so far (system calls by kind,
 * bytes moved, objects created, time and memory), kept by the kernel for
 * schedulers and for people.
 *
 * The counting happens in {@link TaskContext}, which every call of every
 * task passes through; this file holds the figures, the record of recently
 * exited tasks, and {@link monitorTasks}, the way to read them.
 * @module
 */
import type { KernelState } from './kernel-state.js';
import { canFlow, type Label } from '../objects/label.js';
import type { TaskObject } from '../objects/task.js';
import type { TaskStats, TaskStatsSnapshot } from '../objects/task-stats.js';
import type { TaskState } from '../abi/system-calls.js';
import type { ProcessKind } from '../abi/program.js';

/** How many exited tasks' reports a kernel keeps after the tasks themselves are gone. */
export const RECENT_TASKS = 1024;

/** One task as {@link monitorTasks} reports it. */
export interface TaskReport {
  /** The task's name (64 hex digits). */
  readonly name: string;
  /** Its arguments. */
  readonly argv: readonly string[];
  /** Its state when reported. */
  readonly state: TaskState;
  /** Exit status once exited. */
  readonly exitStatus: number | undefined;
  /** The kind of process: a DIOS program, or a legacy or hybrid WebAssembly program. */
  readonly process: ProcessKind;
  /** The id of the container it belongs to (docs/containers.md), if any. */
  readonly container?: string;
  /** Its figures. */
  readonly stats: TaskStatsSnapshot;
}

// A task's identity, fixed when taken (at exit for the ring), and its live stats (a worker host may still set
// cpuMs and memoryBytes after the exit). The ring does not hold TaskObjects: they would keep their groups alive.
interface Exited {
  readonly name: string;
  readonly argv: readonly string[];
  readonly state: TaskState;
  readonly exitStatus: number | undefined;
  readonly process: ProcessKind;
  readonly container: string | undefined;
  readonly stats: TaskStats;
  readonly label: Label;
}

// A ring of the last RECENT_TASKS exits per kernel. A WeakMap: the kernel needs no field for it.
class Recent {
  readonly entries: Exited[] = [];
  next = 0;
  add(entry: Exited): void {
    if (this.entries.length < RECENT_TASKS) this.entries.push(entry);
    else this.entries[this.next] = entry;
    this.next = (this.next + 1) % RECENT_TASKS;
  }
}
const recent = new WeakMap<KernelState, Recent>();

/**
 * Records `task`'s exit (or destruction) when it happens, by watching its
 * wait queue: the kernel notifies it on every state change, so no hook in the
 * kernel is needed. The task context calls this once per task.
 */
export function watchTask(kernel: KernelState, task: TaskObject): void {
  const wake = (): void => {
    if (task.state !== 'exited' && !task.destroyed) {
      // Wait queues wake each registration once: register again for the next change.
      task.changed.register(wake);
      return;
    }
    task.stats.end();
    let ring = recent.get(kernel);
    if (ring === undefined) recent.set(kernel, (ring = new Recent()));
    ring.add(identity(task));
  };
  task.changed.register(wake);
}

/**
 * Every task `kernel` knows, with its figures, oldest start first: the
 * live tasks, exited tasks not yet destroyed, and the last
 * {@link RECENT_TASKS} exited tasks that are gone.
 */
export function monitorTasks(kernel: KernelState, reader?: Label): TaskReport[] {
  const known: Exited[] = [];
  const live = new Set<TaskStats>();
  for (const task of kernel.tasks.values()) {
    known.push(identity(task));
    live.add(task.stats);
  }
  // By stats, not by name: a re-run task with a deterministic name is another task.
  for (const e of recent.get(kernel)?.entries ?? []) if (!live.has(e.stats)) known.push(e);
  known.sort((a, b) => a.stats.startedMono - b.stats.startedMono);
  // A task's figures (bytes moved, calls made) are its data: shown only to a reader its label may flow to.
  return (reader === undefined ? known : known.filter((e) => canFlow(e.label, reader))).map(report);
}

/**
 * The report of the task named `name` (64 hex digits): the live one, else the
 * latest exited one still remembered; undefined when there is none.
 */
export function taskReport(kernel: KernelState, name: string): TaskReport | undefined {
  const task = kernel.tasks.get(name);
  if (task !== undefined) return report(identity(task));
  let latest: Exited | undefined;
  for (const e of recent.get(kernel)?.entries ?? []) {
    if (e.name === name && (latest === undefined || e.stats.startedMono > latest.stats.startedMono)) latest = e;
  }
  return latest === undefined ? undefined : report(latest);
}

function identity(task: TaskObject): Exited {
  return {
    name: task.name.key,
    argv: Object.freeze([...task.setup.argv]),
    state: task.state,
    exitStatus: task.exitStatus,
    process: task.process,
    container: task.container?.id,
    stats: task.stats,
    label: task.label,
  };
}

function report(e: Exited): TaskReport {
  return Object.freeze({
    name: e.name,
    argv: e.argv,
    state: e.state,
    exitStatus: e.exitStatus,
    process: e.process,
    ...(e.container !== undefined ? { container: e.container } : {}),
    stats: e.stats.snapshot(),
  });
}

/** A plain-text table of `reports`, one task a line, for people (the demo prints it). */
export function formatTaskReports(reports: readonly TaskReport[]): string {
  const rows = reports.map((r) => {
    const s = r.stats;
    return [
      r.name.slice(0, 12),
      r.argv.join(' ') || '-',
      r.process,
      r.state === 'exited' ? `exit ${r.exitStatus}` : r.state,
      s.wallMs.toFixed(1),
      s.cpuMs === undefined ? '-' : s.cpuMs.toFixed(1),
      String(s.totalCalls),
      String(s.failedCalls),
      String(s.bytesRead),
      String(s.bytesWritten),
      String(s.objectsCreated),
    ];
  });
  const header = [
    'task',
    'argv',
    'kind',
    'state',
    'wall ms',
    'cpu ms',
    'calls',
    'failed',
    'read B',
    'written B',
    'created',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
