/**
 * The real side of the model-based tests: a booted kernel and its tasks, and
 * the comparison of kernel state against the model after every step (plus a
 * model-independent fingerprint, to show that a failing call changed nothing).
 */
import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';
import { formatRights, isDiosError, type Kernel, type TaskContext } from '@dios/kernel';
import { BlobObject } from '../../src/core/objects/blob.js';
import { ConsoleObject } from '../../src/core/objects/console.js';
import { GroupObject } from '../../src/core/objects/group.js';
import { StreamObject } from '../../src/core/objects/stream.js';
import { TaskObject } from '../../src/core/objects/task.js';
import { isFail, type Fail, type KernelModel } from './model.js';

/** The system under test. Task i of the model is `sys[i]` / `tasks[i]`. */
export interface Real {
  kernel: Kernel;
  sys: TaskContext[];
  tasks: TaskObject[];
  /** Buffers lent by the kernel, by model lease id. */
  buffers: Map<number, Uint8Array>;
  /** Every byte the console sink received. */
  consoleOut: number[];
}

const CALL_TIMEOUT_MS = 2000;

/** Outcome counts per call (`create: EINVAL`, `select: ok`), to see what the generated sequences exercise. */
export const stats = new Map<string, number>();
/** Counts a notable case (shown with the statistics). */
export function tag(name: string): void {
  stats.set(`~ ${name}`, (stats.get(`~ ${name}`) ?? 0) + 1);
}
function count(label: string, outcome: string): void {
  const call = /\.(\w+)\(/.exec(label)?.[1] ?? label;
  const key = `${call}: ${outcome}`;
  stats.set(key, (stats.get(key) ?? 0) + 1);
}

/** Outcome of a call, with a guard against calls that block when the model says they must not. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
export async function settle<T>(label: string, promise: Promise<T>): Promise<Settled<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${label}: still pending after ${CALL_TIMEOUT_MS} ms (the call blocked)`)),
      CALL_TIMEOUT_MS,
    );
  });
  try {
    return { ok: true, value: await Promise.race([promise, timeout]) };
  } catch (error) {
    if (error instanceof Error && error.message.includes('the call blocked')) throw error;
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

const show = (v: unknown): string => {
  if (v instanceof Uint8Array) return `Uint8Array[${[...v].join(',')}]`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

/**
 * Runs one call against the kernel and holds it to the model's prediction:
 * the same errno, or success (then `onSuccess` checks the value and commits
 * the model). A failing call must leave both the model and the kernel as
 * they were. Afterwards the whole state is compared and the invariants run.
 */
export async function perform<T, P>(
  m: KernelModel,
  r: Real,
  label: string,
  prediction: Fail | P,
  call: () => Promise<T>,
  onSuccess: (value: T, plan: P) => void,
): Promise<void> {
  const failing = isFail(prediction);
  const modelBefore = failing ? m.snapshot() : '';
  const kernelBefore = failing ? fingerprint(r) : undefined;
  const outcome = await settle(label, call());
  count(
    label,
    outcome.ok
      ? 'ok'
      : isDiosError(outcome.error)
        ? `${outcome.error.code}${process.env.DIOS_MODEL_STATS === '2' ? ` ${outcome.error.argument}` : ''}`
        : 'other',
  );
  if (isFail(prediction)) {
    if (outcome.ok)
      throw new Error(`${label}: expected ${prediction.fail}, but the call succeeded with ${show(outcome.value)}`);
    if (!isDiosError(outcome.error)) throw outcome.error;
    expect(outcome.error.code, `${label}: ${outcome.error.message}`).toBe(prediction.fail);
    expect(m.snapshot(), `${label}: the model changed on a failing call`).toBe(modelBefore);
    expect(fingerprint(r), `${label}: the kernel changed on a failing call`).toEqual(kernelBefore);
  } else {
    if (!outcome.ok) {
      const e = outcome.error;
      throw new Error(`${label}: expected success, but got ${isDiosError(e) ? e.message : String(e)}`);
    }
    onSuccess(outcome.value, prediction);
  }
  compare(m, r, label);
}

/**
 * The rights invariant, checked after every step before anything else: every reference a task holds in the kernel
 * carries no right beyond what was delegated to it (copy, run), what its maker gets (create, run, the kernel's own
 * setup), or what a lookup may grant (the scope rights within the object's lookup mask), as the model recorded when
 * it was made; and every membership no right beyond the group reference it was made from. A reference the model
 * does not know of may carry nothing.
 */
export function checkRightsBounds(m: KernelModel, r: Real, label: string): void {
  const beyond: string[] = [];
  for (const task of m.tasks) {
    const real = r.tasks[task.id]!;
    for (const [handle, ref] of real.table) {
      const bound = m.bounds[`${task.id}:${handle}`] ?? 0;
      if (ref.rights & ~bound)
        beyond.push(
          `task ${task.id} ref ${handle} (${ref.object.type}) has ${formatRights(ref.rights)}, at most ${formatRights(bound)} allowed`,
        );
    }
    real.setup.groups.forEach((g, i) => {
      const bound = m.bounds[`${task.id}@${i}`] ?? 0;
      if (g.rights & ~bound)
        beyond.push(
          `task ${task.id} membership ${i} has ${formatRights(g.rights)}, at most ${formatRights(bound)} allowed`,
        );
    });
  }
  if (beyond.length > 0)
    throw new Error(`${label}: rights beyond what was delegated or the object allows: ${beyond.join('; ')}`);
}

/** Everything about the kernel a failing call must not change, read from its internals. */
export function fingerprint(r: Real): unknown {
  const k = r.kernel;
  const objects = [...k.objects.values()]
    .map((o) => {
      const base = {
        key: o.name.key,
        type: o.type,
        version: o.version,
        size: o.size,
        refCount: o.refCount,
        destroyed: o.destroyed,
      };
      if (o instanceof BlobObject) return { ...base, bytes: [...new Uint8Array(o.backing, 0, o.size)], locks: o.locks };
      if (o instanceof StreamObject) return { ...base, ended: o.ended, leased: o.leased };
      if (o instanceof GroupObject) return { ...base, members: [...o.members()].map((x) => x.name.key).sort() };
      if (o instanceof TaskObject) return { ...base, state: o.state, exit: o.exitStatus };
      return base;
    })
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  const tasks = r.tasks.map((t) => ({
    state: t.state,
    nextHandle: t.nextHandle,
    counter: t.counter,
    table: [...t.table.values()].map((ref) => [ref.id, ref.object.name.key, ref.rights, ref.open, ref.leases.size]),
  }));
  return { objects, tasks, console: r.consoleOut.length };
}

/** Cheap equality for the hundreds of checks per step; vitest's expect (with its diff) only on a mismatch. */
function same(actual: unknown, expected: unknown, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual, what).toEqual(expected);
}

/** Checks the rights invariant, asserts that the kernel's state is the model's state, then runs the kernel's own invariant check. */
export function compare(m: KernelModel, r: Real, label: string): void {
  checkRightsBounds(m, r, label);
  const k = r.kernel;
  const at = (what: string) => `${label}: ${what}`;

  // Objects: exactly the live ones, with the model's type, lifecycle, version, reference count and contents.
  const alive = m.objects.filter((o) => !o.destroyed);
  // The kernel's status object (a read-only snapshot device) is not modelled: it changes nothing the model tracks.
  const modelled = [...k.objects.values()].filter((o) => o.type !== 'kernel-status');
  same(modelled.map((o) => o.name.key).sort(), alive.map((o) => o.key).sort(), at('object table'));
  same(
    [...k.tasks.keys()].sort(),
    alive
      .filter((o) => o.type === 'task')
      .map((o) => o.key)
      .sort(),
    at('task table'),
  );
  for (const o of alive) {
    const real = k.objects.get(o.key)!;
    const what = (s: string) => at(`${o.type} #${o.id} ${s}`);
    same(real.type, o.type, what('type'));
    same(real.lifecycle, o.lifecycle, what('lifecycle'));
    same(real.lookupRights, o.mask, what('lookup mask'));
    same(real.destroyed, false, what('destroyed'));
    same(real.version, o.version, what('version'));
    same(real.refCount, m.refCount(o.id), what('reference count'));
    same(real.size, m.size(o.id), what('size'));
    if (real instanceof BlobObject) {
      same([...new Uint8Array(real.backing, 0, real.size)], o.bytes, what('bytes'));
      same(real.locks, m.blobLocks(o.id), what('locks'));
    } else if (real instanceof StreamObject) {
      same(real.capacity, o.capacity, what('capacity'));
      same(real.ended, m.streamEnded(o.id), what('ended'));
      same(real.leased, { reading: m.leased(o.id, 'read'), writing: m.leased(o.id, 'write') }, what('leases'));
    } else if (real instanceof GroupObject) {
      const members = alive.filter((x) => x.indexGroup === o.id).map((x) => x.key);
      same(
        [...real.members()]
          .filter((x) => x.type !== 'kernel-status')
          .map((x) => x.name.key)
          .sort(),
        members.sort(),
        what('index'),
      );
    } else if (real instanceof TaskObject) {
      const task = m.task(o.task!);
      if (real !== r.tasks[task.id]) expect(real, what('identity')).toBe(r.tasks[task.id]);
      same(real.state, task.state, what('state'));
      same(real.exitStatus, task.exitStatus, what('exit status'));
    } else {
      expect(real).toBeInstanceOf(ConsoleObject);
    }
  }
  same(r.consoleOut, m.consoleObj().output, at('console output'));

  // Reference tables: handles, objects, rights, policies, parents and outstanding leases.
  for (const task of m.tasks) {
    const real = r.tasks[task.id]!;
    const sys = r.sys[task.id]!;
    const what = (s: string) => at(`task ${task.id} ${s}`);
    same(real.state, task.state, what('state'));
    same(real.nextHandle, task.nextHandle, what('next handle'));
    same(real.counter, task.counter, what('name counter'));
    same(sys.self, task.self, what('self handle'));
    const handles = task.refs.map((x) => x.handle).sort((a, b) => a - b);
    same(
      [...real.table.keys()].sort((a, b) => a - b),
      handles,
      what('handles'),
    );
    same(sys.handles, handles, what('handles (task view)'));
    for (const ref of task.refs) {
      const kref = real.table.get(ref.handle)!;
      const obj = m.obj(ref.obj);
      const h = (s: string) => what(`ref ${ref.handle} ${s}`);
      if (kref.object !== k.objects.get(obj.key)) expect(kref.object, h('object')).toBe(k.objects.get(obj.key));
      same(kref.open, true, h('open'));
      same(kref.rights, ref.rights, h('rights'));
      same(kref.consistency, ref.consistency, h('consistency'));
      same([kref.readBufferSize, kref.writeBufferSize], [ref.readBuf, ref.writeBuf], h('buffer sizes'));
      const parent =
        ref.parent === undefined ? undefined : { task: m.task(ref.parent.task).key, id: ref.parent.handle };
      same(kref.parent, parent, h('parent'));
      const leases = m.leasesOfRef(task.id, ref.handle);
      same(kref.leases.size, leases.length, h('lease count'));
      for (const l of leases) {
        const lent = kref.leases.get(r.buffers.get(l.id)!);
        same(lent?.kind, l.kind, h(`lease ${l.id}`));
      }
      // The task's read-only view agrees too.
      const view = sys.ref(ref.handle);
      same(view.type, obj.type, h('view type'));
      same(view.open, true, h('view open'));
      same(view.version, obj.version, h('view version'));
      same(view.size, m.size(obj.id), h('view size'));
      same(view.consistency, ref.consistency, h('view consistency'));
      same(view.ioReady, m.isReady(ref, 'read'), h('view ioReady'));
      if (obj.type === 'task') {
        const t = m.task(obj.task!);
        same(view.task, { state: t.state, exitStatus: t.exitStatus }, h('view task status'));
      }
    }
  }

  k.checkInvariants();
}
