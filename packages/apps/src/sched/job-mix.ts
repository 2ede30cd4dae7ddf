/**
 * A generated job mix with skewed data placement: jobs arrive in a Poisson
 * stream, each with several tasks of one class; each task reads a few input
 * blocks, and each block has replicas on machines drawn from a Zipf law
 * (over machines in a random order, so the hot ones are spread across racks):
 * a few machines hold much of the data, as in the clusters Quincy and
 * Firmament were measured on, and cannot run every task that would like
 * to be near its data. Seeded: the same options give the same workload.
 * @module
 */
import { errors, type TaskClass } from '@dios/kernel';
import { SeededRandom, ZipfSampler } from './seeded-random.js';
import { bytesByMachine, clusterOf, type InputBlock, type SimTask, type Workload } from './workload.js';

const CALL = 'jobMix';
const MiB = 1 << 20;

/** What to generate; everything but `machines` and `tasks` has a default. */
export interface JobMixOptions {
  /** Machines in the cluster (≥ 1). */
  readonly machines: number;
  /** Tasks in all (≥ 0). */
  readonly tasks: number;
  /** Slots per machine (default 8). */
  readonly slots?: number;
  /** Racks (default none). */
  readonly racks?: number;
  /** Seed (default 1). */
  readonly seed?: number;
  /** Zipf exponent of data placement over machines (default 1; 0 is uniform). */
  readonly skew?: number;
  /** Replicas of each block (default 3, at most the machines). */
  readonly replicas?: number;
  /** Mean tasks per job (default 20). */
  readonly tasksPerJob?: number;
  /** Mean task duration, ms (default 2000). */
  readonly meanDurationMs?: number;
  /** Most blocks a task reads (default 1, a map task's one split; each 64 to 128 MiB). */
  readonly maxBlocks?: number;
  /** Offered load: the share of all slots the arriving work would keep busy (default 0.8). */
  readonly load?: number;
  /** Shares of jobs of class cpu and memory (default 0.5 and 0.3; the rest unknown). */
  readonly classShares?: { readonly cpu: number; readonly memory: number };
}

function positive(name: string, v: number | undefined, fallback: number, integer: boolean): number {
  const x = v ?? fallback;
  if (typeof x !== 'number' || !Number.isFinite(x) || x < 0 || (integer && !Number.isSafeInteger(x)))
    throw errors.EINVAL(CALL, name, `expected a${integer ? ' whole' : ''} number ≥ 0, got ${String(x)}`);
  return x;
}

/** Generates the workload `options` describe (EINVAL naming a bad option). */
export function generateJobMix(options: JobMixOptions): Workload {
  const machineCount = positive('machines', options.machines, 0, true);
  if (machineCount < 1) throw errors.EINVAL(CALL, 'machines', 'expected at least 1 machine');
  const taskCount = positive('tasks', options.tasks, 0, true);
  const slots = positive('slots', options.slots, 8, true);
  const racks = options.racks === undefined ? undefined : positive('racks', options.racks, 0, true);
  const skew = positive('skew', options.skew, 1, false);
  const replicas = Math.min(positive('replicas', options.replicas, 3, true), machineCount);
  const perJob = Math.max(1, positive('tasksPerJob', options.tasksPerJob, 20, false));
  const meanDuration = positive('meanDurationMs', options.meanDurationMs, 2000, false);
  const maxBlocks = Math.max(1, positive('maxBlocks', options.maxBlocks, 1, true));
  const load = positive('load', options.load, 0.8, false);
  const shares = options.classShares ?? { cpu: 0.5, memory: 0.3 };
  const rng = new SeededRandom(options.seed ?? 1);
  const order = rng.permutation(machineCount);
  const zipf = new ZipfSampler(machineCount, skew);
  const machines = clusterOf(machineCount, slots, racks);
  // Jobs per ms so that the work arriving keeps `load` of the slots busy.
  const jobRate = (load * machineCount * Math.max(slots, 1)) / (perJob * Math.max(meanDuration, 1));
  const tasks: SimTask[] = [];
  let now = 0;
  for (let j = 0; tasks.length < taskCount; j++) {
    now += jobRate > 0 ? rng.exponential(1 / jobRate) : 0;
    const submitMs = Math.round(now);
    const size = Math.min(taskCount - tasks.length, Math.max(1, Math.round(rng.exponential(perJob))));
    const u = rng.next();
    const taskClass: TaskClass = u < shares.cpu ? 'cpu' : u < shares.cpu + shares.memory ? 'memory' : 'unknown';
    const base = Math.max(50, rng.exponential(meanDuration));
    for (let k = 0; k < size; k++) {
      const blocks: InputBlock[] = [];
      const count = 1 + rng.below(maxBlocks);
      for (let b = 0; b < count; b++)
        blocks.push({ bytes: 64 * MiB + rng.below(64 * MiB), replicas: holders(rng, zipf, order, replicas) });
      tasks.push({
        id: `j${j}.t${k}`,
        job: `j${j}`,
        submitMs,
        durationMs: Math.round(base * (0.5 + rng.next())),
        inputBytes: bytesByMachine(blocks),
        totalBytes: blocks.reduce((s, b) => s + b.bytes, 0),
        blocks,
        taskClass,
      });
    }
  }
  return { machines, tasks };
}

// `count` distinct machines, each drawn from the Zipf law; a few tries, then the least-ranked free ones (small clusters).
function holders(rng: SeededRandom, zipf: ZipfSampler, order: readonly number[], count: number): string[] {
  const picked = new Set<number>();
  for (let tries = 0; picked.size < count && tries < 8 * count; tries++) picked.add(zipf.draw(rng.next()));
  for (let r = 0; picked.size < count; r++) picked.add(r);
  return [...picked].map((rank) => `m${order[rank]!}`);
}
