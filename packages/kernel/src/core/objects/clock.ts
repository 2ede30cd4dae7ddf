/**
 * Time as the kernel sees it: what select's timeouts wait on and what the
 * provenance log stamps. A host passes its own clock (the deterministic
 * simulation of `@dios/kernel/testing` passes a virtual one, so timeouts
 * fire when its scheduler says, not when the wall clock does).
 * @module
 */

/** A source of the current time and of one-shot timers. */
export interface Clock {
  /** Milliseconds since the Unix epoch (a virtual clock may start anywhere). */
  now(): number;
  /** Calls `fire` once, `ms` milliseconds from now; returns a function that cancels the timer. */
  setTimer(ms: number, fire: () => void): () => void;
}

/** The wall clock, with the runtime's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fire) {
    const timer = setTimeout(fire, ms);
    return () => clearTimeout(timer);
  },
};
