/**
 * What the commands share: selectors (which reference, buffer or task a
 * command uses, resolved against the model when it runs, so that one command
 * can name an open reference, a deleted one, one never allocated, or a value
 * that is not a handle at all), small argument arbitraries, and helpers.
 * @module
 */
import fc from 'fast-check';
import type { KernelModel } from '../model/kernel-model.js';
import type { MLease, MRef } from '../model/model-types.js';
import { ModelMismatchError } from './mismatch.js';
import type { SystemUnderTest } from './system-under-test.js';

/** A step of a model run: one system call (or a few, or a host action), checked against the model. */
export type ModelCommand = fc.AsyncCommand<KernelModel, SystemUnderTest, boolean>;
/** Short for {@link ModelCommand}. */
export type Cmd = ModelCommand;

/** Counts a notable case in the run's statistics. */
export function tag(r: SystemUnderTest, name: string): void {
  r.statistics?.tag(name);
}

/** A name the kernel chose: 64 hex digits, and new. */
export function expectRandomName(m: KernelModel, label: string, key: string): void {
  if (!/^[0-9a-f]{64}$/.test(key)) throw new ModelMismatchError(label, 'name', '64 hex digits', key);
  if (m.knownNames.includes(key)) throw new ModelMismatchError(label, 'name', 'a new random name', key);
}

// ---- selectors ------------------------------------------------------------------

/** Which reference a command uses, resolved against the model at run time. */
export type HandleSel =
  { k: 'open'; i: number } | { k: 'deleted'; i: number } | { k: 'never'; i: number } | { k: 'junk'; v: unknown };
export type Prefer = 'any' | 'bytes' | 'readable' | 'writable' | 'task' | 'group' | 'notSelf' | 'binary';
export const BYTE_TYPE = /blob|stream/;

export const JUNK_HANDLES: unknown[] = [0, -1, 1.5, Number.NaN, '1', null, undefined, 2 ** 53];
export const handleArb: fc.Arbitrary<HandleSel> = fc.oneof(
  { weight: 40, arbitrary: fc.record({ k: fc.constant('open' as const), i: fc.nat(999) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('deleted' as const), i: fc.nat(999) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('never' as const), i: fc.nat(999) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('junk' as const), v: fc.constantFrom(...JUNK_HANDLES) }) },
);

export function prefers(m: KernelModel, t: number, ref: MRef, prefer: Prefer, i: number): boolean {
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

export const taskSel = fc.nat(99);
/**
 * The task a command runs in: mostly a running task for which `want` holds
 * (one that holds something to work on), sometimes any task, exited or not.
 */
export function pickTask(m: KernelModel, i: number, want: (t: number) => boolean = () => true): number {
  const candidates = m.tasks.filter((t) => t.state === 'running' && want(t.id));
  if (candidates.length > 0 && i % 16 !== 0) return candidates[i % candidates.length]!.id;
  return i % m.tasks.length;
}
export const holdsBytes = (m: KernelModel) => (t: number) =>
  m.task(t).refs.some((r) => BYTE_TYPE.test(m.obj(r.obj).type));
export const holdsOthers = (m: KernelModel) => (t: number) => m.task(t).refs.some((r) => r.handle !== m.task(t).self);
export const holdsLeases = (m: KernelModel, kind: 'read' | 'write') => (t: number) =>
  m.leases.some((l) => !l.returned && l.task === t && l.kind === kind);

/** Which buffer an end_read / end_write returns. */
export type LeaseSel =
  { k: 'own' | 'returned' | 'foreign'; i: number } | { k: 'fresh'; n: number } | { k: 'junk'; v: unknown };
export const leaseArb: fc.Arbitrary<LeaseSel> = fc.oneof(
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
export function resolveLease(
  m: KernelModel,
  r: SystemUnderTest,
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
    if (again !== undefined) tag(r, 'returned buffer lent again');
    return { lease: again ?? lease, buffer };
  }
  if (sel.k === 'junk') return { lease: undefined, buffer: sel.v };
  return { lease: undefined, buffer: new Uint8Array(sel.k === 'fresh' ? sel.n : 1) };
}

export const show = (v: unknown): string => {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  return JSON.stringify(v, (_k, x: unknown) =>
    x === undefined ? '<undefined>' : typeof x === 'number' && !Number.isFinite(x) ? String(x) : x,
  );
};

export const badFlags = fc.constantFrom<unknown>(0x4, 0x10, -1, 1.5, 2 ** 32, 2 ** 32 + 1, '1');
/** Flags: `valid` values mostly, sometimes garbage. */
export const flagsArb = (...valid: number[]) =>
  fc.oneof({ weight: 30, arbitrary: fc.constantFrom<unknown>(...valid) }, { weight: 1, arbitrary: badFlags });
/** An option value: absent, valid, or (rarely) invalid. */
export const optArb = <T>(valid: fc.Arbitrary<T>, ...bad: unknown[]) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant(undefined) },
    { weight: 24, arbitrary: valid },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(...bad) },
  );
/** Options that are not an options object, or carry an unknown key. */
export type BadOptions = 'no' | 'null' | 'array' | 'extra';
export const badOptionsArb = fc.oneof(
  { weight: 30, arbitrary: fc.constant<'no' | 'null' | 'array' | 'extra'>('no') },
  { weight: 1, arbitrary: fc.constantFrom('null' as const, 'array' as const, 'extra' as const) },
);
export function withBadOptions(options: Record<string, unknown> | undefined, bad: BadOptions): unknown {
  if (bad === 'null') return null;
  if (bad === 'array') return [];
  if (bad === 'extra') return { ...options, colour: 'red' };
  return options;
}
export function compact(o: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Seeds for deterministic names: few, so that the same name is asked for twice. */
export const SEEDS = ['a', 'b', 'out-1', '', 'ü'];
