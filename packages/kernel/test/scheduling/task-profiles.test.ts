/** TaskProfiles: a class per program, by majority of its last runs, in bounded memory. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TaskProfiles } from '../../src/core/scheduling/task-profiles.js';
import { isDiosError } from '../../src/core/abi/errors.js';
import { TaskStats, type TaskStatsSnapshot } from '../../src/core/objects/task-stats.js';

/** A frozen snapshot of a new task's stats with `figures` laid over it. */
function statsOf(figures: Partial<TaskStatsSnapshot>): TaskStatsSnapshot {
  return Object.freeze({ ...new TaskStats().snapshot(), ...figures });
}

// One run of each kind, with figures like the real programs' (classify-task.ts).
const MEMORY = statsOf({ cpuMs: 33, bytesRead: 1_048_576, bytesWritten: 524_288 });
const CPU = statsOf({ cpuMs: 112, bytesWritten: 8 });
const BRIEF = statsOf({ cpuMs: 1, bytesRead: 1e6 });
const RUNS = { memory: MEMORY, cpu: CPU, unknown: BRIEF } as const;

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

describe('TaskProfiles', () => {
  it('a program never seen is unknown; one run gives its class', () => {
    const p = new TaskProfiles();
    expect(p.classOf('matmul')).toBe('unknown');
    expect(p.record('matmul', MEMORY)).toBe('memory');
    expect(p.record('pi', CPU)).toBe('cpu');
    expect(p.classOf('matmul')).toBe('memory');
    expect(p.classOf('pi')).toBe('cpu');
    expect(p.classOf('other')).toBe('unknown');
  });

  it('one odd run does not flip a class; a change that lasts does', () => {
    const p = new TaskProfiles({ window: 5 });
    for (let i = 0; i < 5; i++) p.record('m', MEMORY);
    expect(p.record('m', CPU)).toBe('memory');
    expect(p.record('m', CPU)).toBe('memory');
    expect(p.record('m', CPU)).toBe('cpu'); // 3 of the last 5
    // Even a program seen once keeps its class through one odd run (a tie keeps the class).
    const q = new TaskProfiles();
    q.record('x', CPU);
    expect(q.record('x', MEMORY)).toBe('cpu');
    expect(q.record('x', MEMORY)).toBe('memory');
  });

  it('runs too short to tell change nothing and take no room', () => {
    const p = new TaskProfiles();
    expect(p.record('brief', BRIEF)).toBe('unknown');
    expect(p.size).toBe(0);
    p.record('m', MEMORY);
    for (let i = 0; i < 10; i++) expect(p.record('m', BRIEF)).toBe('memory');
    expect(p.record('m', CPU)).toBe('memory'); // the brief runs did not push the memory run out
  });

  it('past capacity the least recently used program is forgotten', () => {
    const p = new TaskProfiles({ capacity: 3 });
    p.record('a', CPU);
    p.record('b', MEMORY);
    p.record('c', CPU);
    expect(p.classOf('a')).toBe('cpu'); // a is now the most recently used: b is the oldest
    p.record('d', MEMORY);
    expect(p.size).toBe(3);
    expect(p.classOf('b')).toBe('unknown');
    expect(p.classOf('a')).toBe('cpu');
    expect(p.classOf('c')).toBe('cpu');
    expect(p.classOf('d')).toBe('memory');
  });

  it('bad arguments are EINVAL naming them', () => {
    einval(() => new TaskProfiles({ capacity: 0 }), 'options.capacity');
    einval(() => new TaskProfiles({ capacity: 1.5 }), 'options.capacity');
    einval(() => new TaskProfiles({ window: -1 }), 'options.window');
    einval(() => new TaskProfiles(null as never), 'options');
    const p = new TaskProfiles();
    einval(() => p.record('', CPU), 'program');
    einval(() => p.record(7 as never, CPU), 'program');
    einval(() => p.record('x'.repeat(1025), CPU), 'program');
    einval(() => p.classOf(undefined as never), 'program');
    einval(() => p.record('m', statsOf({ cpuMs: -3 })), 'stats.cpuMs');
    expect(p.size).toBe(0); // nothing half-recorded
  });

  const kind = fc.constantFrom<keyof typeof RUNS>('memory', 'cpu', 'unknown');

  it('property: never more programs than the capacity, and the latest programs are remembered', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), kind)),
        (capacity, runs) => {
          const p = new TaskProfiles({ capacity });
          for (const [k, c] of runs) {
            const after = p.record(`p${k}`, RUNS[c]);
            expect(p.size).toBeLessThanOrEqual(capacity);
            // A program just recorded with a classified run is remembered with a known class.
            if (c !== 'unknown') expect(p.classOf(`p${k}`)).toBe(after);
            if (c !== 'unknown') expect(after).not.toBe('unknown');
          }
        },
      ),
    );
  });

  it('property: the class is the strict majority of the last `window` classified runs when there is one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.array(kind, { minLength: 1, maxLength: 30 }), (window, runs) => {
        const p = new TaskProfiles({ window });
        for (const c of runs) p.record('prog', RUNS[c]);
        const last = runs.filter((c) => c !== 'unknown').slice(-window);
        const memory = last.filter((c) => c === 'memory').length;
        const cpu = last.length - memory;
        if (last.length === 0) expect(p.classOf('prog')).toBe('unknown');
        else if (memory > cpu) expect(p.classOf('prog')).toBe('memory');
        else if (cpu > memory) expect(p.classOf('prog')).toBe('cpu');
        else expect(p.classOf('prog')).not.toBe('unknown');
      }),
    );
  });
});
