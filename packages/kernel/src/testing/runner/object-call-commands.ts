/**
 * The commands of the calls on objects and tasks: create, lookup, copy, delete, run and select.
 * @module
 */
import fc from 'fast-check';
import type { KernelModel } from '../model/kernel-model.js';
import { isFail } from '../model/model-types.js';
import { expectSame, ModelMismatchError } from './mismatch.js';
import { perform } from './perform.js';
import type { SystemUnderTest } from './system-under-test.js';
import {
  badFlags,
  badOptionsArb,
  compact,
  expectRandomName,
  flagsArb,
  handleArb,
  holdsOthers,
  optArb,
  pickTask,
  resolveHandle,
  SEEDS,
  show,
  tag,
  taskSel,
  withBadOptions,
  type BadOptions,
  type Cmd,
  type HandleSel,
  type Prefer,
} from './command-support.js';
import { Name } from '../../core/abi/names.js';
import { seedNameKey } from '../model/names.js';

// ---- create ---------------------------------------------------------------------

export interface CreateArgs {
  t: number;
  type: unknown;
  lifecycle: unknown;
  consistency: unknown;
  capacity: unknown;
  name: 'random' | 'derived' | 'seed' | 'seedNoFlag' | 'badSeed';
  seed: string;
  group: HandleSel | undefined;
  flags: unknown;
  readBufferSize: unknown;
  writeBufferSize: unknown;
  lookupRights: unknown;
  bad: BadOptions;
}
export class CreateCmd implements Cmd {
  constructor(readonly a: CreateArgs) {}
  check = () => true;
  async run(m: KernelModel, r: SystemUnderTest): Promise<void> {
    const a = this.a;
    const t = pickTask(m, a.t);
    const seeded = a.name === 'seed' || a.name === 'seedNoFlag' || a.name === 'badSeed';
    const deterministic = a.name === 'seed' || a.name === 'derived' || a.name === 'badSeed';
    const options = compact({
      lifecycle: a.lifecycle,
      consistency: a.consistency,
      // Groups have no capacity: asking for one is an error, tried now and then only.
      capacity: a.type === 'group' && a.t % 10 !== 0 ? undefined : a.capacity,
      nameSeed: seeded ? (a.name === 'badSeed' ? 7 : a.seed) : undefined,
      group: a.group === undefined ? undefined : resolveHandle(m, t, a.group, 'group'),
      readBufferSize: a.readBufferSize,
      writeBufferSize: a.writeBufferSize,
      lookupRights: a.lookupRights,
    });
    const opts = withBadOptions(options, a.bad);
    const flags = a.flags === 'auto' ? (deterministic ? 1 : 0) : a.flags;
    const prediction = m.create(t, a.type, opts, flags);
    const label = `t${t}.create(${show(a.type)}, ${show(opts)}, ${show(flags)})`;
    await perform(
      m,
      r,
      label,
      prediction,
      () => r.sys[t]!.create(a.type as never, opts as never, flags as never),
      (res, plan) => {
        expectSame(label, 'handle', res.ref, plan.expectedHandle);
        if (!(res.name instanceof Name)) throw new ModelMismatchError(label, 'name', 'a Name', res.name);
        if (plan.expectedKey !== undefined) expectSame(label, 'deterministic name', res.name.key, plan.expectedKey);
        else {
          expectRandomName(m, label, res.name.key);
        }
        if (options?.group === undefined)
          tag(r, `create in own group (membership rights ${m.task(t).groups[0]!.rights})`);
        // A destroyed group's name given to a new object while the group's members live on (they keep their group).
        if (
          m.objects.some(
            (o) =>
              !o.destroyed &&
              o.indexGroup !== undefined &&
              m.obj(o.indexGroup).destroyed &&
              m.obj(o.indexGroup).key === res.name.key,
          )
        ) {
          tag(r, "create reuses a destroyed group's name");
        }
        plan.commit(res.name.key);
      },
    );
  }
  toString = () => `create(${show(this.a)})`;
}
export const bufferSizeArb = fc.oneof(
  { weight: 30, arbitrary: fc.constant(undefined) },
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 8192 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(0, -5, 2.5, 2 ** 31) },
);
export const createArb = fc
  .record({
    t: taskSel,
    type: fc.oneof(
      {
        weight: 30,
        arbitrary: fc.constantFrom<unknown>(
          'shared-memory-blob',
          'shared-memory-blob',
          'private-memory-blob',
          'shared-memory-stream',
          'shared-memory-stream',
          'group',
        ),
      },
      { weight: 1, arbitrary: fc.constantFrom<unknown>('task', 'console', 'bogus', 7) },
    ),
    lifecycle: optArb(fc.constantFrom('immortal', 'single-delete', 'refcounted'), 'forever', 1),
    consistency: optArb(fc.constantFrom('optimistic', 'exclusive'), 'strict'),
    capacity: fc.oneof(
      { weight: 2, arbitrary: fc.constant(undefined) },
      { weight: 30, arbitrary: fc.integer({ min: 1, max: 12 }) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(0, -1, 1.5, 2 ** 30 + 1, '4') },
    ),
    name: fc.oneof(
      {
        weight: 20,
        arbitrary: fc.constantFrom('random' as const, 'random' as const, 'derived' as const, 'seed' as const),
      },
      { weight: 1, arbitrary: fc.constantFrom('seedNoFlag' as const, 'badSeed' as const) },
    ),
    seed: fc.oneof(
      { weight: 3, arbitrary: fc.constant(SEEDS[0]!) },
      { weight: 4, arbitrary: fc.constantFrom(...SEEDS) },
    ),
    group: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: handleArb }),
    flags: fc.oneof({ weight: 30, arbitrary: fc.constant<unknown>('auto') }, { weight: 1, arbitrary: badFlags }),
    readBufferSize: bufferSizeArb,
    writeBufferSize: bufferSizeArb,
    // A lookup mask now and then (groups with WRITE, blobs without it ...), rarely not a mask.
    lookupRights: fc.oneof(
      { weight: 20, arbitrary: fc.constant(undefined) },
      { weight: 8, arbitrary: fc.integer({ min: 0, max: 15 }) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(64, -1, 1.5, 'r') },
    ),
    bad: badOptionsArb,
  })
  .map((a) => new CreateCmd(a));

// ---- lookup ---------------------------------------------------------------------

export type NameSel =
  | { k: 'alive' | 'known'; i: number }
  | { k: 'unknown'; i: number }
  | { k: 'bad'; how: 'upper' | 'short' | 'number' | 'null' | 'object' };
export class LookupCmd implements Cmd {
  constructor(readonly a: { t: number; name: NameSel; asName: boolean; flags: unknown }) {}
  check = () => true;
  async run(m: KernelModel, r: SystemUnderTest): Promise<void> {
    const { name, asName, flags } = this.a;
    const t = pickTask(m, this.a.t);
    let key: string | undefined;
    let arg: unknown;
    if (name.k === 'bad') {
      const known = m.knownNames[0]!;
      arg = { upper: known.toUpperCase(), short: known.slice(2), number: 42, null: null, object: { key: known } }[
        name.how
      ];
    } else {
      const alive = m.objects.filter((o) => !o.destroyed).map((o) => o.key);
      key =
        name.k === 'alive'
          ? alive[name.i % alive.length]!
          : name.k === 'known'
            ? m.knownNames[name.i % m.knownNames.length]!
            : seedNameKey('00'.repeat(32), `never-created-${name.i % 4}`);
      arg = asName ? Name.parse(key) : key;
    }
    const label = `t${t}.lookup(${show(key ?? arg)}, ${show(flags)})`;
    await perform(
      m,
      r,
      label,
      m.lookup(t, key, flags),
      () => r.sys[t]!.lookup(arg as never, flags as never),
      (handles, plan) => {
        expectSame(label, 'handles', handles, plan.expectedHandles);
        const { obj: found, rights } = m.visible(t, key!)[0]!;
        if (found.indexGroup !== undefined && !m.task(t).groups.some((g) => g.group === found.indexGroup))
          tag(r, 'lookup through a held group');
        if (found.type === 'task') tag(r, 'lookup of a task');
        if (rights !== 0xf) tag(r, 'lookup with fewer than all rights');
        if (rights !== m.scopes(t).get(found.indexGroup!)) tag(r, "lookup narrowed by the object's mask");
        plan.commit();
      },
    );
  }
  toString = () => `lookup(${show(this.a)})`;
}
export const lookupArb = fc
  .record({
    t: taskSel,
    name: fc.oneof(
      { weight: 16, arbitrary: fc.record({ k: fc.constant('alive' as const), i: fc.nat(999) }) },
      { weight: 8, arbitrary: fc.record({ k: fc.constant('known' as const), i: fc.nat(999) }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('unknown' as const), i: fc.nat(9) }) },
      {
        weight: 1,
        arbitrary: fc.record({
          k: fc.constant('bad' as const),
          how: fc.constantFrom(
            'upper' as const,
            'short' as const,
            'number' as const,
            'null' as const,
            'object' as const,
          ),
        }),
      },
    ),
    asName: fc.boolean(),
    flags: flagsArb(0, 0, 1),
  })
  .map((a) => new LookupCmd(a));

// ---- copy -----------------------------------------------------------------------

export type RightsSel =
  { k: 'none' } | { k: 'mask'; v: number } | { k: 'array'; vs: number[]; delta: number } | { k: 'bad'; v: unknown };
export class CopyCmd implements Cmd {
  constructor(
    readonly a: {
      t: number;
      sources: HandleSel[];
      target: HandleSel;
      rights: RightsSel;
      flags: unknown;
      bad: BadOptions;
    },
  ) {}
  check = () => true;
  async run(m: KernelModel, r: SystemUnderTest): Promise<void> {
    const a = this.a;
    const t = pickTask(m, a.t, holdsOthers(m));
    const target = resolveHandle(m, t, a.target, 'task');
    const refs = a.sources.map((s) => resolveHandle(m, t, s, 'notSelf'));
    const rs = a.rights;
    const rights =
      rs.k === 'none'
        ? undefined
        : rs.k === 'mask'
          ? rs.v
          : rs.k === 'bad'
            ? rs.v
            : Array.from({ length: Math.max(0, refs.length + rs.delta) }, (_, i) => rs.vs[i % rs.vs.length]!);
    const options = withBadOptions(compact({ rights }), a.bad);
    const label = `t${t}.copy(${show(refs)}, ${show(target)}, ${show(options)}, ${show(a.flags)})`;
    await perform(
      m,
      r,
      label,
      m.copy(t, refs, target, options, a.flags),
      () => r.sys[t]!.copy(refs as never, target as never, options as never, a.flags as never),
      (handles, plan) => {
        expectSame(label, 'handles in the target', handles, plan.expectedHandles);
        if (m.refOf(t, target)!.obj !== m.task(t).obj) tag(r, 'copy to another task');
        plan.commit();
      },
    );
  }
  toString = () => `copy(${show(this.a)})`;
}
export const copyArb = fc
  .record({
    t: taskSel,
    sources: fc.oneof(
      { weight: 20, arbitrary: fc.array(handleArb, { minLength: 1, maxLength: 3 }) },
      { weight: 1, arbitrary: fc.constant<HandleSel[]>([]) },
    ),
    target: handleArb,
    rights: fc.oneof(
      { weight: 4, arbitrary: fc.constant({ k: 'none' as const }) },
      { weight: 6, arbitrary: fc.record({ k: fc.constant('mask' as const), v: fc.integer({ min: 0, max: 15 }) }) },
      {
        weight: 3,
        arbitrary: fc.record({
          k: fc.constant('array' as const),
          vs: fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 3 }),
          delta: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(-1, 1) }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          k: fc.constant('bad' as const),
          v: fc.constantFrom<unknown>(64, -1, 1.5, 2 ** 32 + 1, 'rw', null),
        }),
      },
    ),
    flags: flagsArb(0),
    bad: badOptionsArb,
  })
  .map((a) => new CopyCmd(a as ConstructorParameters<typeof CopyCmd>[0]));

// ---- delete ---------------------------------------------------------------------

export class DeleteCmd implements Cmd {
  constructor(readonly a: { t: number; sel: HandleSel; exit: boolean; flags: unknown }) {}
  check = () => true;
  async run(m: KernelModel, r: SystemUnderTest): Promise<void> {
    const a = this.a;
    const t = pickTask(m, a.t, holdsOthers(m));
    // Exiting (deleting the task's own reference) is asked for explicitly, so tasks do not exit too often.
    const handle = a.exit ? m.task(t).self : resolveHandle(m, t, a.sel, 'notSelf');
    const label = `t${t}.delete(${show(handle)}, ${show(a.flags)})`;
    await perform(
      m,
      r,
      label,
      m.delete(t, handle, a.flags),
      () => r.sys[t]!.delete(handle as never, a.flags as never),
      (value, plan) => {
        expectSame(label, 'value', value, undefined);
        plan.commit();
      },
    );
  }
  toString = () => `delete(${show(this.a)})`;
}
export const deleteArb = fc
  .record({
    t: taskSel,
    sel: handleArb,
    exit: fc.nat(19).map((n) => n === 0),
    flags: fc.oneof(
      { weight: 20, arbitrary: fc.constant<unknown>(0) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(1, 2, 3) },
      { weight: 3, arbitrary: fc.constant<unknown>(4) },
      { weight: 1, arbitrary: badFlags },
    ),
  })
  .map((a) => new DeleteCmd(a));

// ---- run ------------------------------------------------------------------------

/** References passed to a child: none (field left out), an empty list, some, or not a list. */
export type RefsSel = { k: 'omit' } | { k: 'list'; sels: HandleSel[] } | { k: 'bad'; v: unknown };
export const refsArb = (omitWeight: number): fc.Arbitrary<RefsSel> =>
  fc.oneof(
    { weight: omitWeight, arbitrary: fc.constant({ k: 'omit' as const }) },
    {
      weight: 6,
      arbitrary: fc.record({ k: fc.constant('list' as const), sels: fc.array(handleArb, { maxLength: 2 }) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ k: fc.constant('bad' as const), v: fc.constantFrom<unknown>(3, 'all', null) }),
    },
  );
export interface RunArgs {
  t: number;
  binary: HandleSel;
  argv: unknown;
  env: unknown;
  inputs: RefsSel;
  outputs: RefsSel;
  groups: RefsSel;
  name: 'random' | 'derived' | 'seed' | 'seedNoFlag' | 'badSeed';
  seed: string;
  kernel: 'omit' | 'self' | 'other' | 'bad';
  flags: unknown;
  bad: BadOptions | 'none';
}
export const IDLE_ARGV0 = 'idle';
/** Tasks at most (run stops adding more), so sequences stay quick. */
export const MAX_TASKS = 7;
export class RunCmd implements Cmd {
  constructor(readonly a: RunArgs) {}
  check = (m: Readonly<KernelModel>) => m.tasks.length < MAX_TASKS;
  async run(m: KernelModel, r: SystemUnderTest): Promise<void> {
    const a = this.a;
    const t = pickTask(m, a.t, (id) => m.task(id).refs.some((x) => x.rights & 0x4 && m.programOf(x.obj) !== undefined));
    const binary = resolveHandle(m, t, a.binary, 'binary');
    const refs = (sel: RefsSel, prefer: Prefer): unknown =>
      sel.k === 'omit' ? undefined : sel.k === 'bad' ? sel.v : sel.sels.map((h) => resolveHandle(m, t, h, prefer));
    const seeded = a.name === 'seed' || a.name === 'seedNoFlag' || a.name === 'badSeed';
    const deterministic = a.name === 'seed' || a.name === 'derived' || a.name === 'badSeed';
    const spec =
      a.bad === 'none'
        ? undefined
        : withBadOptions(
            compact({
              argv: a.argv,
              env: a.env,
              inputs: refs(a.inputs, 'readable'),
              outputs: refs(a.outputs, 'writable'),
              groups: refs(a.groups, 'group'),
              name: seeded ? (a.name === 'badSeed' ? 7 : a.seed) : undefined,
              kernel: { omit: undefined, self: m.kernelId, other: 'k-elsewhere', bad: 7 }[a.kernel],
            }) ?? {},
            a.bad,
          );
    const flags = a.flags === 'auto' ? (deterministic ? 2 : 0) : a.flags;
    const prediction = m.run(t, binary, spec, flags);
    const label = `t${t}.run(${show(binary)}, ${show(spec)}, ${show(flags)})`;
    if (
      isFail(prediction) &&
      prediction.fail === 'EACCES' &&
      typeof (spec as { name?: unknown } | undefined)?.name === 'string'
    )
      tag(r, 'run: a seeded name without WRITE on the first group');
    await perform(
      m,
      r,
      label,
      prediction,
      () => r.sys[t]!.run(binary as never, spec as never, flags as never),
      (handle, plan) => {
        expectSame(label, 'handle of the child', handle, plan.expectedHandle);
        const key = r.observe().tasks[t]?.refs.find((x) => x.handle === handle)?.object ?? '';
        if (plan.expectedKey !== undefined) expectSame(label, 'deterministic name', key, plan.expectedKey);
        else expectRandomName(m, label, key);
        const child = r.kernel.tasks.get(key);
        if (child === undefined) throw new ModelMismatchError(label, 'the child', 'a local task', key);
        const sys = r.kernel.contextOf(child);
        expectSame(label, "the child's inputs and outputs", [sys.inputs, sys.outputs], [plan.inputs, plan.outputs]);
        const id = plan.commit(key);
        expectSame(label, 'task id', id, r.sys.length);
        r.addTask(sys);
        const task = m.task(id);
        tag(
          r,
          a.groups.k === 'omit'
            ? 'run: child inherits memberships'
            : task.groups.length === 0
              ? 'run: child in no group'
              : 'run: child in given groups',
        );
        if (task.groups.some((g) => g.rights !== 0xf)) tag(r, 'run: child with a membership of fewer rights');
        if (plan.inputs.length + plan.outputs.length > 0) tag(r, 'run: child with inputs or outputs');
      },
    );
  }
  toString = () => `run(${show(this.a)})`;
}
export const runArb = fc
  .record({
    t: taskSel,
    binary: handleArb,
    argv: fc.oneof(
      { weight: 30, arbitrary: fc.constant<unknown>([IDLE_ARGV0]) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, 'idle', [IDLE_ARGV0, 2]) },
    ),
    env: fc.oneof(
      { weight: 20, arbitrary: fc.constant<unknown>(undefined) },
      { weight: 5, arbitrary: fc.constant<unknown>({ MODE: 'model' }) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>('A=1', null, { A: 1 }, []) },
    ),
    inputs: refsArb(8),
    outputs: refsArb(8),
    groups: refsArb(12),
    name: fc.oneof(
      {
        weight: 20,
        arbitrary: fc.constantFrom('random' as const, 'random' as const, 'derived' as const, 'seed' as const),
      },
      { weight: 1, arbitrary: fc.constantFrom('seedNoFlag' as const, 'badSeed' as const) },
    ),
    seed: fc.constantFrom(...SEEDS),
    kernel: fc.oneof(
      { weight: 20, arbitrary: fc.constant('omit' as const) },
      { weight: 1, arbitrary: fc.constantFrom('self' as const, 'other' as const, 'bad' as const) },
    ),
    flags: fc.oneof({ weight: 30, arbitrary: fc.constant<unknown>('auto') }, { weight: 1, arbitrary: badFlags }),
    bad: fc.oneof(
      { weight: 40, arbitrary: fc.constant('no' as const) },
      { weight: 1, arbitrary: fc.constantFrom('none' as const, 'null' as const, 'array' as const, 'extra' as const) },
    ),
  })
  .map((a) => new RunCmd(a));

// ---- select ---------------------------------------------------------------------

export class SelectCmd implements Cmd {
  constructor(
    readonly a: {
      t: number;
      sels: HandleSel[];
      write: boolean;
      all: boolean;
      timeout: unknown;
      flags: unknown;
      bad: BadOptions;
    },
  ) {}
  check = () => true;
  async run(m: KernelModel, r: SystemUnderTest): Promise<void> {
    const a = this.a;
    const t = pickTask(m, a.t);
    const refs = a.sels.map((s) => resolveHandle(m, t, s, 'any'));
    const flags = a.flags === 'auto' ? (a.write ? 1 : 0) | (a.all ? 2 : 0) : a.flags;
    let options = withBadOptions(a.timeout === 'none' ? undefined : { timeoutMs: a.timeout }, a.bad);
    let prediction = m.select(t, refs, options, flags);
    // Without a timeout, select waits for ever when nothing is ready: poll instead.
    if (!isFail(prediction) && prediction.ready === undefined) {
      options = { timeoutMs: 0 };
      prediction = m.select(t, refs, options, flags);
    }
    const label = `t${t}.select(${show(refs)}, ${show(options)}, ${show(flags)})`;
    await perform(
      m,
      r,
      label,
      prediction,
      () => r.sys[t]!.select(refs as never, options as never, flags as never),
      (handle, plan) => {
        expectSame(label, 'ready handle', handle, plan.ready);
        plan.commit();
      },
    );
  }
  toString = () => `select(${show(this.a)})`;
}
export const selectArb = fc
  .record({
    t: taskSel,
    sels: fc.oneof(
      { weight: 20, arbitrary: fc.array(handleArb, { minLength: 1, maxLength: 3 }) },
      { weight: 1, arbitrary: fc.constant<HandleSel[]>([]) },
    ),
    write: fc.boolean(),
    all: fc.boolean(),
    timeout: fc.oneof(
      { weight: 10, arbitrary: fc.constant<unknown>(0) },
      { weight: 3, arbitrary: fc.constant<unknown>('none') },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(-1, 1.5, '0', 2 ** 31) },
    ),
    flags: fc.oneof({ weight: 30, arbitrary: fc.constant<unknown>('auto') }, { weight: 1, arbitrary: badFlags }),
    bad: badOptionsArb,
  })
  .map((a) => new SelectCmd(a));
