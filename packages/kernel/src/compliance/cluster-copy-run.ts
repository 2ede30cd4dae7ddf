/** Cluster compliance cases: copy across kernels, and remote run. */
import { describe, expect, it } from 'vitest';
import {
  ANY_KERNEL,
  DeleteFlags,
  type DiosError,
  ObjectType,
  PauseFlags,
  Rights,
  RunFlags,
  SelectFlags,
  type SystemCalls,
} from '@dios/kernel';
import { dec, enc, sleep } from './bytes.js';
import { blobWith, expectErrno, readAll, writeAll } from './calls.js';
import { within, eventually, installEverywhere, type ClusterCase } from './cluster-context.js';

/** Declares the copy and remote run cases. */
export function copyRunCases({ boot, timeout }: ClusterCase): void {
  describe('copy across kernels', () => {
    it(
      'delegates with reduced rights, and the receiving side enforces them',
      async () => {
        const n = await boot('a', 'b', 'c');
        const { a, b, c } = n.sys as Record<'a' | 'b' | 'c', SystemCalls>;
        const onA = await blobWith(a, enc('from a'));
        const onC = await blobWith(c, enc('from c'));
        const [fromC] = await a.lookup(onC.name);
        const [target] = await a.lookup(b.taskName);
        // One homed on the caller's kernel, one on a third kernel; read only, read-write without DELEGATE.
        const [ro, rw] = await a.copy([onA.ref, fromC!], target!, {
          rights: [Rights.READ, Rights.READ | Rights.WRITE],
        });
        expect(b.handles).toEqual(expect.arrayContaining([ro, rw]));
        expect(b.ref(ro!).proximity).toBe('remote-memory-1hop');
        expect(dec((await readAll(b, ro!)).bytes)).toBe('from a');
        await expectErrno(b.beginWrite(ro!, 1), 'EACCES', 'ref');
        await expectErrno(b.select([ro!], { timeoutMs: 0 }, SelectFlags.WRITE), 'EACCES');
        await writeAll(b, rw!, enc('FROM'));
        expect(dec((await readAll(c, onC.ref)).bytes)).toBe('FROM c');
        // Without DELEGATE b cannot pass either on, not even to itself.
        const [self] = await b.lookup(b.taskName);
        await expectErrno(b.copy([ro!], self!), 'EACCES', 'refs[0]');
        await expectErrno(b.copy([rw!], self!), 'EACCES', 'refs[0]');
        // Rights are never raised.
        const [limited] = await a.copy([onA.ref], a.self, { rights: Rights.READ | Rights.DELEGATE });
        await expectErrno(a.copy([limited!], target!, { rights: Rights.READ | Rights.WRITE }), 'EPERM', 'refs[0]');
        // A task on another kernel that has exited takes nothing: its kernel says ESRCH.
        const gone = await n.kernels.b!.attachTask(['gone'], undefined, { lookupRights: Rights.ALL });
        const [goneRef] = await a.lookup(gone.taskName);
        await gone.delete(gone.self);
        await expectErrno(a.copy([onA.ref], goneRef!), 'ESRCH', 'target');
        // What a writes is visible through b's read-only reference.
        await writeAll(a, onA.ref, enc('updated'));
        expect(dec((await readAll(b, ro!)).bytes)).toBe('updated');
        n.check();
      },
      timeout,
    );

    it(
      'along a chain of delegations across three kernels rights only shrink, and each holder is held to its own',
      async () => {
        const n = await boot('a', 'b', 'c');
        const { a, b, c } = n.sys as Record<'a' | 'b' | 'c', SystemCalls>;
        const blob = await blobWith(a, enc('chain'));
        const worker = await n.kernels.a!.attachTask(['worker'], undefined, { lookupRights: Rights.ALL });
        const [toB] = await a.copy([blob.ref], (await a.lookup(b.taskName))[0]!, {
          rights: Rights.READ | Rights.WRITE | Rights.DELEGATE,
        });
        const [toC] = await b.copy([toB!], (await b.lookup(c.taskName))[0]!, { rights: Rights.READ | Rights.DELEGATE });
        // c cannot hand on more than it has, even back to the object's home kernel.
        const [workerFromC] = await c.lookup(worker.taskName);
        await expectErrno(c.copy([toC!], workerFromC!, { rights: Rights.READ | Rights.WRITE }), 'EPERM', 'refs[0]');
        const [toWorker] = await c.copy([toC!], workerFromC!, { rights: Rights.READ });
        // Back home the reference is local, with only READ.
        expect(worker.ref(toWorker!).proximity).toBe('local-memory');
        await writeAll(b, toB!, enc('CHAIN'));
        for (const [sys, h] of [
          [c, toC!],
          [worker, toWorker!],
        ] as const) {
          expect(dec((await readAll(sys, h)).bytes)).toBe('CHAIN');
          await expectErrno(sys.beginWrite(h, 1), 'EACCES', 'ref');
        }
        await expectErrno(worker.copy([toWorker!], worker.self), 'EACCES', 'refs[0]');
        expect(dec((await readAll(a, blob.ref)).bytes)).toBe('CHAIN');
        n.check();
      },
      timeout,
    );

    it(
      'a task on another kernel given a read-only reference gets EACCES when it writes',
      async () => {
        const n = await boot('a', 'b');
        const { a } = n.sys as Record<'a', SystemCalls>;
        const stream = await a.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 64 });
        const blob = await blobWith(a, enc('guarded'));
        const outcome: string[] = [];
        const bin = (
          await blobWith(
            a,
            installEverywhere(n, async (sys) => {
              // Wait for the delegated reference: a sends the handle over the input stream.
              const buf = await sys.beginRead(sys.inputs[0]!);
              const h = Number(dec(buf));
              await sys.endRead(sys.inputs[0]!, buf);
              outcome.push(dec((await readAll(sys, h)).bytes));
              await sys.beginWrite(h, 1).catch((e: DiosError) => outcome.push(e.code));
              const [self] = await sys.lookup(sys.taskName);
              await sys.copy([h], self!).catch((e: DiosError) => outcome.push(e.code));
              return 0;
            }),
          )
        ).ref;
        const t = await a.run(bin, { argv: ['guarded'], inputs: [stream.ref], kernel: 'b' }, RunFlags.START_PAUSED);
        const [h] = await a.copy([blob.ref], t, { rights: Rights.READ });
        await a.pause(t, PauseFlags.RESUME);
        await writeAll(a, stream.ref, enc(String(h)));
        expect(await within(a.select([t]), 3000, 'the remote task')).toBe(t);
        expect(outcome).toEqual(['guarded', 'EACCES', 'EACCES']);
        expect(dec((await readAll(a, blob.ref)).bytes)).toBe('guarded');
        n.check();
      },
      timeout,
    );
  });

  describe('remote run', () => {
    it(
      'runs on the kernel spec.kernel names, with inputs homed on a third kernel and outputs on the caller',
      async () => {
        const n = await boot('a', 'b', 'c');
        const { a, c } = n.sys as Record<'a' | 'c', SystemCalls>;
        const bin = (
          await blobWith(
            a,
            installEverywhere(n, async (sys) => {
              const text = dec((await readAll(sys, sys.inputs[0]!)).bytes);
              await writeAll(
                sys,
                sys.outputs[0]!,
                enc(`${sys.kernelId}:${text.toUpperCase()}:${sys.argv.join(',')}:${sys.env.MODE}`),
              );
              return 7;
            }),
          )
        ).ref;
        const input = await blobWith(c, enc('input on c'));
        const [inputOnA] = await a.lookup(input.name);
        const output = await a.create(ObjectType.SHARED_MEMORY_BLOB);
        const t = await a.run(bin, {
          argv: ['up', 'x'],
          env: { MODE: 'm' },
          inputs: [inputOnA!],
          outputs: [output.ref],
          kernel: 'b',
        });
        expect(a.ref(t).proximity).toBe('remote-memory-1hop');
        expect(await within(a.select([t]), 3000, 'the remote task')).toBe(t);
        expect(a.ref(t).task).toEqual({ state: 'exited', exitStatus: 7 });
        expect(dec((await readAll(a, output.ref)).bytes)).toBe('b:INPUT ON C:up,x:m');
        // A throwing program exits with 1, seen from the caller.
        const failing = (
          await blobWith(
            a,
            installEverywhere(n, async () => {
              throw new Error('boom');
            }),
          )
        ).ref;
        const f = await a.run(failing, { argv: ['fail'], kernel: 'c' });
        await within(a.select([f]), 3000, 'the failing task');
        expect(a.ref(f).task).toEqual({ state: 'exited', exitStatus: 1 });
        n.check();
      },
      timeout,
    );

    it(
      "'*' (ANY_KERNEL) places the task where its input bytes live",
      async () => {
        const n = await boot('a', 'b', 'c');
        const { a, b, c } = n.sys as Record<'a' | 'b' | 'c', SystemCalls>;
        const bin = (
          await blobWith(
            a,
            installEverywhere(n, async (sys) => {
              await writeAll(sys, sys.outputs[0]!, enc(sys.kernelId));
              return 0;
            }),
          )
        ).ref;
        // Twice, with the big input on a different kernel each time: the answer follows the data.
        for (const [home, sys] of [
          ['c', c],
          ['b', b],
        ] as const) {
          const big = await blobWith(sys, new Uint8Array(200_000));
          const [bigOnA] = await a.lookup(big.name);
          const small = await blobWith(a, new Uint8Array(10));
          const out = await a.create(ObjectType.SHARED_MEMORY_BLOB);
          const t = await a.run(bin, {
            argv: ['where'],
            inputs: [small.ref, bigOnA!],
            outputs: [out.ref],
            kernel: ANY_KERNEL,
          });
          await within(a.select([t]), 3000, 'the placed task');
          expect(a.ref(t).task?.exitStatus).toBe(0);
          expect(dec((await readAll(a, out.ref)).bytes)).toBe(home);
        }
        n.check();
      },
      timeout,
    );

    it(
      'pauses and resumes a task on another kernel (START_PAUSED, pause, RESUME)',
      async () => {
        const n = await boot('a', 'b');
        const { a } = n.sys as Record<'a', SystemCalls>;
        let steps = 0;
        let stop = false;
        const bin = (
          await blobWith(
            a,
            installEverywhere(n, async (sys) => {
              while (!stop) {
                // A cheap call each step: a paused task's calls do not return.
                await sys.select([sys.self], { timeoutMs: 0 }, SelectFlags.WRITE);
                steps++;
                await sleep(1);
              }
              return 3;
            }),
          )
        ).ref;
        const t = await a.run(bin, { argv: ['spin'], kernel: 'b' }, RunFlags.START_PAUSED);
        expect(a.ref(t).task?.state).toBe('created');
        await sleep(50);
        expect(steps).toBe(0);
        await a.pause(t, PauseFlags.RESUME);
        expect(a.ref(t).task?.state).toBe('running');
        await eventually('the task made progress', () => steps > 3, 2000);
        await a.pause(t);
        expect(a.ref(t).task?.state).toBe('paused');
        await sleep(20);
        const frozen = steps;
        await sleep(80);
        expect(steps).toBe(frozen);
        await a.pause(t, PauseFlags.RESUME);
        await eventually('the task progressed again', () => steps > frozen + 3, 2000);
        // Pause needs WRITE on the task reference.
        const [readOnly] = await a.copy([t], a.self, { rights: Rights.READ });
        await expectErrno(a.pause(readOnly!), 'EACCES', 'task');
        stop = true;
        await within(a.select([t]), 3000, 'the spinning task');
        expect(a.ref(t).task).toEqual({ state: 'exited', exitStatus: 3 });
        await expectErrno(a.pause(t), 'ESRCH');
        n.check();
      },
      timeout,
    );

    it(
      'a remote task paused in a blocked read gets its result only after RESUME; exiting with EXIT_FAILURE shows status 1',
      async () => {
        const n = await boot('a', 'b');
        const { a } = n.sys as Record<'a', SystemCalls>;
        const got: string[] = [];
        const bin = (
          await blobWith(
            a,
            installEverywhere(n, async (sys) => {
              const buf = await sys.beginRead(sys.inputs[0]!);
              got.push(dec(buf));
              await sys.endRead(sys.inputs[0]!, buf);
              await sys.delete(sys.self, DeleteFlags.EXIT_FAILURE);
              return 0;
            }),
          )
        ).ref;
        const input = await a.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 64 });
        const t = await a.run(bin, { argv: ['reader'], inputs: [input.ref], kernel: 'b' });
        await sleep(30);
        await a.pause(t);
        await writeAll(a, input.ref, enc('data'));
        await sleep(100);
        // The read may have taken the data at home, but the paused task does not see it yet.
        expect(got).toEqual([]);
        expect(a.ref(t).task?.state).toBe('paused');
        await a.pause(t, PauseFlags.RESUME);
        await within(a.select([t]), 3000, 'the resumed task');
        expect(got).toEqual(['data']);
        expect(a.ref(t).task).toEqual({ state: 'exited', exitStatus: 1 });
        n.check();
      },
      timeout,
    );
  });
}
