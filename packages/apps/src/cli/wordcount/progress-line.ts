/**
 * The words of a job's progress, as one line: the phase, its bytes done of
 * its bytes in all in human units, and the map and reduce percentages the
 * way Hadoop shows them (`map 45% reduce 0%`).
 * @module
 */

/** Where a WordCount run is: loading its inputs, in the map phase, in the reduce phase, or finished. */
export type JobPhase = 'load' | 'map' | 'reduce' | 'done';

/** A job's progress at one moment. */
export interface JobSnapshot {
  /** The phase under way. */
  readonly phase: JobPhase;
  /** Bytes the phase has processed (load: read from the host; map: input read; reduce: map output read). */
  readonly bytesDone: number;
  /** Bytes the phase processes in all; undefined while unknown (standard input still arriving). */
  readonly bytesTotal: number | undefined;
  /** Share of the map phase done, 0 to 1. */
  readonly map: number;
  /** Share of the reduce phase done, 0 to 1. */
  readonly reduce: number;
}

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/** `bytes` in binary units: `512 B`, `1.5 KiB`, `45.3 MiB`, `200 MiB` (one decimal below 100). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.max(0, Math.floor(bytes))} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // Rounded down, like the percentages: a figure never claims more than was done.
  const shown = value < 100 ? Math.floor(value * 10) / 10 : Math.floor(value);
  return `${value < 100 ? shown.toFixed(1) : String(shown)} ${UNITS[unit]}`;
}

/** A share (0 to 1) as whole percent, rounded down and kept in [0, 100]: 100 only when all is done. */
export function wholePercent(share: number): number {
  if (!Number.isFinite(share)) return 0;
  return Math.min(100, Math.max(0, Math.floor(share * 100 + 1e-9)));
}

/** `map 45% reduce 0%`, Hadoop's words for a job's progress. */
function phasePercents(s: JobSnapshot): string {
  return `map ${wholePercent(s.map)}% reduce ${wholePercent(s.reduce)}%`;
}

/**
 * The whole line: `map 45% reduce 0% (map: 90.0 MiB of 200 MiB)`; the bytes part left out once done, and when
 * nothing is known of them (`(reduce)`: a cluster's reduces, whose figures are on other kernels).
 */
export function formatProgress(s: JobSnapshot): string {
  if (s.phase === 'done') return phasePercents(s);
  if (s.bytesTotal === undefined && s.bytesDone === 0) return `${phasePercents(s)} (${s.phase})`;
  const total = s.bytesTotal === undefined ? '' : ` of ${formatBytes(s.bytesTotal)}`;
  return `${phasePercents(s)} (${s.phase}: ${formatBytes(s.bytesDone)}${total})`;
}
