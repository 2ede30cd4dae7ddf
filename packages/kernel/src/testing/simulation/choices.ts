/**
 * Where a simulation's decisions come from. Every decision (how long a
 * message or a call takes, which of two simultaneous events goes first) is
 * one number drawn here, so a run is a function of its choices: the same
 * seed, or the same list, replays it exactly, and a shorter list of smaller
 * numbers is a simpler run (what shrinking aims at).
 * @module
 */

/** A source of decisions. */
export interface ChoiceSource {
  /** The next decision: an integer in [0, bound) (0 when bound is 1 or less). */
  next(bound: number): number;
  /** Every value drawn so far, before reduction by the bound: a replay list ({@link listedChoices}) of this run. */
  readonly drawn: readonly number[];
}

const MAX_CHOICE = 0xffff;

/**
 * Decisions from a seeded generator (SplitMix32): one seed, one run. Not
 * cryptographic; it only has to spread and to repeat.
 */
export function seededChoices(seed: number): ChoiceSource {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seededChoices: seed must be a safe integer, got ${seed}`);
  let state = seed >>> 0;
  const drawn: number[] = [];
  return {
    drawn,
    next(bound) {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      const value = (z ^ (z >>> 16)) & MAX_CHOICE;
      drawn.push(value);
      return bound <= 1 ? 0 : value % bound;
    },
  };
}

/**
 * Decisions from a list, then zeros once it runs out (zero is the plain
 * choice: the shortest delay, the earliest event). What fast-check
 * generates and shrinks, and how a recorded run ({@link ChoiceSource.drawn}) is replayed.
 */
export function listedChoices(values: readonly number[]): ChoiceSource {
  const drawn: number[] = [];
  let i = 0;
  return {
    drawn,
    next(bound) {
      const raw = i < values.length ? values[i]! : 0;
      i++;
      const value = Number.isSafeInteger(raw) && raw >= 0 ? raw : 0;
      drawn.push(value);
      return bound <= 1 ? 0 : value % bound;
    },
  };
}
