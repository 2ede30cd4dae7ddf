/**
 * A job's progress on stderr. On a terminal: one line redrawn in place
 * (only once the job has run for a second, so short runs stay clean), and
 * erased at the end. Elsewhere, only when asked for (`--progress`): plain
 * lines, one per whole percent of the phase under way at most and no more
 * than one a second, so a log of any job stays short. Figures never go
 * back: a task run again after a failure does not move the line backwards.
 * @module
 */
import { formatProgress, wholePercent, type JobPhase, type JobSnapshot } from './wordcount/progress-line.js';

/** How a {@link ProgressBar} draws. */
export interface ProgressBarOptions {
  /** Plain lines when the stream is not a terminal (`--progress`); default false: nothing. */
  readonly lines?: boolean;
  /** On a terminal, draw nothing before this many ms (default 1000). */
  readonly delayMs?: number;
  /** Plain lines at most this often, in ms, but for a new phase and the end (default 1000). */
  readonly intervalMs?: number;
  /** The clock, in ms (tests set it). */
  readonly now?: () => number;
}

const RANK: Record<JobPhase, number> = { load: 0, map: 1, reduce: 2, done: 3 };
// Loading is shown in steps of this many percent in plain lines: the job's phases get the whole percents.
const LOAD_STEP = 10;

/** Draws job progress on a stream; see the module comment. */
export class ProgressBar {
  readonly #stream: NodeJS.WriteStream;
  readonly #mode: 'tty' | 'lines' | 'off';
  readonly #delayMs: number;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #started: number;
  #shown: JobSnapshot | undefined;
  #lastKey = '';
  #lastAt = -Infinity;
  #drawn = false;
  #text = '';

  /** A bar on `stream` (see {@link ProgressBarOptions}). */
  constructor(stream: NodeJS.WriteStream, options: ProgressBarOptions = {}) {
    this.#stream = stream;
    this.#mode = stream.isTTY ? 'tty' : options.lines === true ? 'lines' : 'off';
    this.#delayMs = options.delayMs ?? 1000;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#now = options.now ?? Date.now;
    this.#started = this.#now();
  }

  /** Shows `s`, or what was shown when `s` is behind it. */
  update(s: JobSnapshot): void {
    if (this.#mode === 'off') return;
    const shown = this.#ahead(s);
    this.#shown = shown;
    const now = this.#now();
    if (this.#mode === 'tty') {
      if (now - this.#started < this.#delayMs) return;
      // One column short of the width, so the cursor never wraps to a new line (0: a terminal that does not say).
      const width = Math.max(20, (this.#stream.columns || 80) - 1);
      const text = formatProgress(shown).slice(0, width);
      if (this.#drawn && text === this.#text) return;
      // \r back to the line's start, \x1b[K erases what a longer line left.
      this.#stream.write(`\r${text}\x1b[K`);
      this.#text = text;
      this.#drawn = true;
      return;
    }
    const key = lineKey(shown);
    if (key === this.#lastKey) return;
    const newPhase = !this.#lastKey.startsWith(`${shown.phase}:`);
    if (!newPhase && now - this.#lastAt < this.#intervalMs) return;
    this.#stream.write(`${formatProgress(shown)}\n`);
    this.#lastKey = key;
    this.#lastAt = now;
  }

  /** The job ended: plain lines end with `map 100% reduce 100%` (once); a terminal's line is erased. */
  finish(): void {
    if (this.#mode === 'lines' && this.#lastKey !== 'reduce:100')
      this.update({ phase: 'done', bytesDone: 0, bytesTotal: 0, map: 1, reduce: 1 });
    this.clear();
  }

  /** Erases the terminal's line, if it was drawn (plain lines stay). */
  clear(): void {
    if (this.#drawn) this.#stream.write('\r\x1b[K');
    this.#drawn = false;
  }

  // `s` with no figure behind the one shown before.
  #ahead(s: JobSnapshot): JobSnapshot {
    const old = this.#shown;
    if (old === undefined) return s;
    const later = RANK[s.phase] >= RANK[old.phase] ? s : old;
    const bytesDone = later.phase === old.phase ? Math.max(later.bytesDone, old.bytesDone) : later.bytesDone;
    return { ...later, bytesDone, map: Math.max(s.map, old.map), reduce: Math.max(s.reduce, old.reduce) };
  }
}

// What a plain line stands for: a new line only when this changes.
function lineKey(s: JobSnapshot): string {
  switch (s.phase) {
    case 'load': {
      const share = s.bytesTotal === undefined || s.bytesTotal === 0 ? 0 : s.bytesDone / s.bytesTotal;
      return `load:${Math.floor(wholePercent(share) / LOAD_STEP)}`;
    }
    case 'map':
      return `map:${wholePercent(s.map)}`;
    case 'reduce':
      return `reduce:${wholePercent(s.reduce)}`;
    case 'done':
      return 'done:';
  }
}
