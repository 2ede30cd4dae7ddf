/**
 * Property-testing under simulation: many runs, each with a schedule and a
 * fault list fast-check generates; the first failing run is shrunk to a
 * minimal schedule and fault list, replayed once more, and reported as a
 * readable trace.
 * @module
 */
import fc from 'fast-check';
import type { Fault } from './faults.js';
import { describeFault } from './faults.js';
import { scheduleArb } from './schedule-arbitraries.js';
import { simulate, type SimulationOptions, type SimulationResult } from './simulate.js';
import { formatTrace } from './trace.js';

/** What {@link checkSimulations} runs. */
export interface CheckSimulationsOptions<T> extends Omit<SimulationOptions<T>, 'seed' | 'choices' | 'faults'> {
  /** How many runs (default 100). */
  readonly runs?: number;
  /** fast-check's seed: the same seed draws the same runs. */
  readonly seed?: number;
  /** Fault lists to draw from (default: no faults). */
  readonly faults?: fc.Arbitrary<readonly Fault[]>;
  /** Longest random prefix of a schedule (default 5000 decisions; zeros after it). */
  readonly maxChoices?: number;
  /** After fast-check's shrinking, at most this many more runs try to set each remaining decision to zero (default 300). */
  readonly polishRuns?: number;
  /** Trace lines the failure message shows, the last ones (default 80). */
  readonly traceLines?: number;
}

/** What passed: how many runs, and the seed that draws them again. */
export interface SimulationsReport {
  /** Runs made. */
  readonly runs: number;
  /** fast-check's seed of this check. */
  readonly seed: number;
  /** Events fired over all runs. */
  readonly steps: number;
}

/** A failing run, shrunk: its result (trace and all) and how to replay it. */
export class SimulationFailure<T = unknown> extends Error {
  /** The shrunk run, replayed. */
  readonly result: SimulationResult<T>;
  /** fast-check's seed of the check that found it. */
  readonly seed: number;
  /** How many shrinks fast-check made. */
  readonly shrinks: number;

  /** Made by {@link checkSimulations}. */
  constructor(result: SimulationResult<T>, seed: number, shrinks: number, traceLines: number) {
    const why =
      result.outcome === 'failed'
        ? result.error instanceof Error
          ? result.error.message
          : String(result.error)
        : `the run ended ${result.outcome}`;
    const faults =
      result.faults.length === 0 ? 'none' : result.faults.map((f) => `${describeFault(f)} at ${f.at} ms`).join('; ');
    super(
      [
        `A simulated run failed after ${shrinks} shrinks (seed ${seed}): ${why}`,
        `faults: ${faults}`,
        `schedule: ${result.choices.filter((c) => c !== 0).length} of ${result.choices.length} decisions differ from the plain one (0: shortest delay, first come first served); replay with simulate({ ...options, choices: failure.result.choices, faults: failure.result.faults })`,
        `trace (${result.steps} events, ${result.timeMs.toFixed(3)} virtual ms):`,
        formatTrace(result.trace, traceLines),
      ].join('\n'),
    );
    this.name = 'SimulationFailure';
    this.result = result;
    this.seed = seed;
    this.shrinks = shrinks;
  }
}

/**
 * Runs `options.run` under `runs` random schedules (and fault lists); every
 * run must end `ok`. Throws {@link SimulationFailure} with the shrunk run's
 * trace otherwise.
 */
export async function checkSimulations<T>(options: CheckSimulationsOptions<T>): Promise<SimulationsReport> {
  const {
    runs = 100,
    faults = fc.constant([]),
    maxChoices = 5000,
    polishRuns = 300,
    traceLines = 80,
    seed,
    ...simulation
  } = options;
  let steps = 0;
  const property = fc.asyncProperty(scheduleArb(maxChoices), faults, async (choices, faultList) => {
    const result = await simulate({ ...simulation, choices, faults: faultList });
    steps += result.steps;
    return result.outcome === 'ok';
  });
  const details = await fc.check(property, { numRuns: runs, ...(seed === undefined ? {} : { seed }) });
  if (details.failed && details.counterexample !== null) {
    const [choices, faultList] = details.counterexample;
    const simplest = await zeroDecisions(simulation, choices, faultList, polishRuns);
    const replay = await simulate({ ...simulation, choices: simplest, faults: faultList });
    throw new SimulationFailure(replay, details.seed, details.numShrinks, traceLines);
  }
  if (details.failed)
    throw new Error(`checkSimulations: fast-check failed without a counterexample: ${String(details.errorInstance)}`);
  return { runs: details.numRuns, seed: details.seed, steps };
}

/**
 * Sets each decision of a failing schedule to zero (the plain choice), the
 * latest first, keeping every change after which the run still fails:
 * what is left are the decisions the failure needs.
 */
async function zeroDecisions<T>(
  simulation: Omit<SimulationOptions<T>, 'seed' | 'choices' | 'faults'>,
  choices: readonly number[],
  faults: readonly Fault[],
  budget: number,
): Promise<number[]> {
  const current = [...choices];
  while (current.length > 0 && current.at(-1) === 0) current.pop();
  for (let i = current.length - 1; i >= 0 && budget > 0; i--) {
    if (current[i] === 0) continue;
    const saved = current[i]!;
    current[i] = 0;
    budget--;
    const result = await simulate({ ...simulation, choices: current, faults });
    if (result.outcome === 'ok') current[i] = saved;
  }
  while (current.length > 0 && current.at(-1) === 0) current.pop();
  return current;
}
