/**
 * Composite commands (traffic through one object, a gap left by a truncation) and the host's console input.
 * @module
 */
import fc from 'fast-check';
import type { KernelModel } from '../model/kernel-model.js';
import { expectSame } from './mismatch.js';
import { perform } from './perform.js';
import { compare } from './compare.js';
import type { SystemUnderTest } from './system-under-test.js';
import { show, tag, type Cmd } from './command-support.js';
import { endReadStep, endWriteStep } from './io-call-commands.js';

// ---- composite: traffic through one object ------------------------------------------

/**
 * A write (begin + commit) into a stream or blob through one task's reference,
 * with a read of the same object through another's around it: for a blob the
 * read begins before the commit and ends after it (so it must be invalid), for
 * a stream it follows the commit (so data moves round the ring). Each call is
 * an ordinary checked step; any of them may fail as the model says.
 */
export class TrafficCmd implements Cmd {
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
  async run(m: KernelModel, r: SystemUnderTest): Promise<void> {
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
          expectSame(label, 'lent bytes', [...buffer], plan.content);
          if (a.stream)
            tag(
              r,
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
        expectSame(wlabel, 'buffer length', buffer.length, plan.length);
        for (let i = 0; i < buffer.length; i++) buffer[i] = a.data[i % a.data.length]!;
        if (a.stream && ((obj.head + obj.fifo.length) % obj.capacity) + buffer.length > obj.capacity)
          tag(r, 'stream write wraps the ring');
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
export const trafficArb = fc
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
export class GapCmd implements Cmd {
  constructor(readonly a: { pick: number; cut: number; length: number; data: number[] }) {}
  check = () => true;
  async run(m: KernelModel, r: SystemUnderTest): Promise<void> {
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
      if (lease.offset > obj.bytes.length) tag(r, 'blob commit past a truncated end (gap)');
      await endWriteStep(m, r, t, lease, r.buffers.get(id), ref.handle, { k: 'all' }, 0, 'no');
    }
  }
  toString = () => `gap(${show(this.a)})`;
}
export const gapArb = fc
  .record({
    pick: fc.nat(99),
    cut: fc.nat(99),
    length: fc.integer({ min: 0, max: 3 }),
    data: fc.array(fc.integer({ min: 1, max: 255 }), { minLength: 1, maxLength: 3 }),
  })
  .map((a) => new GapCmd(a));

// ---- the host: console input ------------------------------------------------------

export class ConsoleInputCmd implements Cmd {
  constructor(readonly a: { bytes: number[]; end: boolean }) {}
  check = () => true;
  async run(m: KernelModel, r: SystemUnderTest): Promise<void> {
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
export const consoleArb = fc
  .record({ bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 5 }), end: fc.nat(9).map((n) => n === 0) })
  .map((a) => new ConsoleInputCmd(a));

/** All commands, weighted toward the calls that change state. */
