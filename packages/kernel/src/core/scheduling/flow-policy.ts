/**
 * The flow scheduler as the kernel's policy for `run` with kernel '*': each
 * placement is a round of a {@link FlowScheduler} over the candidates as
 * their loads describe them (free slots, running tasks by class), so one
 * task weighs data locality and interference as a batch would. A run cannot
 * wait, so every task is placed: over a kernel's slots at a cost.
 * @module
 */
import type { NodeLoad } from '../wire/transport.js';
import type { FlowCostModel } from './cost-model.js';
import { FlowScheduler } from './flow-scheduler.js';
import type { SchedulingPolicy } from './placement-policy.js';
import { TASK_CLASSES, type TaskClass } from './task-class.js';

/** Slots assumed for a kernel that does not report its own. */
export const DEFAULT_SLOTS = 4;

/** A scheduling policy that places each run by min-cost flow (docs/scheduling.md); `model` changes cost weights. */
export function flowPolicy(model: Partial<FlowCostModel> = {}): SchedulingPolicy {
  // Checks the weights once, now, rather than at the first run.
  new FlowScheduler({ ...model, mustPlace: true });
  return {
    place({ caller, inputBytes, candidates, taskClass }) {
      const s = new FlowScheduler({ ...model, mustPlace: true });
      // The caller first, as the greedy policy leans to it on ties.
      const ordered = [...candidates].sort((a, b) => Number(b.kernel === caller) - Number(a.kernel === caller));
      for (const c of ordered) s.addMachine({ id: c.kernel, slots: c.slots ?? DEFAULT_SLOTS, residents: residents(c) });
      s.submit({ id: 'task', job: 'run', inputBytes, taskClass: taskClass ?? 'unknown', submittedAt: 0 });
      return s.schedule(0)[0]!.machine;
    },
  };
}

// Running tasks by class; tasks the load does not class count as unknown.
function residents(load: NodeLoad): Partial<Record<TaskClass, number>> {
  const out: Partial<Record<TaskClass, number>> = {};
  let classed = 0;
  for (const c of TASK_CLASSES) {
    const n = load.classes?.[c] ?? 0;
    out[c] = n;
    classed += n;
  }
  out.unknown = (out.unknown ?? 0) + Math.max(0, load.runningTasks - classed);
  return out;
}
