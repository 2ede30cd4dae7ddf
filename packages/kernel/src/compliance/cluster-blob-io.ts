/** Cluster compliance cases: remote blob I/O (reads and writes through a remote reference, leases, blobs larger than a chunk). */
import { describe, expect, it } from 'vitest';
import { EndWriteFlags, ObjectType, type SystemCalls } from '@dios/kernel';
import { REMOTE_CHUNK_BYTES } from '@dios/kernel/testing';
import { dec, enc, pattern, sameBytes, sleep } from './bytes.js';
import { blobWith, expectErrno, readAll, writeAll } from './calls.js';
import type { ClusterCase } from './cluster-context.js';

/** Declares the remote blob I/O cases. */
export function blobIoCases({ boot, timeout }: ClusterCase): void {
  describe('remote blob I/O', () => {
    it(
      'reads and writes a small remote blob; optimistic reads see commits from the other kernel',
      async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        const onB = await blobWith(b, enc('0123456789'));
        const [h] = await a.lookup(onB.name);
        expect(dec((await readAll(a, h!, { offset: 3, length: 4 })).bytes)).toBe('3456');
        await expectErrno(a.beginRead(h!, { offset: 11 }), 'EINVAL', 'options.offset');
        const before = b.ref(onB.ref).version;
        expect(await writeAll(a, h!, enc('AB'), { offset: 8 })).toBe(before + 1);
        expect(dec((await readAll(b, onB.ref)).bytes)).toBe('01234567AB');
        expect(a.ref(h!).version).toBe(before + 1);
        // A read in progress on a is invalidated by a commit on b.
        const buf = await a.beginRead(h!);
        await writeAll(b, onB.ref, enc('x'));
        expect(await a.endRead(h!, buf)).toBe(false);
        const again = await readAll(a, h!);
        expect([dec(again.bytes), again.valid]).toEqual(['x1234567AB', true]);
        // A discarded write changes nothing at home.
        const v = b.ref(onB.ref).version;
        const w = await a.beginWrite(h!, 2);
        w.set(enc('zz'));
        await a.endWrite(h!, w, {}, EndWriteFlags.DISCARD);
        expect(b.ref(onB.ref).version).toBe(v);
        n.check();
      },
      timeout,
    );

    it(
      'moves multi-MiB blobs both ways byte for byte (past a 1 MiB message limit)',
      async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        // Odd sizes, so no part boundary falls on a round number.
        const big = pattern(3 * 2 ** 20 + 12_345, 1);
        const onB = await blobWith(b, big);
        const [h] = await a.lookup(onB.name);
        expect(a.ref(h!).size).toBe(big.length);
        const read = await readAll(a, h!);
        expect(read.valid).toBe(true);
        expect(read.bytes.length).toBe(big.length);
        expect(sameBytes(read.bytes, big)).toBe(true);
        // Now a writes a different multi-MiB content into b's blob, truncating it.
        const other = pattern(2 * 2 ** 20 + 777, 2);
        await writeAll(a, h!, other, { offset: 0, truncate: true });
        const atHome = await readAll(b, onB.ref);
        expect(sameBytes(atHome.bytes, other)).toBe(true);
        // And a range from the middle.
        const mid = await readAll(a, h!, { offset: 2 ** 20 - 3, length: 2 ** 20 + 5 });
        expect(sameBytes(mid.bytes, other.subarray(2 ** 20 - 3, 2 * 2 ** 20 + 2))).toBe(true);
        n.check();
      },
      Math.max(timeout, 20_000),
    );

    it(
      'moves blobs larger than a chunk (REMOTE_CHUNK_BYTES) both ways: several requests each way, the bytes whole',
      async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        const big = pattern(2 * REMOTE_CHUNK_BYTES + 4321, 5);
        const onB = await blobWith(b, big);
        const [h] = await a.lookup(onB.name);
        const read = await readAll(a, h!);
        expect(read.valid).toBe(true);
        expect(sameBytes(read.bytes, big)).toBe(true);
        const other = pattern(3 * REMOTE_CHUNK_BYTES - 1, 6);
        await writeAll(a, h!, other, { offset: 0, truncate: true });
        expect(sameBytes((await readAll(b, onB.ref)).bytes, other)).toBe(true);
        n.check();
      },
      Math.max(timeout, 30_000),
    );

    it(
      'several multi-MiB transfers in flight at once between three kernels do not mix',
      async () => {
        const n = await boot('a', 'b', 'c');
        const { a, b, c } = n.sys as Record<'a' | 'b' | 'c', SystemCalls>;
        const onB = pattern(2 * 2 ** 20 + 1, 5);
        const onC = pattern(2 * 2 ** 20 + 3, 6);
        const blobB = await blobWith(b, onB);
        const blobC = await blobWith(c, onC);
        const target = await b.create(ObjectType.SHARED_MEMORY_BLOB);
        const [bFromA] = await a.lookup(blobB.name);
        const [cFromA] = await a.lookup(blobC.name);
        const [bFromC] = await c.lookup(blobB.name);
        const [targetFromC] = await c.lookup(target.name);
        const written = pattern(3 * 2 ** 20 + 5, 7);
        // Two reads into a from different homes, one read and one write from c to b, all at once.
        const [r1, r2, r3] = await Promise.all([
          readAll(a, bFromA!),
          readAll(a, cFromA!),
          readAll(c, bFromC!),
          writeAll(c, targetFromC!, written),
        ]);
        expect(sameBytes(r1.bytes, onB)).toBe(true);
        expect(sameBytes(r2.bytes, onC)).toBe(true);
        expect(sameBytes(r3.bytes, onB)).toBe(true);
        expect(sameBytes((await readAll(b, target.ref)).bytes, written)).toBe(true);
        n.check();
      },
      Math.max(timeout, 20_000),
    );

    it(
      'concurrent writers on two kernels and readers everywhere: commits are atomic and all land',
      async () => {
        const n = await boot('a', 'b', 'c');
        const { b } = n.sys;
        const slot = 128 * 1024;
        const slots = 6;
        const onB = await blobWith(b!, new Uint8Array(slot * slots));
        // Two writer tasks on a, two on c, one on b itself; three readers.
        const writers = await Promise.all(
          ['a', 'a', 'c', 'c', 'b', 'c'].map((k) => n.kernels[k]!.attachTask(['writer'])),
        );
        const readers = await Promise.all(['a', 'c', 'b'].map((k) => n.kernels[k]!.attachTask(['reader'])));
        const wh = await Promise.all(writers.map(async (s) => (await s.lookup(onB.name))[0]!));
        const rh = await Promise.all(readers.map(async (s) => (await s.lookup(onB.name))[0]!));
        const expected = Array.from({ length: slots }, (_, i) => pattern(slot, 100 + i));
        let writing = true;
        let checked = 0;
        const reads = readers.map(async (s, i) => {
          while (writing) {
            // A local read settles in microtasks: yield, or the loop starves the writers' I/O.
            await sleep(0);
            const { bytes, valid } = await readAll(s, rh[i]!);
            if (!valid) continue;
            // A valid read is one snapshot: every slot wholly old (zeros) or wholly new.
            for (let j = 0; j < slots; j++) {
              const part = bytes.subarray(j * slot, (j + 1) * slot);
              const zero = part.every((x) => x === 0);
              expect(zero || sameBytes(part, expected[j]!), `reader ${i}, slot ${j}: torn`).toBe(true);
            }
            checked++;
          }
        });
        await Promise.all(writers.map((s, i) => writeAll(s, wh[i]!, expected[i]!, { offset: i * slot })));
        writing = false;
        await Promise.all(reads);
        expect(checked).toBeGreaterThan(0);
        const final = await readAll(b!, onB.ref);
        for (let j = 0; j < slots; j++)
          expect(sameBytes(final.bytes.subarray(j * slot, (j + 1) * slot), expected[j]!), `slot ${j}`).toBe(true);
        // Every writer's commit counted: 1 (fill) + one per writer.
        expect(b!.ref(onB.ref).version).toBe(1 + slots);
        n.check();
      },
      Math.max(timeout, 20_000),
    );
  });
}
