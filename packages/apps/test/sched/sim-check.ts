/**
 * The invariants every simulation must keep, checked on its placements:
 * shared by the simulator's example and property tests.
 */
import { expect } from 'vitest';
import type { SimulationResult, Workload } from '../../src/sched/index.js';

/** Checks `r` against `w`: each task placed at most once, after it arrived, slots never exceeded, finish = start + run. */
export function checkInvariants(w: Workload, r: SimulationResult, runMsOf?: (task: number) => number): void {
  const slots = new Map(w.machines.map((m) => [m.id, m.slots]));
  const events: [string, number, number][] = [];
  let placed = 0;
  r.placements.forEach((p, i) => {
    if (p === undefined) return;
    placed++;
    expect(p.task).toBe(i);
    expect(slots.has(p.machine)).toBe(true);
    expect(p.startMs).toBeGreaterThanOrEqual(w.tasks[i]!.submitMs);
    expect(p.finishMs).toBe(p.startMs + p.runMs);
    if (runMsOf !== undefined) expect(p.runMs).toBe(runMsOf(i));
    const t = w.tasks[i]!;
    expect(p.movedBytes).toBe(t.totalBytes - (t.inputBytes[p.machine] ?? 0));
    events.push([p.machine, p.startMs, 1], [p.machine, p.finishMs, -1]);
  });
  expect(r.placed).toBe(placed);
  expect(r.movedBytes).toBe(r.placements.reduce((s, p) => s + (p?.movedBytes ?? 0), 0));
  expect(r.inRackBytes + r.crossRackBytes).toBe(r.movedBytes);
  // At equal times a finish frees its slot before a start takes one (the simulator frees before each round).
  events.sort((a, b) => a[1] - b[1] || a[2] - b[2]);
  const busy = new Map<string, number>();
  for (const [m, , d] of events) {
    const n = (busy.get(m) ?? 0) + d;
    busy.set(m, n);
    expect(n).toBeLessThanOrEqual(slots.get(m)!);
  }
}
