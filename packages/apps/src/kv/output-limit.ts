/**
 * Redis' client-output-buffer-limit for one client: its unsent replies may
 * not pass the hard limit at all, nor stay above the soft limit for longer
 * than the soft time. "Unsent" means built but not yet taken by the kernel
 * (the server hands a slow client its replies in pieces, so the kernel holds
 * at most one piece of them).
 * @module
 */
import { MAX_BUFFER_BYTES, type OutputBufferLimit } from './core/limits.js';

/** A client's backlog as the limit sees it. */
export interface Backlog {
  /** Reply bytes not yet handed to the kernel. */
  pending: number;
  /** Since when (ms since the epoch) `pending` has been above the soft limit; 0 while it is not. */
  softSince: number;
}

/** Applies one {@link OutputBufferLimit} to clients' backlogs. */
export class OutputLimiter {
  /** Most reply bytes one client may have unsent (the hard limit, or the largest buffer when there is none). */
  readonly hard: number;
  readonly #soft: number;
  readonly #softMs: number;

  /** A limiter for `limit`. */
  constructor(limit: OutputBufferLimit) {
    this.hard = limit.hard > 0 ? Math.min(limit.hard, MAX_BUFFER_BYTES) : MAX_BUFFER_BYTES;
    this.#soft = limit.soft;
    this.#softMs = limit.softSeconds * 1000;
  }

  /** Records that `client` has `pending` bytes unsent at time `now`. */
  note(client: Backlog, pending: number, now: number): void {
    client.pending = pending;
    if (this.#soft === 0 || pending <= this.#soft) client.softSince = 0;
    else if (client.softSince === 0) client.softSince = now;
  }

  /** When `client` will have been over the soft limit for too long (ms since the epoch), or Infinity. */
  deadline(client: Backlog): number {
    return client.softSince === 0 ? Infinity : client.softSince + this.#softMs;
  }

  /** Whether `client` has been over the soft limit for the soft time at `now`. */
  overdue(client: Backlog, now: number): boolean {
    return now >= this.deadline(client);
  }
}
