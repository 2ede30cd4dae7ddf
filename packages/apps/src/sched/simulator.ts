/**
 * A discrete-event simulation of one scheduler on one workload, in
 * simulated time: tasks arrive, scheduling rounds place them on machine
 * slots, placed tasks finish after their run time (run-time-model.ts) and
 * free their slots. The scheduler is the policy code itself (the
 * {@link ClusterScheduler} the kernel uses); the only real time measured is
 * the wall time of each `schedule()` call, its placement latency.
 *
 * Rounds: with `roundMs` > 0 a round runs at each multiple of `roundMs` at
 * which something happened since the last one (an arrival, a finish) or
 * tasks still wait (so a scheduler whose costs rise with waiting can change
 * its mind); events between rounds take effect at the next round. With
 * `roundMs` 0 a round runs after each batch of events at the same time.
 * The simulation ends when every task has finished, or when nothing is
 * left to happen and the last round placed nothing (tasks the scheduler
 * would never place are counted as not placed).
 * @module
 */
import { errors, type ClusterScheduler, type TaskClass } from '@dios/kernel';
import { DataMoved } from './data-moved.js';
import { FinishQueue } from './finish-queue.js';
import { DEFAULT_RUN_TIME_MODEL, slowdown, transferMs, type RunTimeModel } from './run-time-model.js';
import { summarize, type Summary } from './stats.js';
import type { Workload } from './workload.js';

const CALL = 'simulate';

/** How to simulate. */
export interface SimulationOptions {
  /** Simulated ms between rounds (default 100; 0: a round after each batch of simultaneous events). */
  readonly roundMs?: number;
  /** How long placed tasks run (default {@link DEFAULT_RUN_TIME_MODEL}). */
  readonly model?: RunTimeModel;
}

/** One task's placement. */
export interface Placement {
  /** The task's index in the workload. */
  readonly task: number;
  /** Where it ran. */
  readonly machine: string;
  /** The round that placed it (simulated ms). */
  readonly startMs: number;
  /** When it ended: `startMs` + `runMs`. */
  readonly finishMs: number;
  /** How long it ran (its duration slowed by interference, plus its input's transfer). */
  readonly runMs: number;
  /** Input bytes not on its machine. */
  readonly movedBytes: number;
}

/** What one scheduler did with one workload. */
export interface SimulationResult {
  /** The scheduler's name. */
  readonly scheduler: string;
  /** Tasks in the workload. */
  readonly tasks: number;
  /** Tasks placed. */
  readonly placed: number;
  /** Scheduling rounds run. */
  readonly rounds: number;
  /** Wall ms of each schedule() call. */
  readonly latencyMs: Summary;
  /** Input bytes of all placed tasks. */
  readonly inputBytes: number;
  /** Input bytes placed tasks fetched from other machines. */
  readonly movedBytes: number;
  /** Of those, bytes from the same rack (0 without racks). */
  readonly inRackBytes: number;
  /** Of those, bytes from other racks (all of them without racks). */
  readonly crossRackBytes: number;
  /** Simulated ms from submission to placement, per placed task. */
  readonly waitMs: Summary;
  /** Simulated ms from the first submission to the last finish (0 if nothing ran). */
  readonly makespanMs: number;
  /** Every placement, by task index (undefined: not placed). */
  readonly placements: readonly (Placement | undefined)[];
}

/** Simulates `workload` under the scheduler `make` returns (a fresh one); EINVAL for bad options, EIO if the scheduler breaks its contract. */
export function simulate(
  name: string,
  make: () => ClusterScheduler,
  workload: Workload,
  options: SimulationOptions = {},
): SimulationResult {
  const roundMs = options.roundMs ?? 100;
  if (typeof roundMs !== 'number' || !Number.isFinite(roundMs) || roundMs < 0)
    throw errors.EINVAL(CALL, 'roundMs', `expected a number of ms ≥ 0, got ${String(roundMs)}`);
  const model = options.model ?? DEFAULT_RUN_TIME_MODEL;
  const { machines, tasks } = workload;
  for (let i = 1; i < tasks.length; i++)
    if (!(tasks[i]!.submitMs >= tasks[i - 1]!.submitMs))
      throw errors.EINVAL(CALL, `tasks[${i}].submitMs`, 'tasks must be in order of submission');
  const scheduler = make();
  const room = new Map<string, { free: number; classes: Record<TaskClass, number> }>();
  for (const m of machines) {
    scheduler.addMachine(m);
    room.set(m.id, { free: m.slots, classes: { cpu: 0, memory: 0, unknown: 0 } });
  }
  const index = new Map(tasks.map((t, i) => [t.id, i]));
  if (index.size !== tasks.length) throw errors.EINVAL(CALL, 'tasks', 'task ids must be unique');
  const moved = new DataMoved(machines);
  const waiting = new Set<number>();
  const placements: (Placement | undefined)[] = new Array<Placement | undefined>(tasks.length).fill(undefined);
  const finishes = new FinishQueue();
  const latencies: number[] = [];
  const waits: number[] = [];
  let next = 0;
  let now = -Infinity;
  let placed = 0;
  let inputBytes = 0;
  let inRackBytes = 0;
  let crossRackBytes = 0;
  let lastFinish = -Infinity;
  let lastPlacedCount = 0;
  const broke = (detail: string) => errors.EIO(CALL, name, `the scheduler ${detail}`);
  for (;;) {
    const nextEvent = Math.min(next < tasks.length ? tasks[next]!.submitMs : Infinity, finishes.peekTime());
    if (nextEvent === Infinity && (waiting.size === 0 || lastPlacedCount === 0)) break;
    // The next round's time.
    if (roundMs === 0) now = nextEvent === Infinity ? now : nextEvent;
    else {
      const atEvent = Math.max(Math.ceil(nextEvent / roundMs), Math.floor(now / roundMs) + 1) * roundMs;
      now = waiting.size > 0 ? Math.min(now + roundMs, atEvent) : atEvent;
    }
    while (finishes.peekTime() <= now) {
      const i = finishes.pop();
      const p = placements[i]!;
      const r = room.get(p.machine)!;
      r.free++;
      r.classes[tasks[i]!.taskClass]--;
      scheduler.finished(tasks[i]!.id);
    }
    while (next < tasks.length && tasks[next]!.submitMs <= now) {
      const t = tasks[next]!;
      scheduler.submit({
        id: t.id,
        job: t.job,
        inputBytes: t.inputBytes,
        totalBytes: t.totalBytes,
        taskClass: t.taskClass,
        submittedAt: t.submitMs,
      });
      waiting.add(next++);
    }
    const started = performance.now();
    const assignments = scheduler.schedule(now);
    latencies.push(performance.now() - started);
    lastPlacedCount = assignments.length;
    for (const a of assignments) {
      const i = index.get(a.task);
      if (i === undefined || !waiting.has(i)) throw broke(`placed ${String(a.task)}, which was not waiting`);
      const r = room.get(a.machine);
      if (r === undefined) throw broke(`placed ${a.task} on ${String(a.machine)}, which is no machine`);
      if (r.free <= 0) throw broke(`placed ${a.task} on ${a.machine}, which had no free slot`);
      const t = tasks[i]!;
      const m = moved.of(t, a.machine);
      const runMs = t.durationMs * slowdown(model, t.taskClass, r.classes) + transferMs(model, m.inRack, m.crossRack);
      waiting.delete(i);
      r.free--;
      r.classes[t.taskClass]++;
      const p: Placement = {
        task: i,
        machine: a.machine,
        startMs: now,
        finishMs: now + runMs,
        runMs,
        movedBytes: m.inRack + m.crossRack,
      };
      placements[i] = p;
      finishes.push(p.finishMs, i);
      placed++;
      inputBytes += t.totalBytes;
      inRackBytes += m.inRack;
      crossRackBytes += m.crossRack;
      waits.push(now - t.submitMs);
      lastFinish = Math.max(lastFinish, p.finishMs);
    }
  }
  return {
    scheduler: name,
    tasks: tasks.length,
    placed,
    rounds: latencies.length,
    latencyMs: summarize(latencies),
    inputBytes,
    movedBytes: inRackBytes + crossRackBytes,
    inRackBytes,
    crossRackBytes,
    waitMs: summarize(waits),
    makespanMs: placed === 0 ? 0 : lastFinish - tasks[0]!.submitMs,
    placements,
  };
}
