/**
 * The flow scheduler's cost model, after Quincy's: a task's arc to a place
 * costs the data that would move if it ran there (bytes off the machine,
 * with bytes from its own rack at a discount), waiting costs more than
 * running anywhere and grows with the wait, and, after Firmament's CoCo, a
 * task pays for each task already on the machine it would compete with.
 * All costs are integers in units of `bytesPerUnit` bytes moved.
 * @module
 */
import { errors } from '../abi/errors.js';
import { describe } from '../abi/names.js';
import { TASK_CLASSES, type TaskClass } from './task-class.js';

/** The weights of the flow scheduler's costs. */
export interface FlowCostModel {
  /** Bytes moved that cost one unit (default 64 KiB). */
  readonly bytesPerUnit: number;
  /** Percent of the full cost charged for a byte fetched from a machine in the same rack (default 50). */
  readonly inRackPercent: number;
  /** Units a task pays for leaving a round unscheduled, on top of moving all its data (default 2^24). */
  readonly unscheduledCost: number;
  /** Units added per second a task has waited (default 1024): the longest waiting run first. */
  readonly waitCostPerSecond: number;
  /** Units per point of co-location penalty (default 64, i.e. 4 MiB moved with the default unit); 0 turns interference off. */
  readonly interferenceCost: number;
  /** Units per task placed over a machine's slots when every task must be placed (default 2^20). */
  readonly overcommitCost: number;
  /** Preferred-machine arcs per task: the machines holding most of its input (default 4). */
  readonly preferredMachines: number;
  /** Preferred-rack arcs per task, when racks are configured (default 2). */
  readonly preferredRacks: number;
}

/** The default weights. */
export const DEFAULT_COST_MODEL: FlowCostModel = {
  bytesPerUnit: 64 * 1024,
  inRackPercent: 50,
  unscheduledCost: 2 ** 24,
  waitCostPerSecond: 1024,
  interferenceCost: 64,
  overcommitCost: 2 ** 20,
  preferredMachines: 4,
  preferredRacks: 2,
};

/**
 * Co-location penalty points, CoCo-style: `PENALTY[placed][resident]` is
 * what a task of class `placed` pays for each `resident` task on the
 * machine. Two memory-bound tasks fight over memory bandwidth and cache
 * the most; two CPU-bound ones share cores; unknown tasks are charged as a
 * guess between.
 */
export const PENALTY: Readonly<Record<TaskClass, Readonly<Record<TaskClass, number>>>> = {
  cpu: { cpu: 2, memory: 1, unknown: 1 },
  memory: { cpu: 1, memory: 4, unknown: 2 },
  unknown: { cpu: 1, memory: 2, unknown: 1 },
};

const LIMITS: Record<keyof FlowCostModel, [number, number]> = {
  bytesPerUnit: [1, 2 ** 40],
  inRackPercent: [0, 100],
  unscheduledCost: [0, 2 ** 30],
  waitCostPerSecond: [0, 2 ** 20],
  interferenceCost: [0, 2 ** 20],
  overcommitCost: [0, 2 ** 30],
  preferredMachines: [0, 64],
  preferredRacks: [0, 64],
};

/** The default model with `changes` applied; EINVAL naming a field that is unknown or out of range. */
export function costModel(call: string, changes: Partial<FlowCostModel> = {}): FlowCostModel {
  if (changes === null || typeof changes !== 'object')
    throw errors.EINVAL(call, 'options', `expected an object, got ${describe(changes)}`);
  const model: Record<string, number> = { ...DEFAULT_COST_MODEL };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) continue;
    const range = LIMITS[k as keyof FlowCostModel] as [number, number] | undefined;
    if (range === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < range[0] || v > range[1])
      throw errors.EINVAL(
        call,
        `options.${k}`,
        `expected an integer in [${range[0]}, ${range[1]}], got ${describe(v)}`,
      );
    model[k] = v;
  }
  return model as unknown as FlowCostModel;
}

/**
 * The most any one cost term is: sums of a few terms stay within the
 * solver's 2^40, whatever the inputs (huge bytes, a round long after a
 * submission, a machine claiming millions of tasks).
 */
export const MAX_TERM = 2 ** 36;

/** Cost units of moving `bytes` (at most MAX_TERM). */
export function units(model: FlowCostModel, bytes: number): number {
  return Math.min(MAX_TERM, Math.ceil(bytes / model.bytesPerUnit));
}

/** What a task of class `placed` pays on a machine holding `residents` (tasks by class). */
export function interference(
  model: FlowCostModel,
  placed: TaskClass,
  residents: Readonly<Record<TaskClass, number>>,
): number {
  let points = 0;
  for (const k of TASK_CLASSES) points += Math.max(0, residents[k]) * PENALTY[placed][k];
  return Math.min(MAX_TERM, points * model.interferenceCost);
}
