/** Cluster compliance cases: errors across kernels (unknown kernels, rights, a node going down). */
import { describe, expect, it } from 'vitest';
import {
  ANY_KERNEL,
  BeginReadFlags,
  BeginWriteFlags,
  type DiosError,
  EXIT_PEER_GONE,
  LookupFlags,
  ObjectType,
  programBinary,
  Rights,
  type SystemCalls,
} from '@dios/kernel';
import { dec, enc, sleep } from './bytes.js';
import { blobWith, expectErrno, readAll, writeAll } from './calls.js';
import { within, failsWithin, eventually, installEverywhere, drain, type ClusterCase } from './cluster-context.js';

/** Declares the error cases. */
export function errorCases({ boot, timeout, downMs }: ClusterCase): void {
  describe('errors', () => {
    it(
      'EHOSTUNREACH for a kernel that is not in the cluster',
      async () => {
        const n = await boot('a', 'b');
        const { a } = n.sys as Record<'a', SystemCalls>;
        const bin = (
          await blobWith(
            a,
            installEverywhere(n, () => 0),
          )
        ).ref;
        await expectErrno(a.run(bin, { argv: ['x'], kernel: 'no-such-kernel' }), 'EHOSTUNREACH', 'spec.kernel');
        // A program the target does not have is refused there.
        n.kernels.a!.registerProgram('only-on-a', () => 0);
        const onlyA = (await blobWith(a, programBinary('only-on-a'))).ref;
        await expectErrno(a.run(onlyA, { argv: ['x'], kernel: 'b' }), 'ENOENT', 'binary');
        n.check();
      },
      timeout,
    );

    it(
      'EBADF through remote references once the object is deleted at home',
      async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        const obj = await b.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'single-delete' });
        await writeAll(b, obj.ref, enc('doomed'));
        const [h] = await a.lookup(obj.name);
        expect(dec((await readAll(a, h!)).bytes)).toBe('doomed');
        await b.delete(obj.ref);
        await failsWithin(a.beginRead(h!), 'EBADF', 3000, 'read after delete at home');
        await failsWithin(a.beginWrite(h!, 1), 'EBADF', 3000, 'write after delete at home');
        await eventually('the revocation reached a', () => !a.handles.includes(h!), 3000);
        await expectErrno(a.lookup(obj.name), 'ENOENT', 'name');
        // A select waiting on a remote stream ends when the stream is deleted at home.
        const stream = await b.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8, lifecycle: 'single-delete' });
        const [s] = await a.lookup(stream.name);
        const waiting = a.select([s!], { timeoutMs: 5000 });
        await sleep(50);
        await b.delete(stream.ref);
        await failsWithin(waiting, 'EBADF', 3000, 'select across a delete at home');
        n.check();
      },
      timeout,
    );

    it(
      'EHOSTDOWN promptly for calls on objects of a node taken down, also for calls blocked there',
      async () => {
        const n = await boot('a', 'b', 'c');
        const { a, b, c } = n.sys as Record<'a' | 'b' | 'c', SystemCalls>;
        const blob = await blobWith(b, enc('on b'));
        const stream = await b.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
        const [hb] = await a.lookup(blob.name);
        const [hs] = await a.lookup(stream.name);
        const [taskB] = await a.lookup(b.taskName);
        const onA = await blobWith(a, enc('on a'));
        const [aFromB] = await b.lookup(onA.name);
        const onC = await blobWith(c, enc('on c'));
        const [hc] = await a.lookup(onC.name);
        const [taskC] = await a.lookup(c.taskName);
        const bin = (
          await blobWith(
            a,
            installEverywhere(n, () => new Promise<number>(() => {})),
          )
        ).ref;
        const remoteTask = await a.run(bin, { argv: ['forever'], kernel: 'b' });
        // In progress at b when it goes: a read waiting for data, a select, a select on a task there, a write lease.
        const blockedRead = a.beginRead(hs!);
        // The waits' outcomes are asserted after the take-down; each catch only keeps a rejection from counting as unhandled before then.
        blockedRead.catch(() => {});
        const selector = await n.kernels.a!.attachTask(['selector']);
        const [hs2] = await selector.lookup(stream.name);
        const blockedSelect = selector.select([hs2!], { timeoutMs: 20_000 });
        // Asserted after the take-down.
        blockedSelect.catch(() => {});
        const taskSelect = a.select([remoteTask], { timeoutMs: 20_000 });
        // Asserted after the take-down.
        taskSelect.catch(() => {});
        const lease = await a.beginWrite(hb!, 2);
        lease.set(enc('xx'));
        await sleep(50);

        const downAt = Date.now();
        await n.takeDown('b');
        // A lookup asks every peer, b included: it must not wait on b for longer than the bound.
        const foundOnC = await within(a.lookup(onC.name), downMs, 'a lookup while b is going down');
        expect(foundOnC).toHaveLength(1);
        await failsWithin(blockedRead, 'EHOSTDOWN', downMs, 'a read blocked at b');
        // A select wakes: with the failure, or with the reference ready so that the next call reports it.
        const cases: [Promise<number>, number, () => Promise<unknown>][] = [
          [blockedSelect, hs2!, () => selector.beginRead(hs2!, {}, BeginReadFlags.NONBLOCK)],
          [taskSelect, remoteTask, () => a.pause(remoteTask)],
        ];
        for (const [waiting, h, next] of cases) {
          const woke = await within(
            waiting.then(
              (r) => ({ ready: r }),
              (e: DiosError) => ({ code: e.code }),
            ),
            downMs,
            'a select waiting on an object of b',
          );
          if ('code' in woke) expect(woke.code).toBe('EHOSTDOWN');
          else {
            expect(woke.ready).toBe(h);
            await failsWithin(next(), 'EHOSTDOWN', downMs, 'the call after the select woke');
          }
        }
        await failsWithin(a.endWrite(hb!, lease), 'EHOSTDOWN', downMs, 'commit of a write lease taken at b');
        await failsWithin(a.beginRead(hb!), 'EHOSTDOWN', downMs, 'read of a blob on b');
        await failsWithin(a.beginWrite(hb!, 2), 'EHOSTDOWN', downMs, 'write of a blob on b');
        await failsWithin(
          a.select([hb!], { timeoutMs: 5000 }).then((r) => a.beginRead(r)),
          'EHOSTDOWN',
          downMs,
          'select then read of a blob on b',
        );
        await failsWithin(a.pause(taskB!), 'EHOSTDOWN', downMs, 'pause of a task on b');
        await failsWithin(a.copy([hc!], taskB!), 'EHOSTDOWN', downMs, 'copy to a task on b');
        await failsWithin(a.copy([hb!], taskC!), 'EHOSTDOWN', downMs, 'copy to c of a reference homed on b');
        // A kernel that was a peer and is gone: EHOSTDOWN, whether or not its loss was noticed yet.
        const ran = await within(
          a.run(bin, { argv: ['x'], kernel: 'b' }).then(
            () => 'started',
            (e: DiosError) => e.code,
          ),
          downMs,
          'run on b',
        );
        expect(ran).toBe('EHOSTDOWN');
        // Every one of them within the bound, counted from the moment b went down.
        expect(Date.now() - downAt).toBeLessThan(downMs);
        // The downed node cannot reach the others either.
        await failsWithin(b.beginRead(aFromB!), 'EHOSTDOWN', downMs, 'read from b of an object on a');
        // Dropping a reference to an object of b is local: it works and does not wait for b.
        await within(a.delete(hb!), downMs, 'delete of a reference to an object on b');
        expect(a.handles).not.toContain(hb);
        n.check();
      },
      Math.max(timeout, 15_000),
    );

    it(
      'references held on behalf of a node that went down are let go (fate sharing)',
      async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        // A stream whose only writer is on b: once b is gone, a's reader must see end-of-stream, not wait for ever.
        const stream = await a.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 64 });
        const [reader] = await a.copy([stream.ref], a.self, { rights: Rights.READ });
        const [taskB] = await a.lookup(b.taskName);
        const [writerOnB] = await a.copy([stream.ref], taskB!, { rights: Rights.WRITE });
        await a.delete(stream.ref);
        await writeAll(b, writerOnB!, enc('last words'));
        // A refcounted blob only b still holds.
        const blob = await blobWith(a, enc('only b holds this'));
        const [blobOnB] = await a.copy([blob.ref], taskB!, { rights: Rights.READ });
        await a.delete(blob.ref);
        expect(dec((await readAll(b, blobOnB!)).bytes)).toBe('only b holds this');
        // Whether a still has the blob (the references a lookup opens are dropped again).
        const held = async () =>
          a.lookup(blob.name, LookupFlags.LOCAL_ONLY).then(
            async (hs) => {
              for (const h of hs) await a.delete(h);
              return 'found';
            },
            (e: DiosError) => e.code,
          );
        expect(await held()).toBe('found');
        // A task b started on a: it goes with b.
        const bin = (
          await blobWith(
            b,
            installEverywhere(n, async (sys) => {
              // Tells a its name, then runs until something ends it.
              await writeAll(sys, sys.outputs[0]!, enc(sys.taskName.key));
              return new Promise<number>(() => {});
            }),
          )
        ).ref;
        const nameBox = await a.create(ObjectType.SHARED_MEMORY_BLOB);
        const [boxOnB] = await b.lookup(nameBox.name);
        await b.run(bin, { argv: ['orphan'], outputs: [boxOnB!], kernel: 'a' });
        await eventually('the task on a told its name', () => a.ref(nameBox.ref).size > 0, 3000);
        const [orphan] = await a.lookup(dec((await readAll(a, nameBox.ref)).bytes), LookupFlags.LOCAL_ONLY);
        expect(a.ref(orphan!).task?.state).toBe('running');

        await n.takeDown('b');
        const got = await within(drain(a, reader!), downMs + 1000, 'reading a stream whose writer’s kernel went down');
        expect(dec(got)).toBe('last words');
        await eventually(
          'a let go of the blob it held only for b',
          async () => (await held()) === 'ENOENT',
          downMs + 1000,
        );
        await within(a.select([orphan!]), downMs + 1000, 'the task b started on a');
        expect(a.ref(orphan!).task).toEqual({ state: 'exited', exitStatus: EXIT_PEER_GONE });
        n.check('a');
      },
      Math.max(timeout, 15_000),
    );

    it(
      'leases a node held at a home are given back when it goes down',
      async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        const input = await a.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 64 });
        const output = await a.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 64 });
        await writeAll(a, input.ref, enc('unconsumed'));
        const [inOnB] = await b.lookup(input.name);
        const [outOnB] = await b.lookup(output.name);
        // b takes the read lease on one stream and the write lease on the other, and never ends them.
        expect(dec(await b.beginRead(inOnB!))).toBe('unconsumed');
        const w = await b.beginWrite(outOnB!, 4);
        w.set(enc('lost'));
        await expectErrno(a.beginRead(input.ref, {}, BeginReadFlags.NONBLOCK), 'EAGAIN');
        await expectErrno(a.beginWrite(output.ref, 1, {}, BeginWriteFlags.NONBLOCK), 'EAGAIN');

        await n.takeDown('b');
        // The read consumed nothing, the write committed nothing.
        const r = await within(a.beginRead(input.ref), downMs + 1000, 'a read after b’s read lease');
        expect(dec(r)).toBe('unconsumed');
        await a.endRead(input.ref, r);
        await within(writeAll(a, output.ref, enc('mine')), downMs + 1000, 'a write after b’s write lease');
        const out = await a.beginRead(output.ref);
        expect(dec(out)).toBe('mine');
        await a.endRead(output.ref, out);
        n.check('a');
      },
      Math.max(timeout, 15_000),
    );

    it(
      'after a node goes down, the surviving kernels keep working together',
      async () => {
        const n = await boot('a', 'b', 'c');
        const { a, b, c } = n.sys as Record<'a' | 'b' | 'c', SystemCalls>;
        const onB = await blobWith(b, enc('on b'));
        const onC = await blobWith(c, enc('on c'));
        const [hc] = await a.lookup(onC.name);
        const bin = (
          await blobWith(
            a,
            installEverywhere(n, async (sys) => {
              await writeAll(sys, sys.outputs[0]!, enc(`ran on ${sys.kernelId}`));
              return 0;
            }),
          )
        ).ref;
        await n.takeDown('b');
        // Once b is known gone, its names stop resolving: ENOENT, not a hang, not an error about b.
        await eventually(
          'lookup of b’s object is ENOENT',
          async () => (await a.lookup(onB.name).catch((e: DiosError) => e.code)) === 'ENOENT',
          downMs,
        );
        expect(dec((await readAll(a, hc!)).bytes)).toBe('on c');
        await writeAll(a, hc!, enc('ON C'));
        expect(dec((await readAll(c, onC.ref)).bytes)).toBe('ON C');
        const fresh = await blobWith(c, enc('after'));
        const [hf] = await a.lookup(fresh.name);
        expect(dec((await readAll(a, hf!)).bytes)).toBe('after');
        const [taskC] = await a.lookup(c.taskName);
        const [given] = await a.copy([hf!], taskC!, { rights: Rights.READ });
        expect(dec((await readAll(c, given!)).bytes)).toBe('after');
        const out = await a.create(ObjectType.SHARED_MEMORY_BLOB);
        const t = await a.run(bin, { argv: ['x'], outputs: [out.ref], kernel: 'c' });
        expect(await within(a.select([t]), 3000, 'a task on c')).toBe(t);
        expect(dec((await readAll(a, out.ref)).bytes)).toBe('ran on c');
        // The scheduler leaves the downed kernel out and still follows the data.
        const big = await blobWith(c, new Uint8Array(100_000));
        const [bigOnA] = await a.lookup(big.name);
        const t2 = await a.run(bin, { argv: ['x'], inputs: [bigOnA!], outputs: [out.ref], kernel: ANY_KERNEL });
        await within(a.select([t2]), 3000, 'a placed task');
        expect(dec((await readAll(a, out.ref)).bytes)).toBe('ran on c');
        n.check('a', 'c');
      },
      Math.max(timeout, 15_000),
    );
  });
}
