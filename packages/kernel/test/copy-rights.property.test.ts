/**
 * Property: delegation never amplifies rights. Random chains of copy calls
 * between 2-4 tasks, with arbitrary requested rights masks (one per call or
 * one per reference, valid or not), interleaved with deletes:
 *
 * - a copy that succeeds gives each new reference exactly the rights asked
 *   for (the source's when none are asked for), and those are a subset of the
 *   source's rights; it records the source as the new reference's parent;
 * - asking for a right the source lacks fails with EPERM (a source without
 *   DELEGATE with EACCES, a malformed mask with EINVAL, private memory to
 *   another task with EPERM) and changes nothing, not even for the other
 *   references of the same call;
 * - following parents from any reference ever made, rights never increase
 *   along the delegation chain, which starts at a reference made by create.
 *
 * Runs: DIOS_PROPERTY_RUNS (default 1000).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiosError, Kernel, ObjectType, Rights, type TaskContext } from '@dios/kernel';
import type { TaskObject } from '../src/core/objects/task.js';

const NUM_RUNS = Number(process.env.DIOS_PROPERTY_RUNS ?? 1000);
const { READ, DELEGATE, ALL } = Rights;

/** One reference ever made, by (task index, handle). */
interface Made {
  task: number;
  handle: number;
  object: string;
  rights: number;
  parent: { task: number; handle: number } | undefined;
}
const id = (task: number, handle: number) => `${task}#${handle}`;

type RightsArg = { k: 'none' } | { k: 'mask'; v: number } | { k: 'each'; vs: number[] } | { k: 'bad'; v: unknown };
type Step =
  | { op: 'copy'; from: number; sources: number[]; to: number; rights: RightsArg }
  | { op: 'delete'; task: number; pick: number };

const rightsArb: fc.Arbitrary<RightsArg> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ k: 'none' as const }) },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('mask' as const), v: fc.integer({ min: 0, max: ALL }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('each' as const),
      vs: fc.array(fc.integer({ min: 0, max: ALL }), { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('bad' as const),
      v: fc.constantFrom<unknown>(64, 0x7f, -1, 1.5, 2 ** 32 + READ, 'r'),
    }),
  },
);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('copy' as const),
      from: fc.nat(9),
      sources: fc.array(fc.nat(99), { minLength: 1, maxLength: 3 }),
      to: fc.nat(9),
      rights: rightsArb,
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), task: fc.nat(9), pick: fc.nat(99) }) },
);

async function errnoOf(p: Promise<unknown>): Promise<{ ok: true; value: unknown } | { ok: false; code: string }> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    if (e instanceof DiosError) return { ok: false, code: e.code };
    throw e;
  }
}

/** The whole of every task's table: handle, object and rights (what a failing copy must leave alone). */
function tables(tasks: TaskObject[]): unknown {
  return tasks.map((t) => ({
    next: t.nextHandle,
    refs: [...t.table.values()].map((r) => [r.id, r.object.name.key, r.rights, r.parent]),
  }));
}

/** Outcomes the runs produced (checked at the end: the property saw successes and every refusal). */
const seen = new Set<string>();

async function run(taskCount: number, steps: Step[]): Promise<void> {
  const kernel = await Kernel.boot();
  const sys: TaskContext[] = [kernel.init];
  // Attached with lookup mask rwxd, so that the tasks can find each other by name and hand each other references.
  for (let i = 1; i < taskCount; i++)
    sys.push(await kernel.attachTask([`t${i}`], [kernel.rootGroup], { lookupRights: ALL }));
  const tasks = sys.map((s) => kernel.tasks.get(s.taskName.key)!);
  const made = new Map<string, Made>();
  const rightsOf = (t: number, h: number) => tasks[t]!.table.get(h)!.rights;

  // Init makes the objects; every reference create returns is a chain root with all rights.
  let privateKey = '';
  for (const type of [
    ObjectType.SHARED_MEMORY_BLOB,
    ObjectType.SHARED_MEMORY_STREAM,
    ObjectType.GROUP,
    ObjectType.PRIVATE_MEMORY_BLOB,
  ]) {
    const { ref, name } = await sys[0]!.create(type);
    expect(rightsOf(0, ref)).toBe(ALL);
    made.set(id(0, ref), { task: 0, handle: ref, object: name.key, rights: ALL, parent: undefined });
    if (type === ObjectType.PRIVATE_MEMORY_BLOB) privateKey = name.key;
  }
  // Each task's handle for each task (its own self reference for itself, a lookup for the others).
  const taskHandle: number[][] = [];
  for (let i = 0; i < taskCount; i++) {
    taskHandle.push([]);
    for (let j = 0; j < taskCount; j++)
      taskHandle[i]![j] = i === j ? sys[i]!.self : (await sys[i]!.lookup(sys[j]!.taskName))[0]!;
  }

  for (const step of steps) {
    if (step.op === 'delete') {
      const t = step.task % taskCount;
      const mine = [...made.values()].filter((m) => m.task === t && tasks[t]!.table.has(m.handle));
      if (mine.length === 0) continue;
      const victim = mine[step.pick % mine.length]!;
      await sys[t]!.delete(victim.handle);
      continue;
    }
    const from = step.from % taskCount;
    const to = step.to % taskCount;
    const held = [...made.values()].filter((m) => m.task === from && tasks[from]!.table.has(m.handle));
    if (held.length === 0) continue;
    const sources = step.sources.map((i) => held[i % held.length]!);
    const r = step.rights;
    const rights =
      r.k === 'none'
        ? undefined
        : r.k === 'mask'
          ? r.v
          : r.k === 'bad'
            ? r.v
            : sources.map((_, i) => r.vs[i % r.vs.length]!);
    const wanted = sources.map(
      (s, i) => (rights === undefined ? s.rights : Array.isArray(rights) ? rights[i] : rights) as number,
    );

    // What the call must do: the first offending source decides the errno.
    let expected: string | undefined;
    // Init was found by name, through its task lookup mask (r--d): nobody else may copy into it (the target is
    // checked before the masks).
    if (to === 0 && from !== 0) expected = 'EACCES';
    else if (r.k === 'bad') expected = 'EINVAL';
    else {
      for (const [i, s] of sources.entries()) {
        if ((s.rights & DELEGATE) === 0) expected = 'EACCES';
        else if ((wanted[i]! & ~s.rights) !== 0) expected = 'EPERM';
        else if (s.object === privateKey && to !== from) expected = 'EPERM';
        if (expected !== undefined) break;
      }
    }

    const before = tables(tasks);
    const handles = sources.map((s) => s.handle);
    const label = `t${from}.copy(${JSON.stringify(handles)} -> t${to}, ${JSON.stringify(rights)})`;
    const outcome = await errnoOf(
      sys[from]!.copy(handles, taskHandle[from]![to]!, rights === undefined ? undefined : { rights: rights as number }),
    );
    seen.add(expected ?? 'ok');
    if (expected !== undefined) {
      expect(outcome, label).toEqual({ ok: false, code: expected });
      expect(tables(tasks), `${label}: a failing copy changed a table`).toEqual(before);
      continue;
    }
    expect(outcome.ok, `${label}: ${JSON.stringify(outcome)}`).toBe(true);
    const got = (outcome as { value: number[] }).value;
    expect(got.length).toBe(sources.length);
    got.forEach((h, i) => {
      const ref = tasks[to]!.table.get(h)!;
      const src = sources[i]!;
      expect(ref.object.name.key, label).toBe(src.object);
      expect(ref.rights, `${label}: rights of the copy`).toBe(wanted[i]);
      expect(ref.rights & ~src.rights, `${label}: rights the source lacked`).toBe(0);
      expect(ref.parent, `${label}: parent`).toEqual({ task: sys[from]!.taskName.key, id: src.handle });
      made.set(id(to, h), {
        task: to,
        handle: h,
        object: src.object,
        rights: ref.rights,
        parent: { task: from, handle: src.handle },
      });
    });
  }

  // Every chain, from any reference ever made back to its root: rights never grow towards the leaves.
  for (const m of made.values()) {
    let node = m;
    for (let hops = 0; node.parent !== undefined; hops++) {
      const parent = made.get(id(node.parent.task, node.parent.handle))!;
      expect(parent, "a copy's parent was made in this run").toBeDefined();
      expect(
        node.rights & ~parent.rights,
        `rights grew from ${id(parent.task, parent.handle)} to ${id(node.task, node.handle)}`,
      ).toBe(0);
      expect(parent.object).toBe(node.object);
      expect(hops).toBeLessThan(made.size);
      node = parent;
    }
    expect(node.task, 'chains start at init, which created the objects').toBe(0);
    expect(node.rights).toBe(ALL);
  }
  // And the references still open agree with the record (no right appeared later either).
  for (const [t, task] of tasks.entries()) {
    for (const ref of task.table.values()) {
      const m = made.get(id(t, ref.id));
      if (m !== undefined) expect(ref.rights).toBe(m.rights);
    }
  }
  kernel.checkInvariants();
}

describe('copy never amplifies rights', () => {
  it(
    `over ${NUM_RUNS} random delegation sequences`,
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 2, max: 4 }), fc.array(stepArb, { minLength: 1, maxLength: 40 }), run),
        { numRuns: NUM_RUNS },
      );
      if (NUM_RUNS >= 100) expect([...seen].sort()).toEqual(['EACCES', 'EINVAL', 'EPERM', 'ok']);
    },
    60_000 + NUM_RUNS * 100,
  );
});
