import { describe, expect, it } from 'vitest';
import { generateJobMix } from '../../src/sched/index.js';

describe('generateJobMix', () => {
  it('makes the tasks asked for, in order of arrival, each block on distinct replicas, bytes consistent', () => {
    const w = generateJobMix({ machines: 10, tasks: 500, racks: 2, slots: 4, seed: 3 });
    expect(w.machines.map((m) => [m.id, m.slots, m.rack])).toEqual(
      Array.from({ length: 10 }, (_, i) => [`m${i}`, 4, i < 5 ? 'r0' : 'r1']),
    );
    expect(w.tasks).toHaveLength(500);
    expect(new Set(w.tasks.map((t) => t.id)).size).toBe(500);
    for (let i = 1; i < w.tasks.length; i++)
      expect(w.tasks[i]!.submitMs).toBeGreaterThanOrEqual(w.tasks[i - 1]!.submitMs);
    for (const t of w.tasks) {
      expect(t.blocks!.length).toBeGreaterThanOrEqual(1);
      expect(t.totalBytes).toBe(t.blocks!.reduce((s, b) => s + b.bytes, 0));
      for (const b of t.blocks!) expect(new Set(b.replicas).size).toBe(3);
      const held = Object.values(t.inputBytes).reduce((s, b) => s + b, 0);
      expect(held).toBe(3 * t.totalBytes);
    }
  });

  it('a task reads one block unless maxBlocks says more', () => {
    const one = generateJobMix({ machines: 10, tasks: 100, seed: 2 });
    expect(one.tasks.every((t) => t.blocks!.length === 1)).toBe(true);
    const many = generateJobMix({ machines: 10, tasks: 100, seed: 2, maxBlocks: 3 });
    expect(Math.max(...many.tasks.map((t) => t.blocks!.length))).toBe(3);
  });

  it('skew puts much of the data on a few machines; skew 0 spreads it', () => {
    const topShare = (skew: number) => {
      const w = generateJobMix({ machines: 50, tasks: 2000, seed: 1, skew });
      const per = new Map<string, number>();
      let all = 0;
      for (const t of w.tasks)
        for (const [m, b] of Object.entries(t.inputBytes)) {
          per.set(m, (per.get(m) ?? 0) + b);
          all += b;
        }
      const sorted = [...per.values()].sort((a, b) => b - a);
      return sorted.slice(0, 5).reduce((s, b) => s + b, 0) / all;
    };
    expect(topShare(1.2)).toBeGreaterThan(0.3);
    expect(topShare(0)).toBeLessThan(0.2);
  });

  it('one machine: blocks have one replica; bad options are EINVAL naming them', () => {
    const w = generateJobMix({ machines: 1, tasks: 5 });
    for (const t of w.tasks) for (const b of t.blocks!) expect(b.replicas).toEqual(['m0']);
    expect(() => generateJobMix({ machines: 0, tasks: 1 })).toThrow(/jobMix\(machines\)/);
    expect(() => generateJobMix({ machines: 2, tasks: 1.5 })).toThrow(/jobMix\(tasks\)/);
    expect(() => generateJobMix({ machines: 2, tasks: 1, skew: -1 })).toThrow(/jobMix\(skew\)/);
    expect(generateJobMix({ machines: 2, tasks: 0 }).tasks).toEqual([]);
  });
});
