/**
 * The comparison after every step: the rights invariant, then the kernel's
 * observed state against the model's, then the kernel's own invariant check.
 * @module
 */
import { formatRights } from '../../core/abi/flags.js';
import type { KernelModel } from '../model/kernel-model.js';
import { expectSame, ModelMismatchError } from './mismatch.js';
import type { ObservedState } from './observed-state.js';
import type { SystemUnderTest } from './system-under-test.js';

/**
 * The rights invariant, checked after every step before anything else: every reference a task holds in the kernel
 * carries no right beyond what was delegated to it (copy, run), what its maker gets (create, run, the kernel's own
 * setup), or what a lookup may grant (the scope rights within the object's lookup mask), as the model recorded when
 * it was made; and every membership no right beyond the group reference it was made from. A reference the model
 * does not know of may carry nothing.
 */
export function checkRightsBounds(m: KernelModel, observed: ObservedState, label: string): void {
  const beyond: string[] = [];
  for (const task of m.tasks) {
    const real = observed.tasks[task.id]!;
    for (const ref of real.refs) {
      const bound = m.bounds[`${task.id}:${ref.handle}`] ?? 0;
      if (ref.rights & ~bound)
        beyond.push(
          `task ${task.id} ref ${ref.handle} has ${formatRights(ref.rights)}, at most ${formatRights(bound)} allowed`,
        );
    }
    real.memberships.forEach((g, i) => {
      const bound = m.bounds[`${task.id}@${i}`] ?? 0;
      if (g.rights & ~bound)
        beyond.push(
          `task ${task.id} membership ${i} has ${formatRights(g.rights)}, at most ${formatRights(bound)} allowed`,
        );
    });
  }
  if (beyond.length > 0)
    throw new ModelMismatchError(label, 'rights beyond what was delegated or the object allows', [], beyond);
}

/** Holds an observed state to the model: the same objects, tasks, references, leases and console output. */
export function compareObserved(
  m: KernelModel,
  observed: ObservedState,
  buffers: ReadonlyMap<number, Uint8Array>,
  label: string,
): void {
  checkRightsBounds(m, observed, label);
  const same = (what: string, actual: unknown, expected: unknown) => expectSame(label, what, actual, expected);

  // Objects: exactly the live ones, with the model's type, lifecycle, version, reference count and contents.
  const alive = m.objects.filter((o) => !o.destroyed);
  // The kernel's status object (a read-only snapshot device) is not modelled: it changes nothing the model tracks.
  const modelled = observed.objects.filter((o) => o.type !== 'kernel-status');
  const byKey = new Map(modelled.map((o) => [o.key, o]));
  same('object table', modelled.map((o) => o.key).sort(), alive.map((o) => o.key).sort());
  same(
    'task table',
    observed.taskTable,
    alive
      .filter((o) => o.type === 'task')
      .map((o) => o.key)
      .sort(),
  );
  for (const o of alive) {
    const real = byKey.get(o.key)!;
    const what = (s: string) => `${o.type} #${o.id} ${s}`;
    same(what('type'), real.type, o.type);
    same(what('lifecycle'), real.lifecycle, o.lifecycle);
    same(what('lookup mask'), real.lookupMask, o.mask);
    same(what('destroyed'), real.destroyed, false);
    same(what('version'), real.version, o.version);
    same(what('reference count'), real.refCount, m.refCount(o.id));
    same(what('size'), real.size, m.size(o.id));
    if (o.type.endsWith('blob')) {
      same(what('bytes'), real.blob?.bytes, o.bytes);
      same(what('locks'), real.blob?.locks, m.blobLocks(o.id));
    } else if (o.type === 'shared-memory-stream') {
      same(what('capacity'), real.stream?.capacity, o.capacity);
      same(what('ended'), real.stream?.ended, m.streamEnded(o.id));
      same(what('leases'), real.stream?.leases, { reading: m.leased(o.id, 'read'), writing: m.leased(o.id, 'write') });
    } else if (o.type === 'group') {
      const members = alive.filter((x) => x.indexGroup === o.id).map((x) => x.key);
      same(what('index'), real.group?.index, members.sort());
    } else if (o.type === 'task') {
      const task = m.task(o.task!);
      same(what('identity'), observed.tasks[task.id]?.key, o.key);
      same(what('state'), real.task?.state, task.state);
      same(what('exit status'), real.task?.exitStatus, task.exitStatus);
    }
  }
  same('console output', observed.console, m.consoleObj().output);

  // Reference tables: handles, objects, rights, policies, parents and outstanding leases.
  for (const task of m.tasks) {
    const real = observed.tasks[task.id];
    const what = (s: string) => `task ${task.id} ${s}`;
    if (real === undefined) throw new ModelMismatchError(label, what('observation'), task.key, undefined);
    same(what('state'), real.state, task.state);
    same(what('next handle'), real.nextHandle, task.nextHandle);
    same(what('name counter'), real.counter, task.counter);
    same(what('self handle'), real.self, task.self);
    const handles = task.refs.map((x) => x.handle).sort((a, b) => a - b);
    same(
      what('handles'),
      real.refs.map((r) => r.handle),
      handles,
    );
    same(what('handles (task view)'), real.handles, handles);
    const refs = new Map(real.refs.map((r) => [r.handle, r]));
    for (const ref of task.refs) {
      const kref = refs.get(ref.handle)!;
      const obj = m.obj(ref.obj);
      const h = (s: string) => what(`ref ${ref.handle} ${s}`);
      same(h('object'), kref.object, obj.key);
      same(h('open'), kref.open, true);
      same(h('rights'), kref.rights, ref.rights);
      same(h('consistency'), kref.consistency, ref.consistency);
      same(h('buffer sizes'), [kref.readBufferSize, kref.writeBufferSize], [ref.readBuf, ref.writeBuf]);
      const parent =
        ref.parent === undefined ? undefined : { task: m.task(ref.parent.task).key, id: ref.parent.handle };
      same(h('parent'), kref.parent, parent);
      const leases = m.leasesOfRef(task.id, ref.handle);
      same(h('lease count'), kref.leases.size, leases.length);
      for (const l of leases) same(h(`lease ${l.id}`), kref.leases.get(buffers.get(l.id)!), l.kind);
      // The task's read-only view agrees too.
      const view = kref.view;
      same(h('view type'), view.type, obj.type);
      same(h('view open'), view.open, true);
      same(h('view version'), view.version, obj.version);
      same(h('view size'), view.size, m.size(obj.id));
      same(h('view consistency'), view.consistency, ref.consistency);
      same(h('view ioReady'), view.ioReady, m.isReady(ref, 'read'));
      if (obj.type === 'task') {
        const t = m.task(obj.task!);
        same(h('view task status'), view.task, { state: t.state, exitStatus: t.exitStatus });
      }
    }
  }
}

/** Compares the system with the model after a step, then runs the kernel's own invariant check. */
export function compare(m: KernelModel, r: SystemUnderTest, label: string): void {
  compareObserved(m, r.observe(), r.buffers, label);
  try {
    r.kernel.checkInvariants();
  } catch (error) {
    throw new ModelMismatchError(label, "the kernel's invariants", 'hold', String(error), { cause: error });
  }
}
