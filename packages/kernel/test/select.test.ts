import { describe, expect, it } from 'vitest';
import { ObjectType, Rights, SelectFlags, type SelectOptions } from '@dios/kernel';
import { boot, enc, expectErrno, flush, installProgram, krefOf, track, writeAll } from './helpers.js';

async function setup() {
  const kernel = await boot();
  const sys = kernel.init;
  const a = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 4 });
  const b = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 4 });
  const objects = [krefOf(kernel, sys, a.ref).object, krefOf(kernel, sys, b.ref).object];
  // Registrations select leaves behind on the objects' wait queues (a leak if non-zero after it returns).
  const waiters = () => objects[0]!.changed.size + objects[1]!.changed.size;
  return { kernel, sys, a: a.ref, b: b.ref, waiters };
}

describe('select for reading', () => {
  it('returns at once when a reference is already ready, scanning from the one after the last it returned', async () => {
    const { kernel, sys, a, b } = await setup();
    await writeAll(sys, b, enc('x'));
    expect(await sys.select([a, b])).toBe(b);
    await writeAll(sys, a, enc('y'));
    expect(await sys.select([a, b])).toBe(a);
    expect(await sys.select([b, a])).toBe(b);
    kernel.checkInvariants();
  });

  it('waits until one becomes ready, then wakes with that one', async () => {
    const { kernel, sys, a, b, waiters } = await setup();
    const pending = track(sys.select([a, b]));
    await flush();
    expect(pending.settled).toBe(false);
    await writeAll(sys, b, enc('!'));
    expect(await pending.promise).toBe(b);
    expect(waiters()).toBe(0);
    kernel.checkInvariants();
  });

  it('a begin_write that is not yet committed does not make a stream readable', async () => {
    const { kernel, sys, a } = await setup();
    const pending = track(sys.select([a]));
    const buf = await sys.beginWrite(a, 1);
    await flush();
    expect(pending.settled).toBe(false);
    await sys.endWrite(a, buf);
    expect(await pending.promise).toBe(a);
    kernel.checkInvariants();
  });

  it('times out with ETIMEDOUT; timeoutMs 0 polls', async () => {
    const { kernel, sys, a, b, waiters } = await setup();
    await expectErrno(sys.select([a, b], { timeoutMs: 0 }), 'ETIMEDOUT', 'timeoutMs');
    const start = Date.now();
    const err = await expectErrno(sys.select([a], { timeoutMs: 20 }), 'ETIMEDOUT', 'timeoutMs');
    expect(err.syscall).toBe('select');
    expect(Date.now() - start).toBeGreaterThanOrEqual(19);
    expect(waiters()).toBe(0);
    await writeAll(sys, a, enc('x'));
    expect(await sys.select([a], { timeoutMs: 0 })).toBe(a);
    kernel.checkInvariants();
  });

  it('deleting a reference select waits on ends it with EBADF naming that reference', async () => {
    const { kernel, sys, a, b, waiters } = await setup();
    const pending = track(sys.select([a, b]));
    await flush();
    await sys.delete(b);
    const err = await expectErrno(pending.promise, 'EBADF', 'refs[1]');
    expect(err.message).toContain('deleted');
    expect(waiters()).toBe(0);
    kernel.checkInvariants();
  });

  it("revocation by another task's single delete also ends it with EBADF", async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const other = await kernel.attachTask(['other']);
    const { ref, name } = await sys.create(ObjectType.SHARED_MEMORY_STREAM, {
      lifecycle: 'single-delete',
      capacity: 4,
    });
    const [theirs] = await other.lookup(name);
    const pending = track(sys.select([ref]));
    await flush();
    await other.delete(theirs!);
    await expectErrno(pending.promise, 'EBADF', 'refs[0]');
    kernel.checkInvariants();
  });

  it('wakes when a task exits', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const { ref: go, name } = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 4 });
    const bin = await installProgram(kernel, sys, async (child) => {
      const [s] = await child.lookup(name);
      await child.endRead(s!, await child.beginRead(s!));
    });
    const child = await sys.run(bin, { argv: [] });
    const pending = track(sys.select([child]));
    await flush();
    expect(pending.settled).toBe(false);
    await writeAll(sys, go, enc('go'));
    expect(await pending.promise).toBe(child);
    expect(sys.ref(child).task?.state).toBe('exited');
    kernel.checkInvariants();
  });

  it('ends with ECANCELED when the selecting task exits meanwhile', async () => {
    const kernel = await boot();
    const other = await kernel.attachTask(['other']);
    const { ref } = await other.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 4 });
    const pending = track(other.select([ref]));
    await flush();
    await other.delete(other.self);
    await expectErrno(pending.promise, 'ECANCELED');
    kernel.checkInvariants();
  });

  it('needs READ on every reference', async () => {
    const { kernel, sys, a, b } = await setup();
    const [writeOnly] = await sys.copy([b], sys.self, { rights: Rights.WRITE });
    await writeAll(sys, a, enc('x'));
    await expectErrno(sys.select([a, writeOnly!]), 'EACCES', 'refs[1]');
    kernel.checkInvariants();
  });
});

describe('select for writing', () => {
  it('waits while a stream is full and wakes when a read makes room', async () => {
    const { kernel, sys, a } = await setup();
    expect(await sys.select([a], {}, SelectFlags.WRITE)).toBe(a);
    await writeAll(sys, a, enc('full'));
    await expectErrno(sys.select([a], { timeoutMs: 0 }, SelectFlags.WRITE), 'ETIMEDOUT');
    const pending = track(sys.select([a], {}, SelectFlags.WRITE));
    await flush();
    expect(pending.settled).toBe(false);
    const buf = await sys.beginRead(a, { length: 1 });
    await sys.endRead(a, buf);
    expect(await pending.promise).toBe(a);
    kernel.checkInvariants();
  });

  it('blobs are writable at once; a task reference is writable while the task lives', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const blob = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    expect(await sys.select([blob.ref], {}, SelectFlags.WRITE)).toBe(blob.ref);
    const other = await kernel.attachTask(['other'], undefined, { lookupRights: Rights.ALL }); // others may pause it or write to it
    const [t] = await sys.lookup(other.taskName);
    expect(await sys.select([t!], { timeoutMs: 0 }, SelectFlags.WRITE)).toBe(t);
    await other.delete(other.self);
    await expectErrno(sys.select([t!], { timeoutMs: 0 }, SelectFlags.WRITE), 'ETIMEDOUT');
    kernel.checkInvariants();
  });

  it('an exclusive blob is not writable while an exclusive reader holds it', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { consistency: 'exclusive' });
    const [second] = await sys.copy([ref], sys.self);
    const view = await sys.beginRead(ref);
    const pending = track(sys.select([second!], {}, SelectFlags.WRITE));
    await flush();
    expect(pending.settled).toBe(false);
    await sys.endRead(ref, view);
    expect(await pending.promise).toBe(second);
    kernel.checkInvariants();
  });

  it('needs WRITE on every reference', async () => {
    const { kernel, sys, a } = await setup();
    const [readOnly] = await sys.copy([a], sys.self, { rights: Rights.READ });
    await expectErrno(sys.select([readOnly!], {}, SelectFlags.WRITE), 'EACCES', 'refs[0]');
    kernel.checkInvariants();
  });
});

describe('select argument errors', () => {
  it.each([
    ['an empty list', [], {}, 'refs'],
    ['not a list', 3, {}, 'refs'],
    ['a negative timeout', 'A', { timeoutMs: -1 }, 'options.timeoutMs'],
    ['a fractional timeout', 'A', { timeoutMs: 0.5 }, 'options.timeoutMs'],
    ['an unknown option', 'A', { forever: true }, 'options.forever'],
  ])('%s is EINVAL', async (_what, refs, options, argument) => {
    const { kernel, sys, a } = await setup();
    await expectErrno(
      sys.select((refs === 'A' ? [a] : refs) as number[], options as SelectOptions),
      'EINVAL',
      argument,
    );
    kernel.checkInvariants();
  });

  it('a bad handle is EBADF naming its position', async () => {
    const { kernel, sys, a } = await setup();
    await expectErrno(sys.select([a, 777]), 'EBADF', 'refs[1]');
    kernel.checkInvariants();
  });
});

describe('fairness and SelectFlags.ALL', () => {
  it('ALL returns every ready handle, in the order given, each once', async () => {
    const { kernel, sys, a, b } = await setup();
    await writeAll(sys, b, enc('x'));
    expect(await sys.select([a, b, b], {}, SelectFlags.ALL)).toEqual([b]);
    await writeAll(sys, a, enc('y'));
    expect(await sys.select([b, a, b], {}, SelectFlags.ALL)).toEqual([b, a]);
    expect(await sys.select([a, b], { timeoutMs: 0 }, SelectFlags.ALL)).toEqual([a, b]);
    kernel.checkInvariants();
  });

  it('ALL waits until something is ready, polls with timeout 0, and leaves no waiters', async () => {
    const { kernel, sys, a, b, waiters } = await setup();
    await expectErrno(sys.select([a, b], { timeoutMs: 0 }, SelectFlags.ALL), 'ETIMEDOUT', 'timeoutMs');
    const pending = track(sys.select([a, b], {}, SelectFlags.ALL));
    await flush();
    expect(pending.settled).toBe(false);
    await writeAll(sys, a, enc('!'));
    expect(await pending.promise).toEqual([a]);
    expect(waiters()).toBe(0);
    kernel.checkInvariants();
  });

  it('ALL with WRITE lists every reference with room', async () => {
    const { kernel, sys, a, b } = await setup();
    await writeAll(sys, a, enc('full'));
    const flags: number = SelectFlags.ALL | SelectFlags.WRITE;
    expect(await sys.select([a, b], {}, flags)).toEqual([b]);
    kernel.checkInvariants();
  });

  it('ALL still checks every reference: a bad handle or one without READ fails the call', async () => {
    const { kernel, sys, a } = await setup();
    await writeAll(sys, a, enc('x'));
    await expectErrno(sys.select([a, 999], {}, SelectFlags.ALL), 'EBADF', 'refs[1]');
    const [weak] = await sys.copy([a], sys.self, { rights: Rights.WRITE });
    await expectErrno(sys.select([a, weak!], {}, SelectFlags.ALL), 'EACCES', 'refs[1]');
    await expectErrno(sys.select([a], {}, 0x4), 'EINVAL', 'flags');
    kernel.checkInvariants();
  });

  it('a reference that is always ready does not starve the ones after it', async () => {
    const { kernel, sys, a, b } = await setup();
    // A greedy peer refills `a` after every read; `b` has one message waiting.
    await writeAll(sys, a, enc('aaaa'));
    await writeAll(sys, b, enc('b'));
    const served: number[] = [];
    for (let round = 0; round < 4; round++) {
      const h = await sys.select([a, b]);
      served.push(h);
      const lent = await sys.beginRead(h, { length: 1 });
      await sys.endRead(h, lent);
      if (h === a) await writeAll(sys, a, enc('a'));
    }
    // Without fairness every round would pick `a`; with it `b` is served second, then `a` again.
    expect(served).toEqual([a, b, a, a]);
    kernel.checkInvariants();
  });

  it('with every reference ready, one-handle selects take them in turn', async () => {
    const { kernel, sys, a, b } = await setup();
    await writeAll(sys, a, enc('x'));
    await writeAll(sys, b, enc('y'));
    expect(await sys.select([a, b])).toBe(a);
    expect(await sys.select([a, b])).toBe(b);
    expect(await sys.select([a, b])).toBe(a);
    kernel.checkInvariants();
  });
});
