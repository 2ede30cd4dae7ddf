/**
 * Deterministic simulation: kernels whose task interleavings, timers,
 * select timeouts, store commits and message delivery are decided by a
 * seeded scheduler in virtual time, with faults on demand.
 * @module
 */
export { simulate, type SimulationOptions, type SimulationOutcome, type SimulationResult } from './simulate.js';
export { SimCluster, type BootKernel, type SimClusterOptions } from './sim-cluster.js';
export { describeFault, type Fault } from './faults.js';
export { formatTrace } from './trace.js';
export type { SimEvent, SimEventKind, TraceEntry } from './sim-event.js';
export { listedChoices, seededChoices, type ChoiceSource } from './choices.js';
export { SimScheduler, type DelayRange } from './scheduler.js';
export { SimNetwork, type SimNetworkOptions } from './sim-network.js';
export { SimStore } from './sim-store.js';
export { GatedCalls } from './gated-calls.js';
export { SIMULATION_EPOCH, simulatedClock } from './sim-clock.js';
export { scheduleArb, faultsArb, nodeLossArb, type FaultKind, type FaultsArbOptions } from './schedule-arbitraries.js';
export {
  checkSimulations,
  SimulationFailure,
  type CheckSimulationsOptions,
  type SimulationsReport,
} from './check-simulations.js';
