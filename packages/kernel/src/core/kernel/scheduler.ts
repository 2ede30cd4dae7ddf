/**
 * What a kernel tells schedulers about itself: its load, the figure every
 * placement policy (core/scheduling) weighs.
 * @module
 */
import type { KernelState } from './kernel-state.js';
import type { NodeLoad } from '../wire/transport.js';

/** This kernel's load now; with `program`, also the class this kernel has seen that program have. */
export function nodeLoad(kernel: KernelState, program?: string): NodeLoad {
  let running = 0;
  let cpu: number | undefined;
  const classes: Record<string, number> = { cpu: 0, memory: 0, unknown: 0 };
  for (const task of kernel.tasks.values()) {
    if (task.setup.program === undefined || task.state === 'exited') continue;
    running++;
    if (task.stats.cpuMs !== undefined) cpu = (cpu ?? 0) + task.stats.cpuMs;
    classes[task.programKey === undefined ? 'unknown' : kernel.profiles.classOf(task.programKey)]!++;
  }
  return {
    kernel: kernel.id,
    runningTasks: running,
    workerCpuMs: cpu,
    schedulable: kernel.schedulable,
    classes,
    ...(kernel.slots !== undefined ? { slots: kernel.slots } : {}),
    ...(program !== undefined ? { programClass: kernel.profiles.classOf(program) } : {}),
  };
}
