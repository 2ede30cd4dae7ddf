/**
 * FlowScheduler: examples (locality, racks, interference, waiting, mustPlace),
 * bookkeeping invariants and optimality on random small clusters (fast-check):
 * each round's placements cost, by the cost model recomputed here (data moved
 * on the cheapest arc to the machine, interference on the machine's entry
 * arcs, the unscheduled cost with its wait), no more than the best of every
 * assignment a brute force enumerates; a long-lived scheduler and fresh ones
 * agree on every round's cost; bad options and specs are refused with the
 * state unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_COST_MODEL,
  FlowScheduler,
  PENALTY,
  type Assignment,
  type FlowCostModel,
  type MachineSpec,
  type PendingTask,
} from '@dios/kernel';
import { expectErrno } from '../helpers.js';

type Class = 'cpu' | 'memory' | 'unknown';
const CLASSES: Class[] = ['cpu', 'memory', 'unknown'];
const RUNS = Math.max(20, Math.round(Number(process.env.DIOS_PROPERTY_RUNS ?? 1000) / 5));
const UNIT = DEFAULT_COST_MODEL.bytesPerUnit;

const machine = (id: string, slots: number, extra: Partial<MachineSpec> = {}): MachineSpec => ({ id, slots, ...extra });
const task = (id: string, extra: Partial<PendingTask> = {}): PendingTask => ({
  id,
  job: 'j',
  inputBytes: {},
  submittedAt: 0,
  ...extra,
});
const placedOn = (out: Assignment[]) => Object.fromEntries(out.map((a) => [a.task, a.machine]));

/** What the test tracks of a machine: its spec and the classes now on it (residents and placed tasks). */
interface MState {
  spec: MachineSpec;
  classes: Record<Class, number>;
}

/** The cost model recomputed, as docs/scheduling.md describes it (Quincy data costs, CoCo entry costs). */
class Model {
  constructor(readonly m: FlowCostModel = DEFAULT_COST_MODEL) {}
  units(bytes: number): number {
    return Math.ceil(bytes / this.m.bytesPerUnit);
  }
  total(t: PendingTask): number {
    return t.totalBytes ?? Object.values(t.inputBytes).reduce((a, b) => a + b, 0);
  }
  unscheduled(t: PendingTask, now: number): number {
    const waited = Math.max(0, now - t.submittedAt);
    return this.units(this.total(t)) + this.m.unscheduledCost + Math.floor((waited * this.m.waitCostPerSecond) / 1000);
  }
  /** The cheapest data cost of running `t` on `target`, over the arcs Quincy's network gives it. */
  data(t: PendingTask, target: string, machines: Map<string, MState>): number {
    const total = this.total(t);
    const racks = [...machines.values()].some((m) => m.spec.rack !== undefined);
    const inRack = (b: number) => this.units(Math.floor((b * this.m.inRackPercent) / 100));
    const held = Object.entries(t.inputBytes)
      .filter(([id, b]) => machines.has(id) && b > 0)
      .sort((a, b) => b[1] - a[1]);
    const rackOf = (id: string) => machines.get(id)!.spec.rack;
    const rackBytes = new Map<string, number>();
    if (racks)
      for (const [id, b] of held) {
        const r = rackOf(id)!;
        if (r === undefined) continue;
        rackBytes.set(r, Math.min(total, (rackBytes.get(r) ?? 0) + b));
      }
    let best = this.units(total);
    for (const [id, b] of held.slice(0, this.m.preferredMachines)) {
      if (id !== target) continue;
      const r = rackOf(id);
      const local = (r !== undefined ? rackBytes.get(r) : undefined) ?? b;
      best = Math.min(best, this.units(total - local) + (racks ? inRack(local - b) : 0));
    }
    const top = [...rackBytes].sort((a, b) => b[1] - a[1]).slice(0, this.m.preferredRacks);
    for (const [r, b] of top) if (rackOf(target) === r) best = Math.min(best, this.units(total - b) + inRack(b));
    return best;
  }
  first(c: Class, on: Record<Class, number>): number {
    let p = 0;
    for (const k of CLASSES) p += Math.max(0, on[k]) * PENALTY[c][k];
    return p * this.m.interferenceCost;
  }
  /** A round's cost: each task placed or not (undefined), given the machines before the round. */
  round(
    tasks: PendingTask[],
    where: (string | undefined)[],
    machines: Map<string, MState>,
    now: number,
    mustPlace: boolean,
  ): number | undefined {
    let cost = 0;
    const per = new Map<string, Record<Class, number>>();
    tasks.forEach((t, i) => {
      const m = where[i];
      if (m === undefined) cost += this.unscheduled(t, now);
      else {
        cost += this.data(t, m, machines);
        const k = per.get(m) ?? { cpu: 0, memory: 0, unknown: 0 };
        k[t.taskClass ?? 'unknown']++;
        per.set(m, k);
      }
    });
    for (const [id, k] of per) {
      const ms = machines.get(id)!;
      const used = CLASSES.reduce((a, c) => a + ms.classes[c], 0);
      const free = Math.max(0, ms.spec.slots - used);
      const n = CLASSES.reduce((a, c) => a + k[c], 0);
      if (n > free) {
        if (!mustPlace) return undefined;
        cost += (n - free) * this.m.overcommitCost;
      }
      for (const c of CLASSES) {
        if (k[c] === 0) continue;
        const first = this.first(c, ms.classes);
        cost += first + (k[c] - 1) * (first + PENALTY[c][c] * this.m.interferenceCost);
      }
    }
    return cost;
  }
  /** The least round cost over every assignment (brute force). */
  best(tasks: PendingTask[], machines: Map<string, MState>, now: number, mustPlace: boolean): number {
    const ids = [...machines.keys()];
    const options: (string | undefined)[] = mustPlace ? ids : [undefined, ...ids];
    let best = Infinity;
    const where: (string | undefined)[] = [];
    const go = (i: number) => {
      if (i === tasks.length) {
        const c = this.round(tasks, where, machines, now, mustPlace);
        if (c !== undefined) best = Math.min(best, c);
        return;
      }
      for (const o of options) {
        where[i] = o;
        go(i + 1);
      }
    };
    go(0);
    return best;
  }
}

describe('FlowScheduler: examples', () => {
  it('places a task on the machine holding its data when it has a free slot; else waits or goes elsewhere', () => {
    const s = new FlowScheduler();
    for (const id of ['a', 'b', 'c']) s.addMachine(machine(id, 1));
    s.submit(task('t1', { inputBytes: { b: 10 * UNIT } }));
    expect(s.schedule(0)).toEqual([{ task: 't1', machine: 'b' }]);
    s.submit(task('t2', { inputBytes: { b: 10 * UNIT } }));
    // b is full: running elsewhere (10 units moved) beats waiting (2^24).
    const [a] = s.schedule(0);
    expect(a!.machine).not.toBe('b');
    s.finished('t1');
    s.submit(task('t3', { inputBytes: { b: UNIT } }));
    expect(s.schedule(0)).toEqual([{ task: 't3', machine: 'b' }]);
    expect(s.runningTasks).toBe(2);
    expect(s.waitingTasks).toBe(0);
  });

  it('with racks, a task whose machine is full goes to a machine of its rack', () => {
    const s = new FlowScheduler();
    s.addMachine(machine('a1', 1, { rack: 'A' }));
    s.addMachine(machine('a2', 1, { rack: 'A' }));
    s.addMachine(machine('b1', 1, { rack: 'B' }));
    s.addMachine(machine('b2', 1, { rack: 'B' }));
    s.submit(task('hold', { inputBytes: { b1: UNIT } }));
    expect(s.schedule(0)).toEqual([{ task: 'hold', machine: 'b1' }]);
    s.submit(task('t', { inputBytes: { b1: 100 * UNIT } }));
    expect(s.schedule(0)).toEqual([{ task: 't', machine: 'b2' }]);
  });

  it('spreads two memory tasks over two empty machines; a cpu and a memory task may share', () => {
    const s = new FlowScheduler();
    s.addMachine(machine('a', 4));
    s.addMachine(machine('b', 4));
    s.submit(task('m1', { taskClass: 'memory' }));
    s.submit(task('m2', { taskClass: 'memory' }));
    const out = placedOn(s.schedule(0));
    expect(new Set(Object.values(out)).size).toBe(2);
    // A memory task already on a: the next memory task goes to b when b has only a cpu task.
    const t = new FlowScheduler();
    t.addMachine(machine('a', 4, { residents: { memory: 1 } }));
    t.addMachine(machine('b', 4, { residents: { cpu: 1 } }));
    t.submit(task('m', { taskClass: 'memory' }));
    expect(t.schedule(0)).toEqual([{ task: 'm', machine: 'b' }]);
    // cpu and memory together on one machine with their data: locality wins over a penalty of 1 point.
    const u = new FlowScheduler();
    u.addMachine(machine('a', 4, { residents: { memory: 1 } }));
    u.addMachine(machine('b', 4));
    u.submit(task('c', { taskClass: 'cpu', inputBytes: { a: 100 * UNIT } }));
    expect(u.schedule(0)).toEqual([{ task: 'c', machine: 'a' }]);
  });

  it('when slots are short, the longest-waiting tasks get them; the others wait', () => {
    const s = new FlowScheduler();
    s.addMachine(machine('a', 2));
    s.submit(task('new1', { submittedAt: 900 }));
    s.submit(task('old', { submittedAt: 0 }));
    s.submit(task('new2', { submittedAt: 950 }));
    s.submit(task('mid', { submittedAt: 500, job: 'k' }));
    const out = placedOn(s.schedule(1000));
    expect(Object.keys(out).sort()).toEqual(['mid', 'old']);
    expect(s.waitingTasks).toBe(2);
    expect(s.runningTasks).toBe(2);
    expect(s.schedule(1000)).toEqual([]);
    s.finished('old');
    expect(s.schedule(2000)).toEqual([{ task: 'new1', machine: 'a' }]);
  });

  it('mustPlace places every task at once, over slots', () => {
    const s = new FlowScheduler({ mustPlace: true });
    s.addMachine(machine('a', 1));
    s.addMachine(machine('b', 0));
    for (let i = 0; i < 3; i++) s.submit(task(`t${i}`));
    expect(s.schedule(0)).toHaveLength(3);
    expect(s.waitingTasks).toBe(0);
    expect(s.runningTasks).toBe(3);
  });

  it('removeMachine returns its running tasks; they no longer count; finished of one is ENOENT', async () => {
    const s = new FlowScheduler();
    s.addMachine(machine('a', 2));
    s.addMachine(machine('b', 2));
    s.submit(task('x', { inputBytes: { a: UNIT } }));
    s.submit(task('y', { inputBytes: { a: UNIT } }));
    s.submit(task('z', { inputBytes: { b: UNIT } }));
    s.schedule(0);
    expect(s.removeMachine('a').sort()).toEqual(['x', 'y']);
    expect(s.runningTasks).toBe(1);
    await expectErrno(() => s.finished('x'), 'ENOENT', 'task');
    s.submit(task('w', { inputBytes: { a: UNIT } }));
    expect(s.schedule(0)).toEqual([{ task: 'w', machine: 'b' }]);
  });
});

describe('FlowScheduler: the network does not grow with rounds', () => {
  it('after many tasks come and go (jobs, classes, mustPlace or not), nodes and arcs are back where they were', () => {
    for (const mustPlace of [false, true]) {
      const s = new FlowScheduler({ mustPlace });
      s.addMachine(machine('a', 2, { rack: 'r' }));
      s.addMachine(machine('b', 1, { rack: 's' }));
      const round = (i: number) => {
        s.submit(task(`t${i}`, { job: `j${i % 3}`, inputBytes: { a: 5 * UNIT, b: i }, taskClass: CLASSES[i % 3] }));
        for (const a of s.schedule(i)) s.finished(a.task);
      };
      for (let i = 0; i < 10; i++) round(i);
      const size = s.networkSize;
      for (let i = 10; i < 500; i++) round(i);
      expect(s.networkSize).toEqual(size);
    }
  });
});

describe('FlowScheduler: errors leave the state unchanged', () => {
  it('EINVAL for unknown or out-of-range options', async () => {
    await expectErrno(() => new FlowScheduler({ bogus: 1 } as never), 'EINVAL', 'options.bogus');
    await expectErrno(() => new FlowScheduler({ bytesPerUnit: 0 }), 'EINVAL', 'options.bytesPerUnit');
    await expectErrno(() => new FlowScheduler({ inRackPercent: 101 }), 'EINVAL', 'options.inRackPercent');
    await expectErrno(() => new FlowScheduler({ interferenceCost: 1.5 }), 'EINVAL', 'options.interferenceCost');
    await expectErrno(() => new FlowScheduler({ preferredMachines: -1 }), 'EINVAL', 'options.preferredMachines');
    await expectErrno(() => new FlowScheduler({ unscheduledCost: NaN }), 'EINVAL', 'options.unscheduledCost');
    await expectErrno(() => new FlowScheduler({ mustPlace: 'yes' } as never), 'EINVAL', 'options.mustPlace');
    await expectErrno(() => new FlowScheduler(null as never), 'EINVAL', 'options');
  });

  it('EINVAL for each bad machine field, EEXIST for a duplicate, ENOENT for an unknown id', async () => {
    const s = new FlowScheduler();
    s.addMachine(machine('a', 1));
    const bad: [unknown, string][] = [
      [null, 'machine'],
      [{ slots: 1 }, 'machine.id'],
      [{ id: '', slots: 1 }, 'machine.id'],
      [{ id: 'b', slots: -1 }, 'machine.slots'],
      [{ id: 'b', slots: 1.5 }, 'machine.slots'],
      [{ id: 'b', slots: 2 ** 21 }, 'machine.slots'],
      [{ id: 'b', slots: 1, rack: '' }, 'machine.rack'],
      [{ id: 'b', slots: 1, rack: 3 }, 'machine.rack'],
      [{ id: 'b', slots: 1, residents: 'x' }, 'machine.residents'],
      [{ id: 'b', slots: 1, residents: { gpu: 1 } }, 'machine.residents.gpu'],
      [{ id: 'b', slots: 1, residents: { cpu: -1 } }, 'machine.residents.cpu'],
    ];
    for (const [spec, arg] of bad) await expectErrno(() => s.addMachine(spec as MachineSpec), 'EINVAL', arg);
    await expectErrno(() => s.addMachine(machine('a', 3)), 'EEXIST', 'machine.id');
    await expectErrno(() => s.removeMachine('nope'), 'ENOENT', 'id');
    // Still one machine of one slot.
    s.submit(task('t1'));
    s.submit(task('t2'));
    expect(s.schedule(0)).toEqual([{ task: 't1', machine: 'a' }]);
    expect(s.waitingTasks).toBe(1);
  });

  it('EINVAL for each bad task field, EEXIST for a held id, ENOENT for finished of an unknown task; bad now', async () => {
    const s = new FlowScheduler();
    s.addMachine(machine('a', 1));
    const bad: [unknown, string][] = [
      [null, 'task'],
      [{ job: 'j', inputBytes: {}, submittedAt: 0 }, 'task.id'],
      [{ id: 'x', job: '', inputBytes: {}, submittedAt: 0 }, 'task.job'],
      [{ id: 'x', job: 'j', inputBytes: {}, submittedAt: Infinity }, 'task.submittedAt'],
      [{ id: 'x', job: 'j', inputBytes: {}, submittedAt: 0, taskClass: 'gpu' }, 'task.taskClass'],
      [{ id: 'x', job: 'j', inputBytes: null, submittedAt: 0 }, 'task.inputBytes'],
      [{ id: 'x', job: 'j', inputBytes: { a: -1 }, submittedAt: 0 }, 'task.inputBytes.a'],
      [{ id: 'x', job: 'j', inputBytes: { a: 0.5 }, submittedAt: 0 }, 'task.inputBytes.a'],
      [{ id: 'x', job: 'j', inputBytes: { a: 10 }, totalBytes: 5, submittedAt: 0 }, 'task.totalBytes'],
    ];
    for (const [spec, arg] of bad) await expectErrno(() => s.submit(spec as PendingTask), 'EINVAL', arg);
    expect(s.waitingTasks).toBe(0);
    s.submit(task('t'));
    await expectErrno(() => s.submit(task('t')), 'EEXIST', 'task.id');
    expect(s.schedule(0)).toEqual([{ task: 't', machine: 'a' }]);
    await expectErrno(() => s.submit(task('t')), 'EEXIST', 'task.id');
    await expectErrno(() => s.finished('ghost'), 'ENOENT', 'task');
    await expectErrno(() => s.schedule(NaN), 'EINVAL', 'now');
    expect(s.runningTasks).toBe(1);
    s.finished('t');
    await expectErrno(() => s.finished('t'), 'ENOENT', 'task');
    expect(s.runningTasks).toBe(0);
  });
});

// Random small clusters and rounds.
// Racks on every machine or on none (a mix: see the it.fails on unracked machines below).
const arbMachines = fc
  .tuple(
    fc.boolean(),
    fc.array(
      fc.record({
        slots: fc.integer({ min: 0, max: 2 }),
        rack: fc.constantFrom('r0', 'r1'),
        residents: fc.record({ cpu: fc.nat(1), memory: fc.nat(1), unknown: fc.nat(1) }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  )
  .map(([racked, ms]) =>
    ms.map((m, i): MachineSpec => ({
      id: `m${i}`,
      slots: m.slots + (m.residents.cpu + m.residents.memory + m.residents.unknown > 1 ? 1 : 0),
      ...(racked ? { rack: m.rack } : {}),
      residents: m.residents,
    })),
  );
const arbTask: fc.Arbitrary<TaskDraw> = fc.record({
  job: fc.constantFrom('j0', 'j1'),
  bytes: fc.dictionary(fc.constantFrom('m0', 'm1', 'm2'), fc.integer({ min: 0, max: 8 * UNIT }), { maxKeys: 3 }),
  extra: fc.integer({ min: 0, max: 4 * UNIT }),
  taskClass: fc.constantFrom<Class>('cpu', 'memory', 'unknown'),
  at: fc.integer({ min: 0, max: 60_000 }),
});
interface TaskDraw {
  job: string;
  bytes: Record<string, number>;
  extra: number;
  taskClass: Class;
  at: number;
}
interface Step {
  submit: TaskDraw[];
  finish: number[];
  now: number;
  /** Machines that come and go before the round: remove the one at this index (mod), or add a new empty one. */
  change?: { remove: number } | { add: MachineSpec };
}
const arbSteps = fc.array(
  fc.record({
    submit: fc.array(arbTask, { maxLength: 3 }),
    finish: fc.array(fc.nat(9), { maxLength: 2 }),
    now: fc.integer({ min: 0, max: 120_000 }),
  }),
  { minLength: 1, maxLength: 4 },
);

/** Runs the steps through one scheduler, checking each round against the brute force and the bookkeeping. */
function runSteps(
  specs: MachineSpec[],
  steps: Step[],
  mustPlace: boolean,
  check: boolean,
  weights: Partial<FlowCostModel> = {},
  fresh = false,
): number[] {
  const m = new Model({ ...DEFAULT_COST_MODEL, ...weights });
  const s = new FlowScheduler({ ...weights, mustPlace });
  const machines = new Map<string, MState>();
  for (const spec of specs) {
    s.addMachine(spec);
    machines.set(spec.id, { spec, classes: { cpu: 0, memory: 0, unknown: 0, ...spec.residents } });
  }
  const waiting = new Map<string, PendingTask>();
  const running = new Map<string, { machine: string; c: Class }>();
  const costs: number[] = [];
  let n = 0;
  let now = 0;
  for (const step of steps) {
    now = Math.max(now, step.now);
    const change = step.change;
    if (change !== undefined && 'remove' in change && machines.size > 1) {
      const id = [...machines.keys()][change.remove % machines.size]!;
      const dropped = s.removeMachine(id).sort();
      const expected = [...running].filter(([, r]) => r.machine === id).map(([t]) => t);
      expect(dropped).toEqual(expected.sort());
      for (const t of expected) running.delete(t);
      machines.delete(id);
    } else if (change !== undefined && 'add' in change && !machines.has(change.add.id)) {
      const { rack, ...unracked } = change.add;
      const add = specs[0]!.rack !== undefined ? { ...unracked, rack } : unracked;
      s.addMachine(add);
      machines.set(add.id, { spec: add, classes: { cpu: 0, memory: 0, unknown: 0 } });
    }
    for (const f of step.finish) {
      const ids = [...running.keys()];
      if (ids.length === 0) break;
      const id = ids[f % ids.length]!;
      s.finished(id);
      const r = running.get(id)!;
      machines.get(r.machine)!.classes[r.c]--;
      running.delete(id);
    }
    for (const t of step.submit) {
      const id = `t${n++}`;
      const total = Object.values(t.bytes).reduce((a, b) => a + b, 0) + t.extra;
      const spec: PendingTask = {
        id,
        job: t.job,
        inputBytes: t.bytes,
        totalBytes: total,
        taskClass: t.taskClass,
        submittedAt: Math.min(t.at, now),
      };
      s.submit(spec);
      waiting.set(id, spec);
    }
    const tasks = [...waiting.values()];
    // A fresh scheduler on the same state: running tasks as residents, the same waiting tasks.
    let freshCost: number | undefined;
    if (fresh) {
      const f = new FlowScheduler({ ...weights, mustPlace });
      for (const [id, ms] of machines) f.addMachine({ ...ms.spec, id, residents: { ...ms.classes } });
      for (const t of tasks) f.submit(t);
      const fp = placedOn(f.schedule(now));
      freshCost = m.round(
        tasks,
        tasks.map((t) => fp[t.id]),
        machines,
        now,
        mustPlace,
      );
    }
    const out = s.schedule(now);
    const placed = placedOn(out);
    if (check) {
      // Each task placed once, only waiting tasks, only known machines.
      expect(out.length).toBe(Object.keys(placed).length);
      for (const a of out) {
        expect(waiting.has(a.task)).toBe(true);
        expect(machines.has(a.machine)).toBe(true);
      }
      if (mustPlace) expect(out.length).toBe(tasks.length);
      // Slots: never more than the machine's slots, counting residents and running tasks (unless mustPlace).
      if (!mustPlace)
        for (const [id, ms] of machines) {
          const before = CLASSES.reduce((a, c) => a + ms.classes[c], 0);
          const added = out.filter((a) => a.machine === id).length;
          if (added > 0) expect(before + added).toBeLessThanOrEqual(ms.spec.slots);
        }
    }
    const cost = m.round(
      tasks,
      tasks.map((t) => placed[t.id]),
      machines,
      now,
      mustPlace,
    )!;
    if (check) {
      expect(cost).toBeDefined();
      if (tasks.length <= 5) expect(cost).toBe(m.best(tasks, machines, now, mustPlace));
    }
    if (fresh) expect(cost).toBe(freshCost);
    costs.push(cost);
    for (const a of out) {
      const t = waiting.get(a.task)!;
      waiting.delete(a.task);
      running.set(a.task, { machine: a.machine, c: t.taskClass ?? 'unknown' });
      machines.get(a.machine)!.classes[t.taskClass ?? 'unknown']++;
    }
    if (check) {
      expect(s.waitingTasks).toBe(waiting.size);
      expect(s.runningTasks).toBe(running.size);
    }
  }
  return costs;
}

describe('FlowScheduler: properties', () => {
  it('each round respects slots, places each task once, counts right, and costs the least a brute force finds', () => {
    fc.assert(
      fc.property(arbMachines, arbSteps, (ms, steps) => {
        runSteps(ms, steps, false, true);
      }),
      { numRuns: RUNS },
    );
  });

  it('with mustPlace every task is placed, at the least cost a brute force finds (overcommit included)', () => {
    fc.assert(
      fc.property(arbMachines, arbSteps, (ms, steps) => {
        runSteps(ms, steps, true, true, { overcommitCost: 64 });
      }),
      { numRuns: RUNS },
    );
  });

  it('interference and locality weigh against each other: still the least cost with cheap data', () => {
    fc.assert(
      fc.property(arbMachines, arbSteps, fc.integer({ min: 1, max: 4 }), (ms, steps, shift) => {
        runSteps(ms, steps, false, true, {
          bytesPerUnit: UNIT >> shift,
          interferenceCost: 256,
          unscheduledCost: 1000,
          waitCostPerSecond: 50,
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('machines that come and go (removed, or new ones that hold no data) keep rounds optimal and counts right', () => {
    const arbChange = fc.option(
      fc.oneof(
        fc.record({ remove: fc.nat(3) }),
        fc.record({
          add: fc.record({
            id: fc.constantFrom('n0', 'n1'),
            slots: fc.integer({ min: 0, max: 2 }),
            rack: fc.constantFrom('r0', 'r1'),
          }),
        }),
      ),
      { nil: undefined },
    );
    const steps = fc.array(
      fc.record({
        submit: fc.array(arbTask, { maxLength: 3 }),
        finish: fc.array(fc.nat(9), { maxLength: 2 }),
        now: fc.integer({ min: 0, max: 120_000 }),
        change: arbChange,
      }),
      { minLength: 1, maxLength: 5 },
    );
    fc.assert(
      fc.property(arbMachines, steps, (ms, st) => {
        runSteps(ms, st, false, true);
      }),
      { numRuns: RUNS },
    );
  });

  it('incremental equals from scratch: each round of a long-lived scheduler costs what a fresh one on that state does', () => {
    fc.assert(
      fc.property(arbMachines, arbSteps, fc.boolean(), (ms, steps, mustPlace) => {
        runSteps(ms, steps, mustPlace, false, mustPlace ? { overcommitCost: 64 } : {}, true);
      }),
      { numRuns: RUNS },
    );
  });
});

// BUG: costs are not kept within MinCostFlow's bound (2^40). Specs every check accepts give arcs that cost more,
// and the solver's EINVAL (naming minCostFlow(cost), not the caller's field) comes out of submit after the task is
// already counted as waiting (it is then never placed), or out of schedule. Fix: saturate costs at the bound (or
// refuse the spec naming its field, before changing anything).
describe('FlowScheduler: costs past the solver bound (bugs)', () => {
  it('a task with 2^41 bytes at one byte per unit is placed like any other', () => {
    const s = new FlowScheduler({ bytesPerUnit: 1 });
    s.addMachine(machine('a', 1));
    s.submit(task('t', { totalBytes: 2 ** 41 }));
    expect(s.schedule(0)).toEqual([{ task: 't', machine: 'a' }]);
  });

  it('a round long after submission (ms since the epoch against 0) still runs: the older task wins', () => {
    const s = new FlowScheduler();
    s.addMachine(machine('a', 1));
    s.submit(task('old', { submittedAt: 0 }));
    s.submit(task('new', { submittedAt: 1.7e12 }));
    expect(s.schedule(1.8e12)).toEqual([{ task: 'old', machine: 'a' }]);
  });

  it('a machine with 2^33 resident memory tasks repels a memory task instead of failing submit', () => {
    const s = new FlowScheduler();
    s.addMachine(machine('a', 1 << 20, { residents: { memory: 2 ** 33 } }));
    s.addMachine(machine('b', 1));
    s.submit(task('m', { taskClass: 'memory' }));
    expect(s.schedule(0)).toEqual([{ task: 'm', machine: 'b' }]);
  });
});

describe('FlowScheduler: preferences', () => {
  // A machine added after a task was submitted, holding its data, becomes one of its preferred machines (while it
  // has fewer than preferredMachines), as it would have been had it been known at submit.
  it('a machine added after a task was submitted, holding its data, gets the task', () => {
    const s = new FlowScheduler();
    s.addMachine(machine('a', 1));
    s.submit(task('t', { inputBytes: { b: 10 * UNIT } }));
    s.addMachine(machine('b', 1));
    expect(s.schedule(0)).toEqual([{ task: 't', machine: 'b' }]);
  });

  // DOUBTFUL (model): once any machine has a rack, machines without one are treated as racks of their aggregation
  // group (64 machines in adding order): bytes on another unracked machine get the in-rack discount, and a rack
  // arc goes to that group. Here t would move 2 units to a (bytes on b counted at half) rather than 10 to x, which
  // holds 2 of its 12 units in a real rack: the discount is for a rack nobody configured.
  it('with racks configured, two machines without a rack are not charged as rack mates', () => {
    const s = new FlowScheduler();
    s.addMachine(machine('b', 0));
    s.addMachine(machine('a', 1));
    s.addMachine(machine('x', 1, { rack: 'R' }));
    s.submit(task('t', { inputBytes: { b: 10 * UNIT, x: 2 * UNIT } }));
    expect(s.schedule(0)).toEqual([{ task: 't', machine: 'x' }]);
  });
});
