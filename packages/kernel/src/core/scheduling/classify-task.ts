/**
 * A task's class from its monitoring figures. JavaScript has no hardware
 * counters (the seed's slide tells a matrix multiplication from a Pi
 * approximation by a 12.6% cache miss rate); what the kernel does measure
 * per task is the bytes it moved through the kernel (read and written) and,
 * for worker tasks, its CPU time and its thread's peak heap. A task that
 * moves many bytes per CPU millisecond competes for memory bandwidth and
 * caches with its neighbours; one that moves next to none competes for CPU.
 *
 * The figure is {@link taskIntensity}: bytes per millisecond. Calibration on
 * the two real workloads (packages/apps/src/sched/programs), each in a
 * pooled worker thread on a 2-core machine, Node 20:
 *
 * | task                  | cpuMs | wallMs | read+written B | heap peak B | B/ms   |
 * |-----------------------|-------|--------|----------------|-------------|--------|
 * | matmul n=192 (warm)   |  15.5 |   22.0 |        884,736 |  13,893,048 | 57,080 |
 * | matmul n=256 (warm)   |  33.2 |   42.2 |      1,572,864 |  13,959,456 | 47,375 |
 * | matmul n=320 (warm)   |  61.0 |   72.9 |      2,457,600 |  14,023,520 | 40,289 |
 * | matmul n=128 (cold)   | 158.2 |  968.4 |        393,216 |  13,600,624 |  2,486 |
 * | Pi 10^6 terms         |   7.4 |   15.5 |              8 |  15,117,072 |   1.08 |
 * | Pi 10^7 terms         |  12.2 |   14.8 |              8 |  15,164,008 |   0.66 |
 * | Pi 10^8 terms         | 112.5 |  115.6 |              8 |  15,264,168 |   0.07 |
 *
 * ("cold": the first task of a new thread, whose CPU time includes loading
 * the module, about 140 ms.) {@link MEMORY_BYTES_PER_MS} = 1024 lies 40x
 * below warm matmul, 2.4x below the worst cold run, and ~1000x above Pi.
 * Matmul's figure falls as 1/n (24n² bytes over n³ work): by this figure a
 * naive multiplication stops counting as memory-bound near n = 4000.
 *
 * The heap peak is the worker thread's whole V8 heap: 13-15 MB for either
 * program (runtime and modules; typed arrays' contents are outside it), so
 * only heap above {@link HEAP_BASELINE_BYTES} counts as bytes moved.
 * @module
 */
import { errors } from '../abi/errors.js';
import { describe } from '../abi/names.js';
import type { TaskStatsSnapshot } from '../objects/task-stats.js';
import type { TaskClass } from './task-class.js';

/** Bytes per millisecond at or above which a task is `memory`; below, `cpu`. */
export const MEMORY_BYTES_PER_MS = 1024;

/** Fewer milliseconds than this (CPU, or wall time without a CPU figure) tell nothing: `unknown`. */
export const MIN_CLASSIFY_MS = 5;

/** Heap a worker thread holds before its task does anything (measured 13-15 MB, see above), with room to spare. */
export const HEAP_BASELINE_BYTES = 64 * 1024 * 1024;

const CALL = 'classifyTask';

/**
 * Bytes the task moved per millisecond: bytes read and written plus its heap
 * peak above {@link HEAP_BASELINE_BYTES}, over its CPU time (worker tasks) or
 * else its wall time (in-thread tasks share the kernel's thread, so waits
 * count too and the figure reads low). Undefined when the time is under
 * {@link MIN_CLASSIFY_MS}. EINVAL (`stats.<field>`) for a figure that is
 * not a finite non-negative number.
 */
export function taskIntensity(stats: TaskStatsSnapshot): number | undefined {
  if (stats === null || typeof stats !== 'object')
    throw errors.EINVAL(CALL, 'stats', `expected a task stats snapshot, got ${describe(stats)}`);
  const read = figure(stats.bytesRead, 'bytesRead');
  const written = figure(stats.bytesWritten, 'bytesWritten');
  const heap = stats.memoryBytes === undefined ? 0 : figure(stats.memoryBytes, 'memoryBytes');
  const ms = stats.cpuMs === undefined ? figure(stats.wallMs, 'wallMs') : figure(stats.cpuMs, 'cpuMs');
  if (ms < MIN_CLASSIFY_MS) return undefined;
  return (read + written + Math.max(0, heap - HEAP_BASELINE_BYTES)) / ms;
}

/**
 * The class monitoring gives a task: `memory` when it moved at least
 * {@link MEMORY_BYTES_PER_MS} bytes per millisecond ({@link taskIntensity}),
 * `cpu` below, `unknown` when it ran too briefly to tell. Errors as for
 * {@link taskIntensity}.
 */
export function classifyTask(stats: TaskStatsSnapshot): TaskClass {
  const intensity = taskIntensity(stats);
  if (intensity === undefined) return 'unknown';
  return intensity >= MEMORY_BYTES_PER_MS ? 'memory' : 'cpu';
}

function figure(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw errors.EINVAL(CALL, `stats.${field}`, `expected a finite number >= 0, got ${describe(value)}`);
  return value;
}
