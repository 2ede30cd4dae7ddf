/**
 * libd's programs and processes: main functions made into kernel programs,
 * exit and atexit, the environment, spawning and waiting for tasks, and a
 * container's stop notice.
 * @module
 */
export { defineProgram } from './program.js';
export type { ProgramContext, ProgramMain } from './program.js';
export { exit } from './exit.js';
export { atexit } from './atexit.js';
export type { ExitHandler } from './atexit.js';
export { getenv } from './env.js';
export { spawn } from './spawn.js';
export type { SpawnBinary, SpawnOptions } from './spawn.js';
export { wait, waitAny } from './wait.js';
export { sleep } from './sleep.js';
export { stopNotice, waitForStop } from './stop-notice.js';
export type { WaitOptions, WaitResult } from './wait.js';
export { installProgram, writeBinary } from './binary.js';
