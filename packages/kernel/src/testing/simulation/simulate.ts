/**
 * `simulate`: one deterministic run. It boots the nodes, starts the
 * workload, and then, one event at a time, lets everything that can run
 * run (promise callbacks only: the simulation admits no wall-clock time and
 * no I/O), fires the earliest event, and checks the kernels' invariants.
 * The same seed (or the same choice list) and the same faults replay the
 * run exactly, trace and all.
 * @module
 */
import { Kernel } from '../../core/kernel.js';
import { listedChoices, seededChoices, type ChoiceSource } from './choices.js';
import { describeFault, type Fault } from './faults.js';
import { SimScheduler, type DelayRange } from './scheduler.js';
import type { TraceEntry } from './sim-event.js';
import { SimCluster, type BootKernel } from './sim-cluster.js';
import type { SimNetworkOptions } from './sim-network.js';

/** What to simulate. */
export interface SimulationOptions<T> {
  /** Node ids, each a kernel (default one node, `a`). */
  readonly nodes?: readonly string[];
  /** Seed of the run's decisions (default 0); ignored when `choices` is given. */
  readonly seed?: number;
  /** The run's decisions as a list (then zeros): what fast-check shrinks, and how a run is replayed from `SimulationResult.choices`. */
  readonly choices?: readonly number[];
  /** Faults to apply, each at its time. */
  readonly faults?: readonly Fault[];
  /** Boots a kernel from the options the simulation needs (default `Kernel.boot`): plug in your own options or kernel here. */
  readonly boot?: BootKernel;
  /** Runs after each boot of a node (and every restart): register programs, write binaries. */
  readonly prepare?: (kernel: Kernel, node: string) => Promise<void> | void;
  /** The workload: drives the nodes (through `cluster.init(node)`, whose calls are gated) and returns a value to check. */
  readonly run: (cluster: SimCluster) => Promise<T>;
  /** Checks the value and the cluster once `run` has returned; throw to fail the run. */
  readonly check?: (value: T, cluster: SimCluster) => void | Promise<void>;
  /** Whether each node has a durable store (default true). */
  readonly durable?: boolean;
  /** How long each system call waits for its turn (default 0 to 0.2 ms: the order of concurrent calls is the run's choice). */
  readonly callDelay?: DelayRange;
  /** The network's behaviour (message delays, the timeout of lost messages). */
  readonly network?: SimNetworkOptions;
  /** When to run the kernels' invariant checks: after every step (default), only at the end, or never. */
  readonly invariants?: 'step' | 'end' | 'off';
  /** Most events before the run counts as failed (default 1,000,000). */
  readonly maxSteps?: number;
  /** Most virtual milliseconds before the run counts as failed (default 3,600,000: an hour). */
  readonly maxTimeMs?: number;
  /** Most trace lines kept, the latest (default 100,000). */
  readonly traceLimit?: number;
}

/** How a run ended. */
export type SimulationOutcome =
  /** `run` returned and `check` passed. */
  | 'ok'
  /** `run` or `check` threw, or an invariant broke. */
  | 'failed'
  /** Nothing left to happen while `run` still waited: a deadlock, or a wait on something outside the simulation. */
  | 'stuck'
  /** More than `maxSteps` events. */
  | 'step-limit'
  /** Past `maxTimeMs` of virtual time. */
  | 'time-limit';

/** The result of a run. */
export interface SimulationResult<T> {
  /** How it ended. */
  readonly outcome: SimulationOutcome;
  /** What `run` returned (when it did). */
  readonly value: T | undefined;
  /** Why it failed (outcome `failed`). */
  readonly error: unknown;
  /** Events fired. */
  readonly steps: number;
  /** Virtual milliseconds the run took. */
  readonly timeMs: number;
  /** Every decision drawn: `simulate({ ...options, choices })` replays the run. */
  readonly choices: readonly number[];
  /** The faults given. */
  readonly faults: readonly Fault[];
  /** What happened, event by event (the last `traceLimit`). */
  readonly trace: readonly TraceEntry[];
}

// One turn of the host's event loop: by then every promise callback the last event set off has run.
const setImmediateFn = (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate;
const turn: () => Promise<void> =
  setImmediateFn !== undefined
    ? () => new Promise((resolve) => setImmediateFn(resolve))
    : () => new Promise((resolve) => setTimeout(resolve, 0));

/** Runs one simulation to its end. Never throws for a failure of the system under test: see the result's `outcome`. */
export async function simulate<T>(options: SimulationOptions<T>): Promise<SimulationResult<T>> {
  const choices: ChoiceSource =
    options.choices !== undefined ? listedChoices(options.choices) : seededChoices(options.seed ?? 0);
  const scheduler = new SimScheduler(choices, options.traceLimit ?? 100_000);
  const cluster = new SimCluster(scheduler, {
    nodes: options.nodes ?? ['a'],
    // The same in every run (names seeded in the root group derive from it); runs never share a network.
    cluster: 'simulation',
    boot: options.boot ?? ((o) => Kernel.boot(o)),
    prepare: options.prepare,
    durable: options.durable ?? true,
    callDelay: options.callDelay ?? { min: 0, max: 0.2 },
    network: options.network,
  });
  const faults = options.faults ?? [];
  const maxSteps = options.maxSteps ?? 1_000_000;
  const maxTime = options.maxTimeMs ?? 3_600_000;
  const invariants = options.invariants ?? 'step';
  const result = (outcome: SimulationOutcome, value: T | undefined, error: unknown): SimulationResult<T> => ({
    outcome,
    value,
    error,
    steps: scheduler.steps,
    timeMs: scheduler.now,
    choices: [...choices.drawn],
    faults,
    trace: scheduler.trace,
  });

  let done: { value: T } | { error: unknown } | undefined;
  // Booting runs under the scheduler too (preparing a node may take calls to its peers); faults count from its end.
  Promise.resolve()
    .then(() => cluster.start())
    .then(() => {
      for (const fault of faults) {
        scheduler.at(fault.at, undefined, 'fault', describeFault(fault), () => cluster.apply(fault));
      }
      return options.run(cluster);
    })
    .then(
      (value) => (done = { value }),
      (error: unknown) => (done = { error }),
    );
  for (;;) {
    await turn();
    if (scheduler.holding) {
      await scheduler.released();
      continue;
    }
    if (cluster.restartFailure !== undefined) return result('failed', undefined, cluster.restartFailure);
    if (invariants === 'step') {
      try {
        cluster.checkInvariants();
      } catch (error) {
        return result('failed', undefined, error);
      }
    }
    if (done !== undefined) break;
    if (scheduler.steps >= maxSteps) return result('step-limit', undefined, undefined);
    const next = scheduler.peekTime();
    if (next === undefined) return result('stuck', undefined, undefined);
    if (next > maxTime) return result('time-limit', undefined, undefined);
    scheduler.step();
  }
  if ('error' in done) return result('failed', undefined, done.error);
  try {
    if (invariants !== 'off') cluster.checkInvariants();
    await options.check?.(done.value, cluster);
  } catch (error) {
    return result('failed', done.value, error);
  }
  return result('ok', done.value, undefined);
}
