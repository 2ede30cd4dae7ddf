/** Cluster compliance cases: remote streams, and select on remote objects. */
import { describe, expect, it } from 'vitest';
import { BeginReadFlags, EndWriteFlags, ObjectType, SelectFlags, type SystemCalls } from '@dios/kernel';
import { dec, enc, pattern, sameBytes, sleep } from './bytes.js';
import { blobWith, expectErrno, readAll, writeAll } from './calls.js';
import { within, failsWithin, installEverywhere, drain, feed, type ClusterCase } from './cluster-context.js';

/** Declares the remote stream and select cases. */
export function streamCases({ boot, timeout }: ClusterCase): void {
  describe('remote streams', () => {
    it(
      'a producer on one kernel and a consumer on another, both remote from the stream, reach end-of-stream',
      async () => {
        const n = await boot('a', 'b', 'c');
        const { a, b, c } = n.sys as Record<'a' | 'b' | 'c', SystemCalls>;
        // A small ring, so the producer must wait for the consumer many times.
        const stream = await a.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 4096 });
        const [onB] = await b.lookup(stream.name);
        const [onC] = await c.lookup(stream.name);
        const payload = pattern(100_000, 3);
        const producing = feed(b, onB!, payload, 3000);
        const got = await drain(c, onC!, 1000);
        await producing;
        expect(got.length).toBe(payload.length);
        expect(sameBytes(got, payload)).toBe(true);
        // The end is final: reads say so at once, writes are refused.
        const more = await c.beginRead(onC!, {}, BeginReadFlags.NONBLOCK);
        expect(more.length).toBe(0);
        await c.endRead(onC!, more);
        await expectErrno(b.beginWrite(onB!, 1), 'EPIPE');
        n.check();
      },
      Math.max(timeout, 20_000),
    );

    it(
      'two consumers on two kernels share one stream: every record is read exactly once, in order',
      async () => {
        const n = await boot('a', 'b', 'c');
        const { a, b, c } = n.sys as Record<'a' | 'b' | 'c', SystemCalls>;
        // 8-byte records and a ring of a multiple of 8: no read can split a record.
        const stream = await a.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 512 });
        const records = 3000;
        const consume = async (sys: SystemCalls): Promise<number[]> => {
          const [h] = await sys.lookup(stream.name);
          const seen: number[] = [];
          for (;;) {
            const buf = await sys.beginRead(h!, { length: 64 });
            const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
            const ids = Array.from({ length: buf.length / 8 }, (_, i) => view.getUint32(i * 8));
            await sys.endRead(h!, buf);
            if (buf.length === 0) return seen;
            expect(buf.length % 8).toBe(0);
            seen.push(...ids);
          }
        };
        const consumers = Promise.all([consume(b), consume(c)]);
        for (let i = 0; i < records; i += 16) {
          const count = Math.min(16, records - i);
          const buf = await a.beginWrite(stream.ref, count * 8);
          const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
          for (let j = 0; j < count; j++) {
            view.setUint32(j * 8, i + j);
            view.setUint32(j * 8 + 4, ~(i + j));
          }
          await a.endWrite(stream.ref, buf, {}, i + count >= records ? EndWriteFlags.END_OF_STREAM : 0);
        }
        const [fromB, fromC] = await within(consumers, 10_000, 'both consumers');
        for (const seen of [fromB, fromC])
          expect(
            seen.every((x, i) => i === 0 || x > seen[i - 1]!),
            'each consumer reads in order',
          ).toBe(true);
        const all = [...fromB, ...fromC].sort((x, y) => x - y);
        expect(all.length).toBe(records);
        expect(all.every((x, i) => x === i)).toBe(true);
        n.check();
      },
      Math.max(timeout, 20_000),
    );

    it(
      'carries stream writes and reads larger than 1 MiB each',
      async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        const stream = await b.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 4 * 2 ** 20 });
        const [h] = await a.lookup(stream.name);
        const payload = pattern(5 * 2 ** 20 + 11, 8);
        const producing = feed(a, h!, payload, 1.5 * 2 ** 20);
        const got = await drain(b, stream.ref);
        await producing;
        expect(got.length).toBe(payload.length);
        expect(sameBytes(got, payload)).toBe(true);
        n.check();
      },
      Math.max(timeout, 20_000),
    );

    it(
      'a task run on another kernel pipes one stream into another; the caller feeds and drains both',
      async () => {
        const n = await boot('a', 'b');
        const { a } = n.sys as Record<'a', SystemCalls>;
        const binary = installEverywhere(n, async (sys) => {
          const [input] = sys.inputs;
          const [output] = sys.outputs;
          const bytes = await drain(sys, input!);
          await feed(
            sys,
            output!,
            bytes.map((x) => x ^ 0xff),
            700,
          );
          return bytes.length % 256;
        });
        const bin = (await blobWith(a, binary)).ref;
        const input = await a.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 1024 });
        const output = await a.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 1024 });
        const t = await a.run(bin, { argv: ['pipe'], inputs: [input.ref], outputs: [output.ref], kernel: 'b' });
        // Far more than either ring holds: the remote task reads as it comes.
        const payload = pattern(20_000, 4);
        await feed(a, input.ref, payload, 900);
        const out = await drain(a, output.ref);
        expect(
          sameBytes(
            out,
            payload.map((x) => x ^ 0xff),
          ),
        ).toBe(true);
        expect(await a.select([t], { timeoutMs: 3000 })).toBe(t);
        expect(a.ref(t).task).toEqual({ state: 'exited', exitStatus: payload.length % 256 });
        n.check();
      },
      timeout,
    );
  });

  describe('select on remote objects', () => {
    it(
      'wakes when a remote stream gets data, a remote task exits; ETIMEDOUT when nothing comes',
      async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        const stream = await b.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 64 });
        const [h] = await a.lookup(stream.name);
        const started = Date.now();
        await failsWithin(a.select([h!], { timeoutMs: 200 }), 'ETIMEDOUT', 3000, 'select with nothing ready');
        expect(Date.now() - started).toBeGreaterThanOrEqual(190);
        await failsWithin(a.select([h!], { timeoutMs: 0 }), 'ETIMEDOUT', 3000, 'polling select');
        let woke = false;
        const waiting = a.select([h!], { timeoutMs: 5000 }).then((r) => {
          woke = true;
          return r;
        });
        await sleep(100);
        expect(woke).toBe(false);
        await writeAll(b, stream.ref, enc('ping'));
        expect(await within(waiting, 3000, 'select after a write at home')).toBe(h);
        expect(dec((await readAll(a, h!)).bytes)).toBe('ping');
        // Writable: a remote stream with free room is ready for writing at once.
        expect(await a.select([h!], { timeoutMs: 1000 }, SelectFlags.WRITE)).toBe(h);

        // Among several references, the one that becomes ready is returned.
        const other = await b.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 64 });
        const [o] = await a.lookup(other.name);
        const both = a.select([h!, o!], { timeoutMs: 5000 });
        await sleep(50);
        await writeAll(b, other.ref, enc('pong'));
        expect(await within(both, 3000, 'select on two')).toBe(o);

        // A remote task: ready when it exits.
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const bin = (
          await blobWith(
            a,
            installEverywhere(n, async () => {
              await gate;
              return 9;
            }),
          )
        ).ref;
        const t = await a.run(bin, { argv: ['gate'], kernel: 'b' });
        await failsWithin(a.select([t], { timeoutMs: 100 }), 'ETIMEDOUT', 3000, 'select on a running remote task');
        const exiting = a.select([t], { timeoutMs: 5000 });
        release();
        expect(await within(exiting, 3000, 'select on an exiting remote task')).toBe(t);
        expect(a.ref(t).task).toEqual({ state: 'exited', exitStatus: 9 });
        n.check();
      },
      timeout,
    );
  });

  describe('select on remote objects, longer waits', () => {
    it(
      'a wait longer than the home’s watch limit still wakes; WRITE waits for room; local and remote mixed',
      async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        const stream = await b.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
        const [h] = await a.lookup(stream.name);
        // Past the 2 s a home watches for (docs/syscalls.md, select): the watch must be renewed.
        const waiting = a.select([h!]);
        let woke = false;
        // Only notes that the select ended (either way): its outcome is awaited below.
        void waiting.then(
          () => (woke = true),
          () => (woke = true),
        );
        await sleep(2300);
        expect(woke).toBe(false);
        await writeAll(b, stream.ref, enc('late'));
        expect(await within(waiting, 3000, 'a select past the watch limit')).toBe(h);
        // A full remote stream is not writable until its reader makes room.
        await writeAll(a, h!, enc('full'));
        await failsWithin(
          a.select([h!], { timeoutMs: 100 }, SelectFlags.WRITE),
          'ETIMEDOUT',
          3000,
          'select WRITE on a full stream',
        );
        const room = a.select([h!], { timeoutMs: 5000 }, SelectFlags.WRITE);
        await sleep(20);
        const r = await b.beginRead(stream.ref);
        expect(dec(r)).toBe('latefull');
        await b.endRead(stream.ref, r);
        expect(await within(room, 3000, 'select WRITE once there is room')).toBe(h);
        // A local reference ready first wins; the remote one still works afterwards.
        const local = await a.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
        const mixed = a.select([h!, local.ref], { timeoutMs: 5000 });
        await sleep(20);
        await writeAll(a, local.ref, enc('here'));
        expect(await within(mixed, 3000, 'a mixed select')).toBe(local.ref);
        const again = a.select([h!], { timeoutMs: 5000 });
        await sleep(20);
        await writeAll(b, stream.ref, enc('there'));
        expect(await within(again, 3000, 'the remote select after a mixed one')).toBe(h);
        n.check();
      },
      Math.max(timeout, 15_000),
    );
  });
}
