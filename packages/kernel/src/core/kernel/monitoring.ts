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
import type { Kernel } from '../kernel.js';
import type { TaskObject } from '../objects/task.js';
import type { TaskState } from '../objects/reference.js';

/** The eleven system calls, as indexes into the per-kind counters of a task's stats. */
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
} as const);

/** The name of one of the eleven system calls. */
export type SyscallName = keyof typeof Syscall;

/** The system calls' names, in {@link Syscall} index order. */
export const SYSCALL_NAMES: readonly SyscallName[] = Object.freeze(Object.keys(Syscall) as SyscallName[]);

/** How many exited tasks' reports a kernel keeps after the tasks themselves are gone. */
export const RECENT_TASKS = 1024;

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
  /** Bytes returned by successful end_read calls (RELEASE excluded). */
  readonly bytesRead: number;
  /** Bytes committed by successful end_write calls. */
  readonly bytesWritten: number;
  /** Successful creates plus tasks started by run. */
  readonly objectsCreated: number;
  /** Tasks started by run. */
  readonly tasksStarted: number;
}

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
  readonly stats: TaskStats;
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
const recent = new WeakMap<Kernel, Recent>();

/**
 * Records `task`'s exit (or destruction) when it happens, by watching its
 * wait queue: the kernel notifies it on every state change, so no hook in the
 * kernel is needed. The task context calls this once per task.
 */
export function watchTask(kernel: Kernel, task: TaskObject): void {
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
export function monitorTasks(kernel: Kernel): TaskReport[] {
  const known: Exited[] = [];
  const live = new Set<TaskStats>();
  for (const task of kernel.tasks.values()) {
    known.push(identity(task));
    live.add(task.stats);
  }
  // By stats, not by name: a re-run task with a deterministic name is another task.
  for (const e of recent.get(kernel)?.entries ?? []) if (!live.has(e.stats)) known.push(e);
  known.sort((a, b) => a.stats.startedMono - b.stats.startedMono);
  return known.map(report);
}

/**
 * The report of the task named `name` (64 hex digits): the live one, else the
 * latest exited one still remembered; undefined when there is none.
 */
export function taskReport(kernel: Kernel, name: string): TaskReport | undefined {
  const task = kernel.tasks.get(name);
  if (task !== undefined) return report(identity(task));
  let latest: Exited | undefined;
  for (const e of recent.get(kernel)?.entries ?? []) {
    if (e.name === name && (latest === undefined || e.stats.startedMono > latest.stats.startedMono)) latest = e;
  }
  return latest === undefined ? undefined : report(latest);
}

function identity(task: TaskObject): Exited {
  return { name: task.name.key, argv: Object.freeze([...task.setup.argv]), state: task.state, exitStatus: task.exitStatus, stats: task.stats };
}

function report(e: Exited): TaskReport {
  return Object.freeze({ name: e.name, argv: e.argv, state: e.state, exitStatus: e.exitStatus, stats: e.stats.snapshot() });
}

/** A plain-text table of `reports`, one task a line, for people (the demo prints it). */
export function formatTaskReports(reports: readonly TaskReport[]): string {
  const rows = reports.map((r) => {
    const s = r.stats;
    return [
      r.name.slice(0, 12),
      r.argv.join(' ') || '-',
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
  const header = ['task', 'argv', 'state', 'wall ms', 'cpu ms', 'calls', 'failed', 'read B', 'written B', 'created'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
