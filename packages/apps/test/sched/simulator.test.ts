import { GreedyScheduler, RandomScheduler, type Assignment, type ClusterScheduler } from '@dios/kernel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clusterOf,
  generateJobMix,
  PLAIN_RUN_TIME_MODEL,
  SCHEDULERS,
  simulate,
  type SimTask,
  type Workload,
} from '../../src/sched/index.js';
import { checkInvariants } from './sim-check.js';

const BASELINES = Object.entries(SCHEDULERS);

describe('simulate', () => {
  const w = generateJobMix({ machines: 20, tasks: 300, racks: 4, seed: 7 });

  it.each(BASELINES)('%s: every task placed once, slots never exceeded, finish = start + run', (name, make) => {
    const r = simulate(name, () => make(3), w);
    expect(r.placed).toBe(300);
    expect(r.tasks).toBe(300);
    checkInvariants(w, r);
    expect(r.makespanMs).toBe(Math.max(...r.placements.map((p) => p!.finishMs)) - w.tasks[0]!.submitMs);
    expect(r.waitMs.max).toBe(Math.max(...r.placements.map((p) => p!.startMs - w.tasks[p!.task]!.submitMs)));
  });

  it.each(BASELINES)('%s: with no interference and free transfers a task runs exactly its duration', (name, make) => {
    for (const roundMs of [0, 50]) {
      const r = simulate(name, () => make(1), w, { roundMs, model: PLAIN_RUN_TIME_MODEL });
      expect(r.placed).toBe(300);
      checkInvariants(w, r, (i) => w.tasks[i]!.durationMs);
      // Event-driven rounds run at event times only; timed ones on multiples of roundMs.
      if (roundMs > 0) for (const p of r.placements) expect(p!.startMs % roundMs).toBe(0);
    }
  });

  it('repeats exactly under a seed, and a different seed gives a different job mix', () => {
    const again = generateJobMix({ machines: 20, tasks: 300, racks: 4, seed: 7 });
    expect(again).toEqual(w);
    expect(generateJobMix({ machines: 20, tasks: 300, racks: 4, seed: 8 })).not.toEqual(w);
    const a = simulate('random', () => new RandomScheduler(5), w);
    const b = simulate('random', () => new RandomScheduler(5), again);
    expect(b.placements).toEqual(a.placements);
    expect({ ...b, latencyMs: 0 }).toEqual({ ...a, latencyMs: 0 });
  });

  it('greedy moves less data than random on a skewed job mix, and the rack split adds up', () => {
    const g = simulate('greedy', () => new GreedyScheduler(), w);
    const r = simulate('random', () => new RandomScheduler(1), w);
    expect(g.movedBytes).toBeLessThan(r.movedBytes);
    expect(g.inRackBytes).toBeGreaterThan(0);
    expect(g.inputBytes).toBe(w.tasks.reduce((s, t) => s + t.totalBytes, 0));
  });

  it('a task no machine can take is left unplaced and the simulation ends', () => {
    const lonely: Workload = {
      machines: clusterOf(2, 0),
      tasks: [{ id: 'a', job: 'j', submitMs: 5, durationMs: 10, inputBytes: {}, totalBytes: 0, taskClass: 'cpu' }],
    };
    for (const roundMs of [0, 10]) {
      const r = simulate('greedy', () => new GreedyScheduler(), lonely, { roundMs });
      expect([r.placed, r.makespanMs, r.placements[0]]).toEqual([0, 0, undefined]);
    }
  });

  it('memory tasks sharing a machine slow each other; transfers add time at the rack and network rates', () => {
    const task = (id: string, submitMs: number): SimTask => ({
      id,
      job: 'j',
      submitMs,
      durationMs: 1000,
      inputBytes: { m1: 500 },
      totalBytes: 1500,
      taskClass: 'memory',
    });
    const two: Workload = { machines: clusterOf(2, 4, 1), tasks: [task('a', 0), task('b', 0)] };
    const model = {
      penalty: { ...PLAIN_RUN_TIME_MODEL.penalty, memory: { cpu: 0, memory: 0.5, unknown: 0 } },
      networkBytesPerMs: 1,
      rackBytesPerMs: 10,
    };
    const r = simulate('greedy', () => new GreedyScheduler(), two, { model, roundMs: 0 });
    // Both go to m1 (it holds their input): the second starts next to the first, slowed by half; m0 held none of it.
    expect(r.placements.map((p) => [p!.machine, p!.runMs])).toEqual([
      ['m1', 1000 + 1000 / 1],
      ['m1', 1500 + 1000 / 1],
    ]);
  });

  it('a scheduler that breaks its contract is EIO naming it', () => {
    const tiny: Workload = {
      machines: clusterOf(1, 1),
      tasks: ['a', 'b'].map((id) => ({
        id,
        job: 'j',
        submitMs: 0,
        durationMs: 1,
        inputBytes: {},
        totalBytes: 0,
        taskClass: 'cpu' as const,
      })),
    };
    const liar =
      (out: Assignment[]): (() => ClusterScheduler) =>
      () => {
        const g = new GreedyScheduler();
        return Object.assign(Object.create(g) as ClusterScheduler, {
          addMachine: (m: Parameters<ClusterScheduler['addMachine']>[0]) => g.addMachine(m),
          submit: (t: Parameters<ClusterScheduler['submit']>[0]) => g.submit(t),
          finished: () => {},
          schedule: () => out,
        });
      };
    expect(() =>
      simulate(
        'liar',
        liar([
          { task: 'a', machine: 'm0' },
          { task: 'b', machine: 'm0' },
        ]),
        tiny,
      ),
    ).toThrow(/EIO.*simulate\(liar\).*no free slot/);
    expect(() => simulate('liar', liar([{ task: 'a', machine: 'm9' }]), tiny)).toThrow(/m9, which is no machine/);
    expect(() => simulate('liar', liar([{ task: 'zz', machine: 'm0' }]), tiny)).toThrow(/zz, which was not waiting/);
  });

  it('refuses tasks out of order and a negative round (EINVAL)', () => {
    const t = (id: string, submitMs: number): SimTask => ({
      id,
      job: 'j',
      submitMs,
      durationMs: 1,
      inputBytes: {},
      totalBytes: 0,
      taskClass: 'cpu',
    });
    const make = () => new GreedyScheduler();
    expect(() => simulate('g', make, { machines: clusterOf(1, 1), tasks: [t('a', 5), t('b', 1)] })).toThrow(
      /EINVAL.*tasks\[1\]\.submitMs/,
    );
    expect(() => simulate('g', make, { machines: clusterOf(1, 1), tasks: [] }, { roundMs: -1 })).toThrow(/roundMs/);
  });
});

describe('simulate: property', () => {
  const taskArb = fc.record({
    submitMs: fc.integer({ min: 0, max: 500 }),
    durationMs: fc.integer({ min: 0, max: 300 }),
    holders: fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
    bytes: fc.integer({ min: 0, max: 1000 }),
    extra: fc.integer({ min: 0, max: 1000 }),
    taskClass: fc.constantFrom('cpu' as const, 'memory' as const, 'unknown' as const),
    job: fc.integer({ min: 0, max: 3 }),
  });

  it('on small random workloads every baseline keeps the invariants and places every task', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 3 }),
        fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
        fc.array(taskArb, { maxLength: 40 }),
        fc.constantFrom(0, 1, 25, 100),
        fc.boolean(),
        (machines, slots, racks, raw, roundMs, plain) => {
          const tasks: SimTask[] = raw
            .map((t, i) => {
              const inputBytes = Object.fromEntries(
                t.holders.filter((h) => h < machines).map((h) => [`m${h}`, t.bytes]),
              );
              const held = Object.keys(inputBytes).length > 0 ? t.bytes : 0;
              return {
                id: `t${i}`,
                job: `j${t.job}`,
                submitMs: t.submitMs,
                durationMs: t.durationMs,
                inputBytes,
                totalBytes: held + t.extra,
                taskClass: t.taskClass,
              };
            })
            .sort((a, b) => a.submitMs - b.submitMs);
          const w: Workload = { machines: clusterOf(machines, slots, racks), tasks };
          for (const [name, make] of BASELINES) {
            const options = { roundMs, ...(plain && { model: PLAIN_RUN_TIME_MODEL }) };
            const r = simulate(name, () => make(9), w, options);
            expect(r.placed).toBe(tasks.length);
            checkInvariants(w, r, plain ? (i) => tasks[i]!.durationMs : undefined);
            expect(simulate(name, () => make(9), w, options).placements).toEqual(r.placements);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
