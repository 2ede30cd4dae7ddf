/**
 * A WordCount job's progress in bytes, from the kernel's monitoring: the
 * kernel counts every byte a task reads (at end_read, so a byte counts once
 * the task is done with it), whether the task runs on the kernel's thread
 * or in a worker thread, whose calls the kernel makes for it. A map task
 * reads its input a range at a time, so its count moves while it runs; a
 * reduce task reads one map output at a time. The master's count of
 * finished tasks completes the picture: a phase is at 100% only once its
 * last task has finished, and on a cluster, where the tasks run on other
 * kernels and this one sees none of their figures, the count is all there is.
 * @module
 */
import { monitorTasks, type KernelState, type TaskReport } from '@dios/kernel';
import { PROGRAM_IDS } from '../../mapreduce/programs.js';
import { planSplits } from '../../mapreduce/splits.js';
import type { JobSnapshot } from './progress-line.js';

// Short of the finished task count, a phase shows at most this share: the byte counts include a little
// read-ahead past each range (for a word cut at its end), so they reach the total a moment early.
const UNFINISHED = 0.99;

/** Follows one job's map and reduce tasks on `kernel`; see the module comment. */
export class JobWatch {
  readonly #kernel: KernelState;
  readonly #maps: number;
  readonly #reduces: number;
  readonly #inputBytes: number;
  // Each map's share of the input, which bounds what its count may add.
  readonly #pieceBytes: number[];
  // Per task index, the most any attempt has read; per map, what its successful attempt wrote.
  readonly #mapRead: number[];
  readonly #mapWritten: (number | undefined)[];
  readonly #reduceRead: number[];

  /** The job with `maps` and `reduces` tasks over inputs of `inputSizes` bytes, run from `kernel`. */
  constructor(kernel: KernelState, inputSizes: readonly number[], maps: number, reduces: number) {
    this.#kernel = kernel;
    this.#maps = maps;
    this.#reduces = reduces;
    this.#inputBytes = inputSizes.reduce((a, b) => a + b, 0);
    this.#pieceBytes = planSplits(inputSizes, maps).map((pieces) => pieces.reduce((n, p) => n + p.end - p.start, 0));
    this.#mapRead = new Array<number>(maps).fill(0);
    this.#mapWritten = new Array<number | undefined>(maps).fill(undefined);
    this.#reduceRead = new Array<number>(reduces).fill(0);
  }

  /** The progress now, given the master's count of finished tasks (maps finish before any reduce starts). */
  snapshot(tasksDone: number): JobSnapshot {
    for (const t of monitorTasks(this.#kernel)) this.#take(t);
    const mapsDone = Math.min(this.#maps, Math.max(0, tasksDone));
    const reducesDone = Math.min(this.#reduces, Math.max(0, tasksDone - this.#maps));
    const mapTasks = mapsDone / this.#maps;
    const mapBytes = Math.max(
      this.#mapRead.reduce((n, b, m) => n + Math.min(b, this.#pieceBytes[m]!), 0),
      // Without figures (a cluster), the finished maps' equal shares.
      Math.floor(mapTasks * this.#inputBytes),
    );
    const map =
      mapsDone === this.#maps ? 1 : Math.min(UNFINISHED, Math.max(mapTasks, share(mapBytes, this.#inputBytes)));
    if (mapsDone < this.#maps)
      return { phase: 'map', bytesDone: mapBytes, bytesTotal: this.#inputBytes, map, reduce: 0 };
    // What the reduces read in all, once every map's successful attempt has been seen.
    const written = this.#mapWritten.includes(undefined)
      ? undefined
      : this.#mapWritten.reduce<number>((n, w) => n + (w ?? 0), 0);
    const reduceBytes = this.#reduceRead.reduce((n, b) => n + b, 0);
    const reduceTasks = reducesDone / this.#reduces;
    const reduce =
      reducesDone === this.#reduces
        ? 1
        : Math.min(UNFINISHED, Math.max(reduceTasks, written === undefined ? 0 : share(reduceBytes, written)));
    return {
      phase: 'reduce',
      bytesDone: written === undefined ? reduceBytes : Math.min(reduceBytes, written),
      bytesTotal: written,
      map,
      reduce,
    };
  }

  // Records what task `t` has done, if it is one of the job's map or reduce tasks.
  #take(t: TaskReport): void {
    const [program, , , index] = t.argv;
    const i = Number(index);
    if (!Number.isSafeInteger(i) || i < 0) return;
    if (program === PROGRAM_IDS.map && i < this.#maps) {
      this.#mapRead[i] = Math.max(this.#mapRead[i]!, t.stats.bytesRead);
      // What the reduces will read: the output of the attempt that succeeded.
      if (t.state === 'exited' && t.exitStatus === 0) this.#mapWritten[i] = t.stats.bytesWritten;
    } else if (program === PROGRAM_IDS.reduce && i < this.#reduces) {
      this.#reduceRead[i] = Math.max(this.#reduceRead[i]!, t.stats.bytesRead);
    }
  }
}

function share(done: number, total: number): number {
  return total <= 0 ? 0 : done / total;
}
