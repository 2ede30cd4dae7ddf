/**
 * The comparison `dios sched simulate` prints: one row per scheduler on the
 * same workload, with data moved and makespan also as ratios against the
 * first scheduler (flow, when it is run), and the same figures as JSON.
 * @module
 */
import type { SimulationResult } from './simulator.js';

/** A result without its per-task placements: what the JSON output holds. */
export type ResultFigures = Omit<SimulationResult, 'placements'>;

/** The figures of every result, ratios against the first: `moved` and `makespan` as this ÷ first. */
export interface Comparison {
  /** The scheduler the ratios are against. */
  readonly baseline: string;
  /** Each result's figures and its ratios. */
  readonly results: readonly (ResultFigures & { readonly ratios: { moved: number; makespan: number } })[];
}

const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? 1 : Infinity) : a / b);

/** Compares `results` (at least one) against the first. */
export function compare(results: readonly SimulationResult[]): Comparison {
  const first = results[0]!;
  return {
    baseline: first.scheduler,
    results: results.map(({ placements: _, ...r }) => ({
      ...r,
      ratios: { moved: ratio(r.movedBytes, first.movedBytes), makespan: ratio(r.makespanMs, first.makespanMs) },
    })),
  };
}

const GiB = 2 ** 30;
const gib = (bytes: number) => (bytes / GiB).toFixed(1);
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(3));
const times = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}x` : '-');

/** The comparison as a table, one row per scheduler; `racks`: show the in-rack/cross-rack split. */
export function formatTable(c: Comparison, racks: boolean): string {
  const head = [
    'scheduler',
    'placed',
    'latency ms p50/p99/total',
    racks ? 'moved GiB (in-rack/cross)' : 'moved GiB',
    `moved vs ${c.baseline}`,
    'wait ms p50/mean/max',
    'makespan s',
    `makespan vs ${c.baseline}`,
  ];
  const rows = c.results.map((r) => [
    r.scheduler,
    `${r.placed}/${r.tasks}`,
    `${ms(r.latencyMs.median)}/${ms(r.latencyMs.p99)}/${ms(r.latencyMs.total)}`,
    racks ? `${gib(r.movedBytes)} (${gib(r.inRackBytes)}/${gib(r.crossRackBytes)})` : gib(r.movedBytes),
    times(r.ratios.moved),
    `${ms(r.waitMs.median)}/${ms(r.waitMs.mean)}/${ms(r.waitMs.max)}`,
    (r.makespanMs / 1000).toFixed(2),
    times(r.ratios.makespan),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}
