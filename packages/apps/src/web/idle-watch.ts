/**
 * The idle timeout of a connection task waiting for the next request,
 * without a timer per request. Between requests the task simply blocks in
 * begin_read on its connection; this watch, one timer per connection that
 * wakes at most every {@link STOP_CHECK_MS}, deletes the task's reference
 * to the connection when the idle deadline passes or the server stops
 * (the control stream is ready), which ends the waiting read with EBADF
 * and closes the connection, as an idle timeout or a stop did before. A
 * request costs the watch two field stores instead of a select with a
 * timeout (a call, a timer set and cleared).
 * @module
 */
import type { SystemCalls } from '@dios/kernel';
import { deleteQuietly } from '@dios/libd';

/** Longest a waiting connection task goes without looking whether the server stops (ms). */
export const STOP_CHECK_MS = 1000;

/** Why a watch closed its connection. */
export type WatchOutcome = 'timeout' | 'stop';

/** See the module comment. */
export class IdleWatch {
  readonly #sys: SystemCalls;
  readonly #conn: number;
  readonly #control: number | undefined;
  #deadline = 0;
  #waiting = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #fired: WatchOutcome | undefined;

  /** A watch over connection `conn` of task `sys`; `control` is the server's control stream, if any. */
  constructor(sys: SystemCalls, conn: number, control: number | undefined) {
    this.#sys = sys;
    this.#conn = conn;
    this.#control = control;
  }

  /** Whether (and why) the watch closed the connection. */
  get fired(): WatchOutcome | undefined {
    return this.#fired;
  }

  /** The task waits for the client until `deadline` (ms since the epoch). */
  start(deadline: number): void {
    this.#deadline = deadline;
    this.#waiting = true;
    // A timer still pending from an earlier wait comes first (deadlines only move later) and looks again then.
    if (this.#timer === undefined) this.#schedule(Date.now());
  }

  /** The wait is over (data came, or the read failed). */
  done(): void {
    this.#waiting = false;
  }

  /** The connection task ends: no timer is left behind. */
  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#waiting = false;
  }

  #schedule(now: number): void {
    this.#timer = setTimeout(() => this.#check(), Math.max(0, Math.min(this.#deadline - now, STOP_CHECK_MS)));
  }

  #check(): void {
    this.#timer = undefined;
    if (!this.#waiting) return;
    const now = Date.now();
    const stop = this.#control !== undefined && this.#sys.ref(this.#control).ioReady;
    if (!stop && now < this.#deadline) {
      this.#schedule(now);
      return;
    }
    this.#fired = stop ? 'stop' : 'timeout';
    this.#waiting = false;
    // The read waiting on the connection then fails with EBADF, and the task closes.
    void deleteQuietly(this.#sys, this.#conn);
  }
}
