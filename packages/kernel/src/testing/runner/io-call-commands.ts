/**
 * The commands of the I/O calls: begin_read, end_read, begin_write and end_write.
 * @module
 */
import fc from 'fast-check';
import type { KernelModel } from '../model/kernel-model.js';
import { isFail, type MLease } from '../model/model-types.js';
import { expectSame, ModelMismatchError } from './mismatch.js';
import { perform } from './perform.js';
import type { SystemUnderTest } from './system-under-test.js';
import {
  badOptionsArb,
  compact,
  flagsArb,
  handleArb,
  holdsBytes,
  holdsLeases,
  leaseArb,
  optArb,
  pickTask,
  resolveHandle,
  resolveLease,
  show,
  tag,
  taskSel,
  withBadOptions,
  type BadOptions,
  type Cmd,
  type HandleSel,
  type LeaseSel,
} from './command-support.js';

// ---- begin_read / end_read --------------------------------------------------------

/** An offset: absent, inside the object (mostly), past its end, or not an offset at all. */
export type OffsetSel = { k: 'none' } | { k: 'in'; i: number } | { k: 'past'; i: number } | { k: 'bad'; v: unknown };
export const offsetArb: fc.Arbitrary<OffsetSel> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ k: 'none' as const }) },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('in' as const), i: fc.nat(99) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('past' as const), i: fc.nat(3) }) },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('bad' as const), v: fc.constantFrom<unknown>(-1, 1.5, 2 ** 31, '0') }),
  },
  { weight: 20, arbitrary: fc.record({ k: fc.constant('in' as const), i: fc.nat(99) }) },
);
export function resolveOffset(m: KernelModel, t: number, handle: unknown, sel: OffsetSel): unknown {
  if (sel.k === 'none') return undefined;
  if (sel.k === 'bad') return sel.v;
  const ref = m.refOf(t, handle);
  const obj = ref === undefined ? undefined : m.obj(ref.obj);
  // Blobs take any offset up to their size; other objects only 0 (anything else now and then).
  const size = obj !== undefined && obj.type.endsWith('blob') ? obj.bytes.length : sel.i % 7 === 0 ? 2 : 0;
  return sel.k === 'in' ? sel.i % (size + 1) : size + 1 + sel.i;
}

export class BeginReadCmd implements Cmd {
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
  async run(m: KernelModel, r: SystemUnderTest): Promise<void> {
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
        if (!(buffer instanceof Uint8Array)) throw new ModelMismatchError(label, 'buffer', 'a Uint8Array', buffer);
        expectSame(label, 'lent bytes', [...buffer], plan.content);
        const ref = m.refOf(t, handle)!;
        const obj = m.obj(ref.obj);
        if (obj.type === 'shared-memory-stream') {
          if (buffer.length === 0 && m.streamEnded(obj.id)) tag(r, 'stream read at end-of-stream');
          else if (buffer.length < Math.min(obj.fifo.length, (a.length as number | undefined) ?? Infinity))
            tag(r, 'stream read cut at the ring end');
          else tag(r, 'stream read');
        }
        if (ref.consistency === 'exclusive') tag(r, 'exclusive read lease');
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
export const beginReadArb = fc
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

export async function endReadStep(
  m: KernelModel,
  r: SystemUnderTest,
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
      expectSame(label, 'validity', valid, plan.valid);
      if (!valid) tag(r, 'end_read invalid after a commit');
      // A read the kernel calls valid saw bytes that did not change under it.
      if (valid && flags === 0 && m.obj(lease!.obj).type.endsWith('blob'))
        expectSame(label, 'bytes of a valid read', [...(buffer as Uint8Array)], lease!.data);
      plan.commit();
    },
  );
}

export class EndReadCmd implements Cmd {
  constructor(readonly a: { t: number; lease: LeaseSel; otherRef: HandleSel | undefined; flags: unknown }) {}
  check = () => true;
  async run(m: KernelModel, r: SystemUnderTest): Promise<void> {
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
export const endReadArb = fc
  .record({
    t: taskSel,
    lease: leaseArb,
    otherRef: fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: handleArb }),
    flags: flagsArb(0, 0, 1),
  })
  .map((a) => new EndReadCmd(a));

// ---- begin_write / end_write --------------------------------------------------------

/** Length of a write: one that fits a stream's free space (mostly), any small one, or not a length. */
export type WriteLengthSel = { k: 'fit' | 'any'; i: number } | { k: 'bad'; v: unknown };
export function resolveWriteLength(m: KernelModel, t: number, handle: unknown, sel: WriteLengthSel): unknown {
  if (sel.k === 'bad') return sel.v;
  if (sel.k === 'any') return sel.i;
  const ref = m.refOf(t, handle);
  const obj = ref === undefined ? undefined : m.obj(ref.obj);
  const room = obj?.type === 'shared-memory-stream' ? obj.capacity - obj.fifo.length : 10;
  return 1 + (sel.i % Math.max(1, room));
}

/** How much of a write buffer end_write commits. */
export type LengthSel = { k: 'all' } | { k: 'part'; i: number } | { k: 'over' } | { k: 'bad'; v: unknown };
export const lengthArb: fc.Arbitrary<LengthSel> = fc.oneof(
  { weight: 20, arbitrary: fc.constant({ k: 'all' as const }) },
  { weight: 12, arbitrary: fc.record({ k: fc.constant('part' as const), i: fc.nat(99) }) },
  { weight: 1, arbitrary: fc.constant({ k: 'over' as const }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('bad' as const), v: fc.constantFrom<unknown>(-1, 0.5, '2') }) },
);

export class BeginWriteCmd implements Cmd {
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
  async run(m: KernelModel, r: SystemUnderTest): Promise<void> {
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
        if (!(buffer instanceof Uint8Array)) throw new ModelMismatchError(label, 'buffer', 'a Uint8Array', buffer);
        expectSame(label, 'buffer length', buffer.length, plan.length);
        if (plan.zeroed)
          expectSame(label, 'a fresh write buffer shows no earlier bytes', [...buffer], new Array(plan.length).fill(0));
        // The task fills the buffer (all of it, so nothing depends on what it held).
        for (let i = 0; i < buffer.length; i++) buffer[i] = a.data[i % a.data.length]!;
        const obj = m.obj(m.refOf(t, handle)!.obj);
        if (
          obj.type === 'shared-memory-stream' &&
          ((obj.head + obj.fifo.length) % obj.capacity) + buffer.length > obj.capacity
        )
          tag(r, 'stream write wraps the ring');
        tag(r, `write lease on ${obj.type}`);
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
export const beginWriteArb = fc
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

export async function endWriteStep(
  m: KernelModel,
  r: SystemUnderTest,
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
      expectSame(label, 'version', version, plan.version);
      const obj = m.obj(lease!.obj);
      if (flags === 2) tag(r, 'stream end-of-stream commit');
      tag(r, `end_write ${flags === 1 ? 'discard' : 'commit'} on ${obj.type}`);
      if (obj.type.endsWith('blob') && flags === 0 && lease!.offset > obj.bytes.length)
        tag(r, 'blob commit past a truncated end (gap)');
      if (obj.type.endsWith('blob') && flags === 0 && lease!.truncate) tag(r, 'blob truncating commit');
      plan.commit();
    },
  );
}

export class EndWriteCmd implements Cmd {
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
  async run(m: KernelModel, r: SystemUnderTest): Promise<void> {
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
export const endWriteArb = fc
  .record({
    t: taskSel,
    lease: leaseArb,
    otherRef: fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: handleArb }),
    length: lengthArb,
    flags: flagsArb(0, 0, 0, 0, 1, 2, 3),
    bad: badOptionsArb,
  })
  .map((a) => new EndWriteCmd(a));
