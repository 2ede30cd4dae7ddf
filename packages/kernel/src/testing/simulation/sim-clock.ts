/**
 * A node's clock in a simulation: virtual time, whose timers are events of
 * the scheduler (so a select's timeout fires when the run gets there, in
 * order with everything else, and never on a lost node).
 * @module
 */
import type { Clock } from '../../core/objects/clock.js';
import type { SimScheduler } from './scheduler.js';

/** Wall-clock time a simulation's virtual time 0 stands for (2026-01-01T00:00:00Z): provenance records stay plausible. */
export const SIMULATION_EPOCH = Date.UTC(2026, 0, 1);

/** The clock of node `node`, over `scheduler`'s virtual time. */
export function simulatedClock(scheduler: SimScheduler, node: string): Clock {
  return {
    now: () => SIMULATION_EPOCH + scheduler.now,
    setTimer(ms, fire) {
      const event = scheduler.at(ms, node, 'timer', `timer ${ms} ms`, fire);
      return () => {
        event.cancelled = true;
      };
    },
  };
}
