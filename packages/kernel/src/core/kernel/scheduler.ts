/**
 * Placing tasks: when run is asked for any kernel (`spec.kernel: '*'`), a
 * scheduling policy picks one from what the kernel knows: where the task's
 * input bytes live and how loaded each reachable kernel is. The default
 * policy puts the task where most of its input bytes are (DIOS's point:
 * move the work to the data) and otherwise on the least-loaded kernel.
 * @module
 */
import type { KernelState } from './kernel-state.js';
import type { NodeLoad } from '../wire/transport.js';

/** `spec.kernel` value that lets the kernel's scheduling policy choose. */
export const ANY_KERNEL = '*';

/** What a policy is told about one run. */
export interface PlacementRequest {
  /** The kernel the run was made on. */
  readonly caller: string;
  /** The task's arguments. */
  readonly argv: readonly string[];
  /** Bytes of the task's inputs by the kernel that holds them. */
  readonly inputBytes: Readonly<Record<string, number>>;
  /** Every kernel that can take the task (the caller first when it is schedulable), with its load. */
  readonly candidates: readonly NodeLoad[];
}

/** Chooses the kernel a task runs on. */
export interface SchedulingPolicy {
  /** Returns the id of one of `request.candidates`. */
  place(request: PlacementRequest): string;
}

/** The default policy: most input bytes first, then fewest running tasks, then the caller. */
export const localityPolicy: SchedulingPolicy = {
  place({ caller, inputBytes, candidates }) {
    let best = candidates[0]!;
    const score = (c: NodeLoad) => inputBytes[c.kernel] ?? 0;
    for (const c of candidates) {
      const better =
        score(c) > score(best) ||
        (score(c) === score(best) &&
          (c.runningTasks < best.runningTasks || (c.runningTasks === best.runningTasks && c.kernel === caller)));
      if (better) best = c;
    }
    return best.kernel;
  },
};

/** This kernel's load now. */
export function nodeLoad(kernel: KernelState): NodeLoad {
  let running = 0;
  let cpu: number | undefined;
  for (const task of kernel.tasks.values()) {
    if (task.setup.program === undefined || task.state === 'exited') continue;
    running++;
    if (task.stats.cpuMs !== undefined) cpu = (cpu ?? 0) + task.stats.cpuMs;
  }
  return { kernel: kernel.id, runningTasks: running, workerCpuMs: cpu, schedulable: kernel.schedulable };
}
