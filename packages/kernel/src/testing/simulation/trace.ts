/**
 * A run's trace as text: one line per event, with its step, virtual time,
 * node and outcome, so a failing schedule reads like a log.
 * @module
 */
import type { TraceEntry } from './sim-event.js';

/** The trace as lines (the last `last` entries when given). */
export function formatTrace(trace: readonly TraceEntry[], last?: number): string {
  const shown = last === undefined ? trace : trace.slice(-last);
  const lines = shown.map((e) => {
    const at = `${e.at.toFixed(3)} ms`.padStart(12);
    const node = (e.node ?? '-').padEnd(4);
    const outcome = e.outcome === undefined ? '' : ` -> ${e.outcome}`;
    return `#${String(e.step).padEnd(6)}${at}  ${node} ${e.kind.padEnd(7)} ${e.what}${outcome}`;
  });
  if (shown.length < trace.length) lines.unshift(`(${trace.length - shown.length} earlier events not shown)`);
  return lines.join('\n');
}
