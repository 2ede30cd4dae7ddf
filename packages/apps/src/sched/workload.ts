/**
 * What the simulator runs: a cluster of machines and the tasks that arrive
 * on it, generated (job-mix.ts) or read from a trace (trace-file.ts).
 * @module
 */
import type { MachineSpec, TaskClass } from '@dios/kernel';

/** One block of a task's input and the machines holding a replica of it. */
export interface InputBlock {
  /** Its size. */
  readonly bytes: number;
  /** Machine ids with a copy (distinct). */
  readonly replicas: readonly string[];
}

/** A task of the workload. */
export interface SimTask {
  /** Its id, unique in the workload. */
  readonly id: string;
  /** Its job. */
  readonly job: string;
  /** When it arrives (simulated ms). */
  readonly submitMs: number;
  /** How long it runs with its input local and no interference (ms, ≥ 0). */
  readonly durationMs: number;
  /** Input bytes by machine (a replicated byte counts under each holder). */
  readonly inputBytes: Readonly<Record<string, number>>;
  /** Input bytes in all (each byte once). */
  readonly totalBytes: number;
  /** The blocks, when known: they tell exactly which bytes a rack holds; a trace may give only `inputBytes`. */
  readonly blocks?: readonly InputBlock[];
  /** Its class. */
  readonly taskClass: TaskClass;
}

/** A cluster and the tasks to run on it, in order of arrival. */
export interface Workload {
  /** The machines (ids m0..m{M-1}), with racks when racks are configured. */
  readonly machines: readonly MachineSpec[];
  /** The tasks, by `submitMs` (ties in a fixed order). */
  readonly tasks: readonly SimTask[];
}

/** Machines m0..m{count-1} with `slots` slots each; with `racks`, machine i is in rack r⌊i·racks/count⌋. */
export function clusterOf(count: number, slots: number, racks?: number): MachineSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `m${i}`,
    slots,
    ...(racks !== undefined && racks > 0 && { rack: `r${Math.floor((i * racks) / count)}` }),
  }));
}

/** Input bytes by machine of `blocks` (each block under each of its replicas). */
export function bytesByMachine(blocks: readonly InputBlock[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const b of blocks) for (const m of b.replicas) out[m] = (out[m] ?? 0) + b.bytes;
  return out;
}
