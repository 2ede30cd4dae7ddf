/**
 * classifyTask: bytes moved per millisecond against a calibrated threshold
 * (the calibration on the real matmul and Pi programs is in
 * packages/apps/test/sched/workload-classes.test.ts).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  classifyTask,
  HEAP_BASELINE_BYTES,
  MEMORY_BYTES_PER_MS,
  MIN_CLASSIFY_MS,
  taskIntensity,
} from '../../src/core/scheduling/classify-task.js';
import { TASK_CLASSES } from '../../src/core/scheduling/task-class.js';
import { isDiosError } from '../../src/core/abi/errors.js';
import { TaskStats, type TaskStatsSnapshot } from '../../src/core/objects/task-stats.js';

/** A frozen snapshot of a new task's stats with `figures` laid over it. */
function statsOf(figures: Partial<TaskStatsSnapshot>): TaskStatsSnapshot {
  return Object.freeze({ ...new TaskStats().snapshot(), ...figures });
}

function einval(f: () => unknown, argument: string): void {
  try {
    f();
  } catch (e) {
    expect(isDiosError(e, 'EINVAL')).toBe(true);
    expect((e as { argument?: string }).argument).toBe(argument);
    return;
  }
  expect.fail(`expected EINVAL naming ${argument}`);
}

describe('classifyTask', () => {
  it('the measured figures of the two workloads give their classes', () => {
    // Runs measured in worker threads (the table in classify-task.ts): [cpuMs, wallMs, heap, read, written, class].
    const MiB = 1_048_576;
    const runs: [number, number, number, number, number, string][] = [
      [36.1, 88.2, 10_181_200, MiB, MiB / 2, 'memory'], // matmul n=256 on a warm thread
      [166.2, 1494.6, 11_201_144, MiB, MiB / 2, 'memory'], // matmul n=256, first task of a new thread
      [377.7, 1199.9, 10_103_784, 4 * MiB, 2 * MiB, 'memory'], // matmul n=512
      [37.5, 57.1, 14_916_192, 0, 8, 'cpu'], // Pi, 3·10^7 terms
      [122.3, 250.9, 14_963_360, 0, 8, 'cpu'], // Pi, 10^8 terms
      [2.8, 8.9, 14_824_416, 0, 8, 'unknown'], // Pi, 10^6 terms: too short to tell
    ];
    for (const [cpuMs, wallMs, memoryBytes, bytesRead, bytesWritten, cls] of runs)
      expect(classifyTask(statsOf({ cpuMs, wallMs, memoryBytes, bytesRead, bytesWritten }))).toBe(cls);
  });

  it('the threshold: exactly MEMORY_BYTES_PER_MS is memory, a byte less is cpu', () => {
    expect(classifyTask(statsOf({ cpuMs: 10, bytesRead: 10 * MEMORY_BYTES_PER_MS }))).toBe('memory');
    expect(classifyTask(statsOf({ cpuMs: 10, bytesRead: 10 * MEMORY_BYTES_PER_MS - 1 }))).toBe('cpu');
    expect(
      classifyTask(statsOf({ cpuMs: 10, bytesRead: 4 * MEMORY_BYTES_PER_MS, bytesWritten: 6 * MEMORY_BYTES_PER_MS })),
    ).toBe('memory');
  });

  it('too little time to tell is unknown, however many bytes', () => {
    expect(classifyTask(statsOf({ cpuMs: MIN_CLASSIFY_MS - 0.01, bytesRead: 1e9 }))).toBe('unknown');
    expect(classifyTask(statsOf({ cpuMs: 0, bytesRead: 0 }))).toBe('unknown');
    expect(taskIntensity(statsOf({ cpuMs: 0 }))).toBeUndefined();
    expect(classifyTask(statsOf({ cpuMs: MIN_CLASSIFY_MS, bytesRead: 0 }))).toBe('cpu');
  });

  it('CPU time is the divisor when known; wall time only without it', () => {
    // Wall time long (waiting), CPU short: the CPU time decides.
    expect(taskIntensity(statsOf({ cpuMs: 10, wallMs: 1000, bytesRead: 5000 }))).toBe(500);
    // An in-thread task: no CPU figure, so wall time.
    expect(taskIntensity(statsOf({ cpuMs: undefined, wallMs: 20, bytesRead: 5000 }))).toBe(250);
    expect(classifyTask(statsOf({ cpuMs: undefined, wallMs: 2, bytesRead: 5000 }))).toBe('unknown');
  });

  it('only heap above the thread baseline counts as bytes moved', () => {
    expect(taskIntensity(statsOf({ cpuMs: 100, memoryBytes: HEAP_BASELINE_BYTES }))).toBe(0);
    expect(taskIntensity(statsOf({ cpuMs: 100, memoryBytes: HEAP_BASELINE_BYTES + 1_000_000 }))).toBe(10_000);
    expect(classifyTask(statsOf({ cpuMs: 100, memoryBytes: HEAP_BASELINE_BYTES + 1_000_000 }))).toBe('memory');
  });

  it('bad figures are EINVAL naming the field', () => {
    einval(() => classifyTask(null as never), 'stats');
    einval(() => classifyTask(statsOf({ cpuMs: NaN })), 'stats.cpuMs');
    einval(() => classifyTask(statsOf({ cpuMs: -1 })), 'stats.cpuMs');
    einval(() => classifyTask(statsOf({ cpuMs: undefined, wallMs: Infinity })), 'stats.wallMs');
    einval(() => classifyTask(statsOf({ cpuMs: 10, bytesRead: -5 })), 'stats.bytesRead');
    einval(() => classifyTask(statsOf({ cpuMs: 10, bytesWritten: '7' as never })), 'stats.bytesWritten');
    einval(() => classifyTask(statsOf({ cpuMs: 10, memoryBytes: NaN })), 'stats.memoryBytes');
  });

  const figures = fc.record({
    cpuMs: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: undefined }),
    wallMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
    memoryBytes: fc.option(fc.double({ min: 0, max: 1e10, noNaN: true }), { nil: undefined }),
    bytesRead: fc.nat(),
    bytesWritten: fc.nat(),
  });
  const rank = (c: string) => TASK_CLASSES.indexOf(c as never);

  it('property: monotone in bytes moved: more bytes in the same time never goes from memory to cpu', () => {
    fc.assert(
      fc.property(figures, fc.nat(), (f, more) => {
        const before = classifyTask(statsOf(f));
        const after = classifyTask(statsOf({ ...f, bytesRead: f.bytesRead + more }));
        expect(after === 'unknown').toBe(before === 'unknown'); // the time alone says whether it can tell
        if (before === 'memory') expect(after).toBe('memory');
        expect(rank(after)).toBeGreaterThanOrEqual(rank(before));
      }),
    );
  });

  it('property: the class is a function of the intensity alone, with one threshold', () => {
    fc.assert(
      fc.property(figures, figures, (f, g) => {
        const a = taskIntensity(statsOf(f));
        const b = taskIntensity(statsOf(g));
        if (a === undefined || b === undefined) return;
        if (a <= b && classifyTask(statsOf(f)) === 'memory') expect(classifyTask(statsOf(g))).toBe('memory');
      }),
    );
  });
});
