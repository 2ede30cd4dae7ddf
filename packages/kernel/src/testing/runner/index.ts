/**
 * The runner: holds a kernel to the reference model step by step, with the
 * invariant checks after each step.
 * @module
 */
export { checkKernelAgainstModel } from './check-kernel.js';
export type { CheckKernelOptions } from './check-kernel.js';
export { callSequenceArb, modelCommandArbs, systemCallCommands } from './commands.js';
export type { ModelCommand } from './command-support.js';
export { checkRightsBounds, compare, compareObserved } from './compare.js';
export { describeValue, expectSame, ModelMismatchError, sameData } from './mismatch.js';
export { observeKernel } from './observe-kernel.js';
export type { ObservedObject, ObservedRef, ObservedState, ObservedTask, ObservedView } from './observed-state.js';
export { CALL_TIMEOUT_MS, perform } from './perform.js';
export { IDLE_PROGRAM, MODEL_BUFFER_SIZE, MODEL_KERNEL_ID, setupScenario } from './setup.js';
export type { ModelRunOptions } from './setup.js';
export { ModelStatistics } from './statistics.js';
export type { SystemUnderTest } from './system-under-test.js';
