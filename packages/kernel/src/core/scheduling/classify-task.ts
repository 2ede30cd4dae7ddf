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
 * pooled worker thread on a 2-core machine under load, Node 20, ranges over
 * three runs (packages/apps/test/sched/workload-classes.test.ts checks the
 * classes):
 *
 * | task                 | cpuMs       | wallMs     | read+written B | B/ms          |
 * |----------------------|-------------|------------|----------------|---------------|
 * | matmul n=128         | 5.9-8.1     | 11-24      |        393,216 | 48,400-67,100 |
 * | matmul n=256         | 35.9-44.1   | 61-123     |      1,572,864 | 35,600-43,800 |
 * | matmul n=256, cold   | 158-166     | 968-1495   |      1,572,864 | 9,460         |
 * | matmul n=512         | 378-387     | 992-1200   |      6,291,456 | 16,300-16,700 |
 * | Pi 10^6 terms        | 2.8-7.4     | 9-16       |              8 | (unknown)-1.1 |
 * | Pi 3·10^7 terms      | 34.8-51.2   | 41-165     |              8 | 0.16-0.23     |
 * | Pi 10^8 terms        | 112-126     | 116-255    |              8 | 0.06-0.07     |
 *
 * ("cold": the first task of a new thread, whose CPU time includes loading
 * the module, about 130 ms.) {@link MEMORY_BYTES_PER_MS} = 1024 lies 16x
 * below the lowest warm matmul figure, 9x below a cold one, and ~950x above
 * the highest Pi figure. Matmul's figure falls as 1/n (24n² bytes over n³
 * work, and more cache misses per step as n grows): by extrapolation it
 * reaches the threshold somewhere past n = 4000, where a naive
 * multiplication would count as CPU-bound though it is the most
 * memory-bound then. This figure sees bytes through the kernel, not cache
 * misses.
 *
 * The heap peak is the worker thread's whole V8 heap: 9-15 MB for either
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

/** Heap a worker thread holds before its task does anything (measured 9-15 MB, see above), with room to spare. */
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
