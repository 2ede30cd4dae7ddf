/**
 * What a kernel tells schedulers about itself: its load, the figure every
 * placement policy (core/scheduling) weighs.
 * @module
 */
import type { KernelState } from './kernel-state.js';
import type { NodeLoad } from '../wire/transport.js';

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
