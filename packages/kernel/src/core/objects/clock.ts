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
  /**
   * Calls `fire` once, `ms` milliseconds from now; returns a function that
   * cancels the timer. A `background` timer (the kernel's own upkeep, such
   * as the name directory's catching up) does not keep the host process
   * alive on its own, where the runtime can tell.
   */
  setTimer(ms: number, fire: () => void, background?: boolean): () => void;
}

/** The wall clock, with the runtime's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fire, background = false) {
    const timer = setTimeout(fire, ms);
    // Node's timers can be unreferenced; other runtimes' cannot, and keep their process up as any timer does.
    if (background) (timer as { unref?: () => void }).unref?.();
    return () => clearTimeout(timer);
  },
};
