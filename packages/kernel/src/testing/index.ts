/**
 * `@dios/kernel/testing`: property-test DIOS programs and kernels. It holds
 * the reference model of the eleven system calls, fast-check arbitraries
 * for their arguments and for call sequences, a runner that holds any
 * kernel to the model step by step, and a deterministic simulation (a
 * seeded scheduler deciding task interleavings, timers and message
 * delivery, with faults on demand) whose failing runs replay from their
 * seed and shrink to a short trace. It also exports the kernel's tuning
 * constants that tests check against. The arbitraries need `fast-check`
 * (an optional peer dependency) installed beside this package.
 *
 * @example
 * ```ts
 * import { REMOTE_CHUNK_BYTES } from '@dios/kernel/testing';
 * const big = new Uint8Array(2 * REMOTE_CHUNK_BYTES + 1); // travels as three chunks
 * ```
 * @module @dios/kernel/testing
 */
export * from './internals.js';
export * from './model/index.js';
export * from './arbitraries/index.js';
export * from './runner/index.js';
export * from './simulation/index.js';
