/**
 * Location transparency, property-tested: the same random sequence of blob
 * calls, made through a reference to a blob on this kernel and through a
 * reference to an identical blob on a peer (over loopback, with chunks of a
 * few bytes, so that reads and commits are split into many requests a few
 * in flight), gives the same values, errors, sizes, versions and read
 * validity, also when the blob's other holder commits in the middle of a
 * read.
 *
 * Runs: DIOS_PROPERTY_RUNS / 10 (default 100) sequences of up to 25 calls.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Kernel, LoopbackNetwork, ObjectType, type SystemCalls } from '@dios/kernel';
// The ops are shared with the same property under simulation (testing-kit/cluster-faults.property.test.ts).
import { applyBlobOp, blobOpArb, blobState, type BlobSide } from '../testing-kit/blob-ops.js';

const RUNS = Math.max(10, Math.floor(Number(process.env.DIOS_PROPERTY_RUNS ?? 1000) / 10));
const CHUNK = 7;

let clusters = 0;

async function sides(initial: Uint8Array): Promise<{ local: BlobSide; remote: BlobSide; check: () => void }> {
  const net = new LoopbackNetwork();
  const cluster = `equiv-${process.pid}-${++clusters}`;
  const a = await Kernel.boot({ id: 'a', cluster, remoteChunkBytes: CHUNK });
  const b = await Kernel.boot({ id: 'b', cluster, remoteChunkBytes: CHUNK });
  a.join(net.connect('a'));
  b.join(net.connect('b'));
  const make = async (sys: SystemCalls) => {
    const { name, ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
    const w = await sys.beginWrite(ref, initial.length);
    w.set(initial);
    await sys.endWrite(ref, w);
    return { name, ref };
  };
  const onA = await make(a.init);
  const onB = await make(b.init);
  const [remoteH] = await a.init.lookup(onB.name);
  const aOther = await a.attachTask(['other']);
  const [otherLocalH] = await aOther.lookup(onA.name);
  return {
    local: { sys: a.init, h: onA.ref, other: aOther, otherH: otherLocalH! },
    remote: { sys: a.init, h: remoteH!, other: b.init, otherH: onB.ref },
    check() {
      a.checkInvariants();
      b.checkInvariants();
    },
  };
}

describe('remote blob I/O is location-transparent', () => {
  it(`a blob on a peer answers like a local one, over ${RUNS} random call sequences (chunks of ${CHUNK} bytes)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 40 }),
        fc.array(blobOpArb, { maxLength: 25 }),
        async (initial, ops) => {
          const { local, remote, check } = await sides(initial);
          for (const [i, op] of ops.entries()) {
            const here = await applyBlobOp(local, op);
            const there = await applyBlobOp(remote, op);
            expect(there, `step ${i}: ${JSON.stringify(op)}`).toEqual(here);
            expect(await blobState(remote), `state after step ${i}: ${JSON.stringify(op)}`).toEqual(
              await blobState(local),
            );
          }
          check();
        },
      ),
      { numRuns: RUNS },
    );
  }, 120_000);
});
