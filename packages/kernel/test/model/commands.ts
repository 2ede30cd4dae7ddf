/**
 * fast-check commands: one per system call (plus two host actions on the
 * console). A command carries selectors, not handles: they are resolved
 * against the model when the command runs, so the same command can name an
 * open reference, a deleted one, one never allocated, or a value that is not
 * a handle at all. Every command is always applicable; the model says whether
 * it must fail and how.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { Name } from '@dios/kernel';
import { isFail, type KernelModel, type MLease, type MRef } from './model.js';
import { seedNameKey } from './names.js';
import { compare, perform, tag, type Real } from './real.js';

type Cmd = fc.AsyncCommand<KernelModel, Real, boolean>;

// ---- selectors ------------------------------------------------------------------

/** Which reference a command uses, resolved against the model at run time. */
export type HandleSel =
  { k: 'open'; i: number } | { k: 'deleted'; i: number } | { k: 'never'; i: number } | { k: 'junk'; v: unknown };
type Prefer = 'any' | 'bytes' | 'readable' | 'writable' | 'task' | 'group' | 'notSelf' | 'binary';
const BYTE_TYPE = /blob|stream/;

const JUNK_HANDLES: unknown[] = [0, -1, 1.5, Number.NaN, '1', null, undefined, 2 ** 53];
export const handleArb: fc.Arbitrary<HandleSel> = fc.oneof(
  { weight: 40, arbitrary: fc.record({ k: fc.constant('open' as const), i: fc.nat(999) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('deleted' as const), i: fc.nat(999) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('never' as const), i: fc.nat(999) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('junk' as const), v: fc.constantFrom(...JUNK_HANDLES) }) },
);

function prefers(m: KernelModel, t: number, ref: MRef, prefer: Prefer, i: number): boolean {
  const type = m.obj(ref.obj).type;
  switch (prefer) {
    case 'bytes':
      // The console (init's reference 3) now and then; blobs and streams otherwise.
      return BYTE_TYPE.test(type) || (type === 'console' && i % 5 === 0);
    case 'readable': {
      // Blobs, and streams with something to read (data or end-of-stream); sometimes anything with bytes.
      const o = m.obj(ref.obj);
      if (i % 4 === 0) return prefers(m, t, ref, 'bytes', i);
      const streamReady = type === 'shared-memory-stream' && (o.fifo.length > 0 || m.streamEnded(o.id));
      return streamReady || (i % 4 !== 1 && type.endsWith('blob'));
    }
    case 'writable': {
      // Blobs being read (a commit then invalidates the reads), streams with room; sometimes anything with bytes.
      const o = m.obj(ref.obj);
      if (i % 4 === 0) return prefers(m, t, ref, 'bytes', i);
      if (i % 4 === 1) return type.endsWith('blob') && m.outstanding(o.id).some((l) => l.kind === 'read');
      const streamRoom = type === 'shared-memory-stream' && o.fifo.length < o.capacity && !m.leased(o.id, 'write');
      return streamRoom || (i % 4 !== 2 && type.endsWith('blob'));
    }
    case 'task':
      // Another task, mostly (every task holds a reference to itself).
      return (
        type === 'task' &&
        (ref.obj !== m.task(t).obj ||
          i % 4 === 0 ||
          !m.task(t).refs.some((x) => x.obj !== m.task(t).obj && m.obj(x.obj).type === 'task'))
      );
    case 'group':
      return type === 'group';
    case 'binary':
      // A blob naming a program (mostly one this reference may run), sometimes any blob.
      return type.endsWith('blob') && (i % 5 === 0 || (m.programOf(ref.obj) !== undefined && (ref.rights & 0x4) !== 0));
    default:
      return true;
  }
}

/** The handle a selector names in task `t` (usually one of a preferred kind, sometimes any). */
export function resolveHandle(m: KernelModel, t: number, sel: HandleSel, prefer: Prefer = 'any'): unknown {
  const task = m.task(t);
  if (sel.k === 'open') {
    const open = task.refs.filter((r) => prefer !== 'notSelf' || r.handle !== task.self);
    const preferred = open.filter((r) => prefers(m, t, r, prefer, sel.i));
    const pool = preferred.length > 0 && sel.i % 16 !== 0 ? preferred : open;
    if (pool.length > 0) return pool[sel.i % pool.length]!.handle;
  }
  if (sel.k === 'deleted') {
    const closed: number[] = [];
    for (let h = 1; h < task.nextHandle; h++) if (!task.refs.some((r) => r.handle === h)) closed.push(h);
    if (closed.length > 0) return closed[sel.i % closed.length];
  }
  if (sel.k === 'junk') return sel.v;
  return task.nextHandle + (sel.i % 3);
}

const taskSel = fc.nat(99);
/**
 * The task a command runs in: mostly a running task for which `want` holds
 * (one that holds something to work on), sometimes any task, exited or not.
 */
function pickTask(m: KernelModel, i: number, want: (t: number) => boolean = () => true): number {
  const candidates = m.tasks.filter((t) => t.state === 'running' && want(t.id));
  if (candidates.length > 0 && i % 16 !== 0) return candidates[i % candidates.length]!.id;
  return i % m.tasks.length;
}
const holdsBytes = (m: KernelModel) => (t: number) => m.task(t).refs.some((r) => BYTE_TYPE.test(m.obj(r.obj).type));
const holdsOthers = (m: KernelModel) => (t: number) => m.task(t).refs.some((r) => r.handle !== m.task(t).self);
const holdsLeases = (m: KernelModel, kind: 'read' | 'write') => (t: number) =>
  m.leases.some((l) => !l.returned && l.task === t && l.kind === kind);

/** Which buffer an end_read / end_write returns. */
export type LeaseSel =
  { k: 'own' | 'returned' | 'foreign'; i: number } | { k: 'fresh'; n: number } | { k: 'junk'; v: unknown };
const leaseArb: fc.Arbitrary<LeaseSel> = fc.oneof(
  { weight: 30, arbitrary: fc.record({ k: fc.constant('own' as const), i: fc.nat(999) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('returned' as const), i: fc.nat(999) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('foreign' as const), i: fc.nat(999) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('fresh' as const), n: fc.nat(4) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('junk' as const),
      v: fc.constantFrom<unknown>(undefined, null, [1, 2], 'buffer'),
    }),
  },
);

/**
 * Resolves a buffer selector: an outstanding lease of the task (of the wanted
 * kind, mostly), one it already returned, another task's, or a buffer the
 * kernel never lent. Returns the model's lease (if any) and the real value.
 */
function resolveLease(
  m: KernelModel,
  r: Real,
  t: number,
  sel: LeaseSel,
  kind: 'read' | 'write',
): { lease: MLease | undefined; buffer: unknown } {
  let pool: MLease[] = [];
  if (sel.k === 'own') {
    const own = m.leases.filter((l) => !l.returned && l.task === t);
    const ofKind = own.filter((l) => l.kind === kind);
    pool = ofKind.length > 0 && sel.i % 6 !== 0 ? ofKind : own;
  } else if (sel.k === 'returned') {
    pool = m.leases.filter((l) => l.returned && l.task === t);
  } else if (sel.k === 'foreign') {
    pool = m.leases.filter((l) => !l.returned && l.task !== t);
  }
  if (pool.length > 0 && 'i' in sel) {
    const lease = pool[sel.i % pool.length]!;
    const buffer = r.buffers.get(lease.id)!;
    // The kernel knows a lent buffer by identity, and blobs lend a returned write buffer again: a returned
    // buffer that is out on a new lease is that lease's buffer now.
    const again = m.leases.find((l) => !l.returned && r.buffers.get(l.id) === buffer);
    if (again !== undefined) tag('returned buffer lent again');
    return { lease: again ?? lease, buffer };
  }
  if (sel.k === 'junk') return { lease: undefined, buffer: sel.v };
  return { lease: undefined, buffer: new Uint8Array(sel.k === 'fresh' ? sel.n : 1) };
}

const show = (v: unknown): string => {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  return JSON.stringify(v, (_k, x: unknown) =>
    x === undefined ? '<undefined>' : typeof x === 'number' && !Number.isFinite(x) ? String(x) : x,
  );
};

const badFlags = fc.constantFrom<unknown>(0x4, 0x10, -1, 1.5, 2 ** 32, 2 ** 32 + 1, '1');
/** Flags: `valid` values mostly, sometimes garbage. */
const flagsArb = (...valid: number[]) =>
  fc.oneof({ weight: 30, arbitrary: fc.constantFrom<unknown>(...valid) }, { weight: 1, arbitrary: badFlags });
/** An option value: absent, valid, or (rarely) invalid. */
const optArb = <T>(valid: fc.Arbitrary<T>, ...bad: unknown[]) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant(undefined) },
    { weight: 24, arbitrary: valid },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(...bad) },
  );
/** Options that are not an options object, or carry an unknown key. */
type BadOptions = 'no' | 'null' | 'array' | 'extra';
const badOptionsArb = fc.oneof(
  { weight: 30, arbitrary: fc.constant<'no' | 'null' | 'array' | 'extra'>('no') },
  { weight: 1, arbitrary: fc.constantFrom('null' as const, 'array' as const, 'extra' as const) },
);
function withBadOptions(options: Record<string, unknown> | undefined, bad: BadOptions): unknown {
  if (bad === 'null') return null;
  if (bad === 'array') return [];
  if (bad === 'extra') return { ...options, colour: 'red' };
  return options;
}
function compact(o: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Seeds for deterministic names: few, so that the same name is asked for twice. */
export const SEEDS = ['a', 'b', 'out-1', '', 'ü'];

// ---- create ---------------------------------------------------------------------

interface CreateArgs {
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
class CreateCmd implements Cmd {
  constructor(readonly a: CreateArgs) {}
  check = () => true;
  async run(m: KernelModel, r: Real): Promise<void> {
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
        expect(res.ref, `${label}: handle`).toBe(plan.expectedHandle);
        expect(res.name, `${label}: name`).toBeInstanceOf(Name);
        if (plan.expectedKey !== undefined) expect(res.name.key, `${label}: deterministic name`).toBe(plan.expectedKey);
        else {
          expect(res.name.key).toMatch(/^[0-9a-f]{64}$/);
          expect(m.knownNames, `${label}: a random name must be new`).not.toContain(res.name.key);
        }
        if (options?.group === undefined) tag(`create in own group (membership rights ${m.task(t).groups[0]!.rights})`);
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
          tag("create reuses a destroyed group's name");
        }
        plan.commit(res.name.key);
      },
    );
  }
  toString = () => `create(${show(this.a)})`;
}
const bufferSizeArb = fc.oneof(
  { weight: 30, arbitrary: fc.constant(undefined) },
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 8192 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(0, -5, 2.5, 2 ** 31) },
);
const createArb = fc
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

type NameSel =
  | { k: 'alive' | 'known'; i: number }
  | { k: 'unknown'; i: number }
  | { k: 'bad'; how: 'upper' | 'short' | 'number' | 'null' | 'object' };
class LookupCmd implements Cmd {
  constructor(readonly a: { t: number; name: NameSel; asName: boolean; flags: unknown }) {}
  check = () => true;
  async run(m: KernelModel, r: Real): Promise<void> {
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
        expect(handles, `${label}: handles`).toEqual(plan.expectedHandles);
        const { obj: found, rights } = m.visible(t, key!)[0]!;
        if (found.indexGroup !== undefined && !m.task(t).groups.some((g) => g.group === found.indexGroup))
          tag('lookup through a held group');
        if (found.type === 'task') tag('lookup of a task');
        if (rights !== 0xf) tag('lookup with fewer than all rights');
        if (rights !== m.scopes(t).get(found.indexGroup!)) tag("lookup narrowed by the object's mask");
        plan.commit();
      },
    );
  }
  toString = () => `lookup(${show(this.a)})`;
}
const lookupArb = fc
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

type RightsSel =
  { k: 'none' } | { k: 'mask'; v: number } | { k: 'array'; vs: number[]; delta: number } | { k: 'bad'; v: unknown };
class CopyCmd implements Cmd {
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
  async run(m: KernelModel, r: Real): Promise<void> {
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
        expect(handles, `${label}: handles in the target`).toEqual(plan.expectedHandles);
        if (m.refOf(t, target)!.obj !== m.task(t).obj) tag('copy to another task');
        plan.commit();
      },
    );
  }
  toString = () => `copy(${show(this.a)})`;
}
const copyArb = fc
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

class DeleteCmd implements Cmd {
  constructor(readonly a: { t: number; sel: HandleSel; exit: boolean; flags: unknown }) {}
  check = () => true;
  async run(m: KernelModel, r: Real): Promise<void> {
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
        expect(value).toBeUndefined();
        plan.commit();
      },
    );
  }
  toString = () => `delete(${show(this.a)})`;
}
const deleteArb = fc
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
type RefsSel = { k: 'omit' } | { k: 'list'; sels: HandleSel[] } | { k: 'bad'; v: unknown };
const refsArb = (omitWeight: number): fc.Arbitrary<RefsSel> =>
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
interface RunArgs {
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
const IDLE_ARGV0 = 'idle';
/** Tasks at most (run stops adding more), so sequences stay quick. */
const MAX_TASKS = 7;
class RunCmd implements Cmd {
  constructor(readonly a: RunArgs) {}
  check = (m: Readonly<KernelModel>) => m.tasks.length < MAX_TASKS;
  async run(m: KernelModel, r: Real): Promise<void> {
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
      tag('run: a seeded name without WRITE on the first group');
    await perform(
      m,
      r,
      label,
      prediction,
      () => r.sys[t]!.run(binary as never, spec as never, flags as never),
      (handle, plan) => {
        expect(handle, `${label}: handle of the child`).toBe(plan.expectedHandle);
        const childTask = r.tasks[t]!.table.get(handle)!.object;
        const key = childTask.name.key;
        if (plan.expectedKey !== undefined) expect(key, `${label}: deterministic name`).toBe(plan.expectedKey);
        else {
          expect(key).toMatch(/^[0-9a-f]{64}$/);
          expect(m.knownNames, `${label}: a random name must be new`).not.toContain(key);
        }
        const child = r.kernel.tasks.get(key)!;
        expect(child, `${label}: the child is a local task`).toBe(childTask);
        const sys = r.kernel.contextOf(child);
        expect([sys.inputs, sys.outputs], `${label}: the child's inputs and outputs`).toEqual([
          plan.inputs,
          plan.outputs,
        ]);
        const id = plan.commit(key);
        expect(id).toBe(r.tasks.length);
        r.sys.push(sys);
        r.tasks.push(child);
        const task = m.task(id);
        tag(
          a.groups.k === 'omit'
            ? 'run: child inherits memberships'
            : task.groups.length === 0
              ? 'run: child in no group'
              : 'run: child in given groups',
        );
        if (task.groups.some((g) => g.rights !== 0xf)) tag('run: child with a membership of fewer rights');
        if (plan.inputs.length + plan.outputs.length > 0) tag('run: child with inputs or outputs');
      },
    );
  }
  toString = () => `run(${show(this.a)})`;
}
const runArb = fc
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

class SelectCmd implements Cmd {
  constructor(
    readonly a: { t: number; sels: HandleSel[]; write: boolean; timeout: unknown; flags: unknown; bad: BadOptions },
  ) {}
  check = () => true;
  async run(m: KernelModel, r: Real): Promise<void> {
    const a = this.a;
    const t = pickTask(m, a.t);
    const refs = a.sels.map((s) => resolveHandle(m, t, s, 'any'));
    const flags = a.flags === 'auto' ? (a.write ? 1 : 0) : a.flags;
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
        expect(handle, `${label}: ready handle`).toBe(plan.ready);
      },
    );
  }
  toString = () => `select(${show(this.a)})`;
}
const selectArb = fc
  .record({
    t: taskSel,
    sels: fc.oneof(
      { weight: 20, arbitrary: fc.array(handleArb, { minLength: 1, maxLength: 3 }) },
      { weight: 1, arbitrary: fc.constant<HandleSel[]>([]) },
    ),
    write: fc.boolean(),
    timeout: fc.oneof(
      { weight: 10, arbitrary: fc.constant<unknown>(0) },
      { weight: 3, arbitrary: fc.constant<unknown>('none') },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(-1, 1.5, '0', 2 ** 31) },
    ),
    flags: fc.oneof({ weight: 30, arbitrary: fc.constant<unknown>('auto') }, { weight: 1, arbitrary: badFlags }),
    bad: badOptionsArb,
  })
  .map((a) => new SelectCmd(a));

// ---- begin_read / end_read --------------------------------------------------------

/** An offset: absent, inside the object (mostly), past its end, or not an offset at all. */
type OffsetSel = { k: 'none' } | { k: 'in'; i: number } | { k: 'past'; i: number } | { k: 'bad'; v: unknown };
const offsetArb: fc.Arbitrary<OffsetSel> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ k: 'none' as const }) },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('in' as const), i: fc.nat(99) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('past' as const), i: fc.nat(3) }) },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('bad' as const), v: fc.constantFrom<unknown>(-1, 1.5, 2 ** 31, '0') }),
  },
  { weight: 20, arbitrary: fc.record({ k: fc.constant('in' as const), i: fc.nat(99) }) },
);
function resolveOffset(m: KernelModel, t: number, handle: unknown, sel: OffsetSel): unknown {
  if (sel.k === 'none') return undefined;
  if (sel.k === 'bad') return sel.v;
  const ref = m.refOf(t, handle);
  const obj = ref === undefined ? undefined : m.obj(ref.obj);
  // Blobs take any offset up to their size; other objects only 0 (anything else now and then).
  const size = obj !== undefined && obj.type.endsWith('blob') ? obj.bytes.length : sel.i % 7 === 0 ? 2 : 0;
  return sel.k === 'in' ? sel.i % (size + 1) : size + 1 + sel.i;
}

class BeginReadCmd implements Cmd {
  constructor(
    readonly a: {
      t: number;
      sel: HandleSel;
      offset: OffsetSel;
      length: unknown;
      flags: unknown;
      bad: BadOptions;
      then: unknown;
    },
  ) {}
  check = () => true;
  async run(m: KernelModel, r: Real): Promise<void> {
    const a = this.a;
    const t = pickTask(m, a.t, holdsBytes(m));
    const handle = resolveHandle(m, t, a.sel, 'readable');
    const options = withBadOptions(compact({ offset: resolveOffset(m, t, handle, a.offset), length: a.length }), a.bad);
    let flags = a.flags;
    let prediction = m.beginRead(t, handle, options, flags);
    // Nothing here may wait for ever: a call that would block is made with NONBLOCK.
    if (isFail(prediction) && prediction.wouldBlock) {
      flags = 1;
      prediction = m.beginRead(t, handle, options, flags);
    }
    const label = `t${t}.beginRead(${show(handle)}, ${show(options)}, ${show(flags)})`;
    let leaseId: number | undefined;
    await perform(
      m,
      r,
      label,
      prediction,
      () => r.sys[t]!.beginRead(handle as never, options as never, flags as never),
      (buffer, plan) => {
        expect(buffer, label).toBeInstanceOf(Uint8Array);
        expect([...buffer], `${label}: lent bytes`).toEqual(plan.content);
        const ref = m.refOf(t, handle)!;
        const obj = m.obj(ref.obj);
        if (obj.type === 'shared-memory-stream') {
          if (buffer.length === 0 && m.streamEnded(obj.id)) tag('stream read at end-of-stream');
          else if (buffer.length < Math.min(obj.fifo.length, (a.length as number | undefined) ?? Infinity))
            tag('stream read cut at the ring end');
          else tag('stream read');
        }
        if (ref.consistency === 'exclusive') tag('exclusive read lease');
        leaseId = plan.commit();
        r.buffers.set(leaseId, buffer);
      },
    );
    // Half of the reads end at once (end_read or release); the rest stay outstanding for later commands.
    if (leaseId !== undefined && a.then !== 'hold') {
      const lease = m.leases[leaseId]!;
      await endReadStep(m, r, t, lease, r.buffers.get(leaseId), lease.handle, a.then);
    }
  }
  toString = () => `beginRead(${show(this.a)})`;
}
const beginReadArb = fc
  .record({
    t: taskSel,
    sel: handleArb,
    offset: offsetArb,
    length: optArb(fc.integer({ min: 0, max: 14 }), -1, 2.5, 2 ** 31),
    flags: flagsArb(1, 1, 0),
    bad: badOptionsArb,
    then: fc.constantFrom<unknown>('hold', 'hold', 0, 0, 1),
  })
  .map((a) => new BeginReadCmd(a));

async function endReadStep(
  m: KernelModel,
  r: Real,
  t: number,
  lease: MLease | undefined,
  buffer: unknown,
  handle: unknown,
  flags: unknown,
): Promise<void> {
  const label = `t${t}.endRead(${show(handle)}, ${show(buffer)}${lease ? ` [lease ${lease.id}]` : ''}, ${show(flags)})`;
  await perform(
    m,
    r,
    label,
    m.endRead(t, handle, lease, flags),
    () => r.sys[t]!.endRead(handle as never, buffer as never, flags as never),
    (valid, plan) => {
      expect(valid, `${label}: validity`).toBe(plan.valid);
      if (!valid) tag('end_read invalid after a commit');
      // A read the kernel calls valid saw bytes that did not change under it.
      if (valid && flags === 0 && m.obj(lease!.obj).type.endsWith('blob'))
        expect([...(buffer as Uint8Array)], `${label}: bytes of a valid read`).toEqual(lease!.data);
      plan.commit();
    },
  );
}

class EndReadCmd implements Cmd {
  constructor(readonly a: { t: number; lease: LeaseSel; otherRef: HandleSel | undefined; flags: unknown }) {}
  check = () => true;
  async run(m: KernelModel, r: Real): Promise<void> {
    const a = this.a;
    const t = pickTask(m, a.t, holdsLeases(m, 'read'));
    const { lease, buffer } = resolveLease(m, r, t, a.lease, 'read');
    const handle =
      a.otherRef !== undefined || lease === undefined
        ? resolveHandle(m, t, a.otherRef ?? { k: 'open', i: a.t }, 'bytes')
        : lease.handle;
    await endReadStep(m, r, t, lease, buffer, handle, a.flags);
  }
  toString = () => `endRead(${show(this.a)})`;
}
const endReadArb = fc
  .record({
    t: taskSel,
    lease: leaseArb,
    otherRef: fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: handleArb }),
    flags: flagsArb(0, 0, 1),
  })
  .map((a) => new EndReadCmd(a));

// ---- begin_write / end_write --------------------------------------------------------

/** Length of a write: one that fits a stream's free space (mostly), any small one, or not a length. */
type WriteLengthSel = { k: 'fit' | 'any'; i: number } | { k: 'bad'; v: unknown };
function resolveWriteLength(m: KernelModel, t: number, handle: unknown, sel: WriteLengthSel): unknown {
  if (sel.k === 'bad') return sel.v;
  if (sel.k === 'any') return sel.i;
  const ref = m.refOf(t, handle);
  const obj = ref === undefined ? undefined : m.obj(ref.obj);
  const room = obj?.type === 'shared-memory-stream' ? obj.capacity - obj.fifo.length : 10;
  return 1 + (sel.i % Math.max(1, room));
}

/** How much of a write buffer end_write commits. */
type LengthSel = { k: 'all' } | { k: 'part'; i: number } | { k: 'over' } | { k: 'bad'; v: unknown };
const lengthArb: fc.Arbitrary<LengthSel> = fc.oneof(
  { weight: 20, arbitrary: fc.constant({ k: 'all' as const }) },
  { weight: 12, arbitrary: fc.record({ k: fc.constant('part' as const), i: fc.nat(99) }) },
  { weight: 1, arbitrary: fc.constant({ k: 'over' as const }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('bad' as const), v: fc.constantFrom<unknown>(-1, 0.5, '2') }) },
);

class BeginWriteCmd implements Cmd {
  constructor(
    readonly a: {
      t: number;
      sel: HandleSel;
      length: WriteLengthSel;
      offset: OffsetSel;
      truncate: unknown;
      flags: unknown;
      data: number[];
      bad: BadOptions;
      then: { end: boolean; length: LengthSel; flags: unknown };
    },
  ) {}
  check = () => true;
  async run(m: KernelModel, r: Real): Promise<void> {
    const a = this.a;
    const t = pickTask(m, a.t, holdsBytes(m));
    const handle = resolveHandle(m, t, a.sel, 'writable');
    const options = withBadOptions(
      compact({ offset: resolveOffset(m, t, handle, a.offset), truncate: a.truncate }),
      a.bad,
    );
    const length = resolveWriteLength(m, t, handle, a.length);
    let flags = a.flags;
    let prediction = m.beginWrite(t, handle, length, options, flags);
    if (isFail(prediction) && prediction.wouldBlock) {
      // Keep APPEND (0x2) when it was asked for; add NONBLOCK so nothing waits.
      flags = typeof flags === 'number' ? flags | 1 : 1;
      prediction = m.beginWrite(t, handle, length, options, flags);
    }
    const label = `t${t}.beginWrite(${show(handle)}, ${show(length)}, ${show(options)}, ${show(flags)})`;
    let leaseId: number | undefined;
    await perform(
      m,
      r,
      label,
      prediction,
      () => r.sys[t]!.beginWrite(handle as never, length as never, options as never, flags as never),
      (buffer, plan) => {
        expect(buffer, label).toBeInstanceOf(Uint8Array);
        expect(buffer.length, `${label}: buffer length`).toBe(plan.length);
        if (plan.zeroed)
          expect([...buffer], `${label}: a fresh write buffer shows no earlier bytes`).toEqual(
            new Array(plan.length).fill(0),
          );
        // The task fills the buffer (all of it, so nothing depends on what it held).
        for (let i = 0; i < buffer.length; i++) buffer[i] = a.data[i % a.data.length]!;
        const obj = m.obj(m.refOf(t, handle)!.obj);
        if (
          obj.type === 'shared-memory-stream' &&
          ((obj.head + obj.fifo.length) % obj.capacity) + buffer.length > obj.capacity
        )
          tag('stream write wraps the ring');
        tag(`write lease on ${obj.type}`);
        leaseId = plan.commit([...buffer]);
        r.buffers.set(leaseId, buffer);
      },
    );
    // Half of the writes end at once (commit, discard or end-of-stream); the rest stay outstanding.
    if (leaseId !== undefined && a.then.end) {
      const lease = m.leases[leaseId]!;
      await endWriteStep(m, r, t, lease, r.buffers.get(leaseId), lease.handle, a.then.length, a.then.flags, 'no');
    }
  }
  toString = () => `beginWrite(${show(this.a)})`;
}
const beginWriteArb = fc
  .record({
    t: taskSel,
    sel: handleArb,
    length: fc.oneof(
      { weight: 16, arbitrary: fc.record({ k: fc.constant('fit' as const), i: fc.nat(99) }) },
      { weight: 14, arbitrary: fc.record({ k: fc.constant('any' as const), i: fc.integer({ min: 0, max: 10 }) }) },
      {
        weight: 1,
        arbitrary: fc.record({
          k: fc.constant('bad' as const),
          v: fc.constantFrom<unknown>(-1, 1.5, 2 ** 31, '3', undefined),
        }),
      },
    ),
    offset: offsetArb,
    truncate: optArb(fc.boolean(), 'yes', 1),
    flags: flagsArb(1, 1, 0, 3, 3),
    data: fc.array(fc.integer({ min: 1, max: 255 }), { minLength: 1, maxLength: 6 }),
    bad: badOptionsArb,
    then: fc.record({ end: fc.boolean(), length: lengthArb, flags: fc.constantFrom<unknown>(0, 0, 0, 0, 1, 2) }),
  })
  .map((a) => new BeginWriteCmd(a));

async function endWriteStep(
  m: KernelModel,
  r: Real,
  t: number,
  lease: MLease | undefined,
  buffer: unknown,
  handle: unknown,
  lengthSel: LengthSel,
  flags: unknown,
  bad: BadOptions,
): Promise<void> {
  const n = buffer instanceof Uint8Array ? buffer.length : 0;
  const length =
    lengthSel.k === 'all'
      ? undefined
      : lengthSel.k === 'part'
        ? lengthSel.i % (n + 1)
        : lengthSel.k === 'over'
          ? n + 1
          : lengthSel.v;
  const options = withBadOptions(compact({ length }), bad);
  const label = `t${t}.endWrite(${show(handle)}, ${show(buffer)}${lease ? ` [lease ${lease.id}]` : ''}, ${show(options)}, ${show(flags)})`;
  await perform(
    m,
    r,
    label,
    m.endWrite(t, handle, lease, options, flags),
    () => r.sys[t]!.endWrite(handle as never, buffer as never, options as never, flags as never),
    (version, plan) => {
      expect(version, `${label}: version`).toBe(plan.version);
      const obj = m.obj(lease!.obj);
      if (flags === 2) tag('stream end-of-stream commit');
      tag(`end_write ${flags === 1 ? 'discard' : 'commit'} on ${obj.type}`);
      if (obj.type.endsWith('blob') && flags === 0 && lease!.offset > obj.bytes.length)
        tag('blob commit past a truncated end (gap)');
      if (obj.type.endsWith('blob') && flags === 0 && lease!.truncate) tag('blob truncating commit');
      plan.commit();
    },
  );
}

class EndWriteCmd implements Cmd {
  constructor(
    readonly a: {
      t: number;
      lease: LeaseSel;
      otherRef: HandleSel | undefined;
      length: LengthSel;
      flags: unknown;
      bad: BadOptions;
    },
  ) {}
  check = () => true;
  async run(m: KernelModel, r: Real): Promise<void> {
    const a = this.a;
    const t = pickTask(m, a.t, holdsLeases(m, 'write'));
    const { lease, buffer } = resolveLease(m, r, t, a.lease, 'write');
    const handle =
      a.otherRef !== undefined || lease === undefined
        ? resolveHandle(m, t, a.otherRef ?? { k: 'open', i: a.t }, 'bytes')
        : lease.handle;
    await endWriteStep(m, r, t, lease, buffer, handle, a.length, a.flags, a.bad);
  }
  toString = () => `endWrite(${show(this.a)})`;
}
const endWriteArb = fc
  .record({
    t: taskSel,
    lease: leaseArb,
    otherRef: fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: handleArb }),
    length: lengthArb,
    flags: flagsArb(0, 0, 0, 0, 1, 2, 3),
    bad: badOptionsArb,
  })
  .map((a) => new EndWriteCmd(a));

// ---- composite: traffic through one object ------------------------------------------

/**
 * A write (begin + commit) into a stream or blob through one task's reference,
 * with a read of the same object through another's around it: for a blob the
 * read begins before the commit and ends after it (so it must be invalid), for
 * a stream it follows the commit (so data moves round the ring). Each call is
 * an ordinary checked step; any of them may fail as the model says.
 */
class TrafficCmd implements Cmd {
  constructor(
    readonly a: {
      stream: boolean;
      pick: number;
      w: number;
      rd: number;
      length: number;
      readLength: number;
      data: number[];
    },
  ) {}
  check = () => true;
  async run(m: KernelModel, r: Real): Promise<void> {
    const a = this.a;
    const type = a.stream ? /stream/ : /blob/;
    const objs = m.objects.filter((o) => !o.destroyed && type.test(o.type));
    if (objs.length === 0) return;
    const obj = objs[a.pick % objs.length]!;
    const holders = m.refsTo(obj.id).filter((x) => x.task.state === 'running');
    const writers = holders.filter((x) => x.ref.rights & 0x2);
    const readers = holders.filter((x) => x.ref.rights & 0x1);
    if (writers.length === 0 || readers.length === 0) return;
    const w = writers[a.w % writers.length]!;
    const rd = readers[a.rd % readers.length]!;
    const room = obj.capacity - obj.fifo.length;
    const length = a.stream ? 1 + (a.length % Math.max(1, room)) : a.length % 6;
    const read = async () => {
      const p = m.beginRead(rd.task.id, rd.ref.handle, { length: a.readLength }, 1);
      let id: number | undefined;
      const label = `t${rd.task.id}.beginRead(${rd.ref.handle}, {length: ${a.readLength}}, NONBLOCK)`;
      await perform(
        m,
        r,
        label,
        p,
        () => r.sys[rd.task.id]!.beginRead(rd.ref.handle, { length: a.readLength }, 1),
        (buffer, plan) => {
          expect([...buffer], `${label}: lent bytes`).toEqual(plan.content);
          if (a.stream)
            tag(
              buffer.length < Math.min(obj.fifo.length, a.readLength)
                ? 'stream read cut at the ring end'
                : 'stream read (traffic)',
            );
          id = plan.commit();
          r.buffers.set(id, buffer);
        },
      );
      return id;
    };
    const readId = a.stream ? undefined : await read();
    const wp = m.beginWrite(w.task.id, w.ref.handle, length, undefined, 1);
    let writeId: number | undefined;
    const wlabel = `t${w.task.id}.beginWrite(${w.ref.handle}, ${length}, undefined, NONBLOCK)`;
    await perform(
      m,
      r,
      wlabel,
      wp,
      () => r.sys[w.task.id]!.beginWrite(w.ref.handle, length, undefined, 1),
      (buffer, plan) => {
        expect(buffer.length, `${wlabel}: buffer length`).toBe(plan.length);
        for (let i = 0; i < buffer.length; i++) buffer[i] = a.data[i % a.data.length]!;
        if (a.stream && ((obj.head + obj.fifo.length) % obj.capacity) + buffer.length > obj.capacity)
          tag('stream write wraps the ring');
        writeId = plan.commit([...buffer]);
        r.buffers.set(writeId, buffer);
      },
    );
    if (writeId !== undefined)
      await endWriteStep(
        m,
        r,
        w.task.id,
        m.leases[writeId],
        r.buffers.get(writeId),
        w.ref.handle,
        { k: 'all' },
        0,
        'no',
      );
    const id = a.stream ? await read() : readId;
    if (id !== undefined && !m.leases[id]!.returned)
      await endReadStep(m, r, rd.task.id, m.leases[id], r.buffers.get(id), rd.ref.handle, 0);
  }
  toString = () => `traffic(${show(this.a)})`;
}
const trafficArb = fc
  .record({
    stream: fc.boolean(),
    pick: fc.nat(99),
    w: fc.nat(99),
    rd: fc.nat(99),
    length: fc.nat(99),
    readLength: fc.integer({ min: 0, max: 12 }),
    data: fc.array(fc.integer({ min: 1, max: 255 }), { minLength: 1, maxLength: 6 }),
  })
  .map((a) => new TrafficCmd(a));

/**
 * Two writes to one blob at once: one at the blob's end, then a truncating
 * write at offset `cut` commits first; the first write's commit then lands
 * past the new end, and the gap must read as zeros (blobs have no holes).
 */
class GapCmd implements Cmd {
  constructor(readonly a: { pick: number; cut: number; length: number; data: number[] }) {}
  check = () => true;
  async run(m: KernelModel, r: Real): Promise<void> {
    const a = this.a;
    const writable = m.tasks.flatMap((task) =>
      task.state === 'running'
        ? task.refs
            .filter((ref) => ref.rights & 0x2 && m.obj(ref.obj).type.endsWith('blob'))
            .map((ref) => ({ task, ref }))
        : [],
    );
    if (writable.length === 0) return;
    const { task, ref } = writable[a.pick % writable.length]!;
    const t = task.id;
    const obj = m.obj(ref.obj);
    const leaseIds: number[] = [];
    const begin = async (length: number, options: { offset: number; truncate?: boolean }) => {
      const label = `t${t}.beginWrite(${ref.handle}, ${length}, ${show(options)}, NONBLOCK)`;
      await perform(
        m,
        r,
        label,
        m.beginWrite(t, ref.handle, length, options, 1),
        () => r.sys[t]!.beginWrite(ref.handle, length, options, 1),
        (buffer, plan) => {
          for (let i = 0; i < buffer.length; i++) buffer[i] = a.data[i % a.data.length]!;
          const id = plan.commit([...buffer]);
          r.buffers.set(id, buffer);
          leaseIds.push(id);
        },
      );
    };
    await begin(a.length, { offset: obj.bytes.length });
    await begin(1, { offset: a.cut % (obj.bytes.length + 1), truncate: true });
    for (const id of leaseIds.reverse()) {
      const lease = m.leases[id]!;
      if (lease.returned) continue;
      if (lease.offset > obj.bytes.length) tag('blob commit past a truncated end (gap)');
      await endWriteStep(m, r, t, lease, r.buffers.get(id), ref.handle, { k: 'all' }, 0, 'no');
    }
  }
  toString = () => `gap(${show(this.a)})`;
}
const gapArb = fc
  .record({
    pick: fc.nat(99),
    cut: fc.nat(99),
    length: fc.integer({ min: 0, max: 3 }),
    data: fc.array(fc.integer({ min: 1, max: 255 }), { minLength: 1, maxLength: 3 }),
  })
  .map((a) => new GapCmd(a));

// ---- the host: console input ------------------------------------------------------

class ConsoleInputCmd implements Cmd {
  constructor(readonly a: { bytes: number[]; end: boolean }) {}
  check = () => true;
  async run(m: KernelModel, r: Real): Promise<void> {
    if (this.a.end) {
      r.kernel.console.endInput();
      m.endConsoleInput();
    } else {
      r.kernel.console.pushInput(Uint8Array.from(this.a.bytes));
      m.pushConsoleInput(this.a.bytes);
    }
    compare(m, r, this.toString());
  }
  toString = () => (this.a.end ? 'console.endInput()' : `console.pushInput(${show(this.a.bytes)})`);
}
const consoleArb = fc
  .record({ bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 5 }), end: fc.nat(9).map((n) => n === 0) })
  .map((a) => new ConsoleInputCmd(a));

/** All commands, weighted toward the calls that change state. */
export const allCommands: fc.Arbitrary<Cmd>[] = [
  ...Array<fc.Arbitrary<Cmd>>(6).fill(createArb),
  ...Array<fc.Arbitrary<Cmd>>(4).fill(lookupArb),
  ...Array<fc.Arbitrary<Cmd>>(4).fill(copyArb),
  ...Array<fc.Arbitrary<Cmd>>(3).fill(deleteArb),
  ...Array<fc.Arbitrary<Cmd>>(2).fill(runArb),
  ...Array<fc.Arbitrary<Cmd>>(2).fill(selectArb),
  ...Array<fc.Arbitrary<Cmd>>(4).fill(beginReadArb),
  endReadArb,
  ...Array<fc.Arbitrary<Cmd>>(6).fill(beginWriteArb),
  ...Array<fc.Arbitrary<Cmd>>(2).fill(endWriteArb),
  ...Array<fc.Arbitrary<Cmd>>(3).fill(trafficArb),
  gapArb,
  consoleArb,
];
