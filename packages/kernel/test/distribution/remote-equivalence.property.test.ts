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
import {
  BeginWriteFlags,
  DiosError,
  EndReadFlags,
  EndWriteFlags,
  Kernel,
  LoopbackNetwork,
  ObjectType,
  type SystemCalls,
} from '@dios/kernel';

const RUNS = Math.max(10, Math.floor(Number(process.env.DIOS_PROPERTY_RUNS ?? 1000) / 10));
const CHUNK = 7;

type Op =
  | {
      op: 'write';
      offset: number | undefined;
      length: number;
      commit: number | undefined;
      truncate: boolean;
      append: boolean;
      seed: number;
    }
  | { op: 'discard'; offset: number; length: number }
  | { op: 'read'; offset: number; length: number | undefined; release: boolean }
  | { op: 'read-across-commit'; offset: number; length: number | undefined; at: number; bytes: number; seed: number };

const small = fc.integer({ min: 0, max: 60 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('write' as const),
    offset: fc.option(small, { nil: undefined }),
    length: small,
    commit: fc.option(small, { nil: undefined }),
    truncate: fc.boolean(),
    append: fc.boolean(),
    seed: fc.nat(255),
  }),
  fc.record({ op: fc.constant('discard' as const), offset: small, length: small }),
  fc.record({
    op: fc.constant('read' as const),
    offset: fc.integer({ min: -1, max: 70 }),
    length: fc.option(small, { nil: undefined }),
    release: fc.boolean(),
  }),
  fc.record({
    op: fc.constant('read-across-commit' as const),
    offset: small,
    length: fc.option(small, { nil: undefined }),
    at: small,
    bytes: fc.integer({ min: 1, max: 20 }),
    seed: fc.nat(255),
  }),
);

/** One side of the comparison: the caller's handle, and the blob's other holder (a task on the blob's own kernel). */
interface Side {
  sys: SystemCalls;
  h: number;
  other: SystemCalls;
  otherH: number;
}

const fillFrom = (buffer: Uint8Array, seed: number) => {
  for (let i = 0; i < buffer.length; i++) buffer[i] = (seed + i * 7) & 0xff;
};

// What a call gave: its value, or its errno and argument.
async function outcome<T>(call: () => Promise<T>): Promise<{ ok: T } | { code: string; argument: string | undefined }> {
  try {
    return { ok: await call() };
  } catch (e) {
    if (!(e instanceof DiosError)) throw e;
    return { code: e.code, argument: e.argument };
  }
}

async function apply(side: Side, op: Op): Promise<unknown> {
  const { sys, h } = side;
  switch (op.op) {
    case 'write':
      return outcome(async () => {
        const options = op.append
          ? {}
          : { ...(op.offset !== undefined && { offset: op.offset }), truncate: op.truncate };
        const buffer = await sys.beginWrite(h, op.length, options, op.append ? BeginWriteFlags.APPEND : 0);
        fillFrom(buffer, op.seed);
        const commit = op.commit === undefined ? undefined : Math.min(op.commit, op.length);
        return sys.endWrite(h, buffer, commit === undefined ? {} : { length: commit });
      });
    case 'discard':
      return outcome(async () => {
        const buffer = await sys.beginWrite(h, op.length, { offset: op.offset });
        buffer.fill(9);
        return sys.endWrite(h, buffer, {}, EndWriteFlags.DISCARD);
      });
    case 'read':
      return outcome(async () => {
        const view = await sys.beginRead(
          h,
          op.length === undefined ? { offset: op.offset } : { offset: op.offset, length: op.length },
        );
        const bytes = [...view];
        return { bytes, valid: await sys.endRead(h, view, op.release ? EndReadFlags.RELEASE : 0) };
      });
    case 'read-across-commit':
      return outcome(async () => {
        const view = await sys.beginRead(
          h,
          op.length === undefined ? { offset: op.offset } : { offset: op.offset, length: op.length },
        );
        const bytes = [...view];
        // The blob's other holder commits while the read is open: the read must come out invalid.
        const w = await side.other.beginWrite(side.otherH, op.bytes, { offset: op.at });
        fillFrom(w, op.seed);
        await side.other.endWrite(side.otherH, w);
        return { bytes, valid: await sys.endRead(h, view) };
      });
  }
}

async function state(side: Side): Promise<unknown> {
  const ref = side.sys.ref(side.h);
  const view = await side.sys.beginRead(side.h);
  const bytes = [...view];
  await side.sys.endRead(side.h, view, EndReadFlags.RELEASE);
  return { size: ref.size, version: ref.version, bytes };
}

let clusters = 0;

async function sides(initial: Uint8Array): Promise<{ local: Side; remote: Side; check: () => void }> {
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
      fc.asyncProperty(fc.uint8Array({ maxLength: 40 }), fc.array(opArb, { maxLength: 25 }), async (initial, ops) => {
        const { local, remote, check } = await sides(initial);
        for (const [i, op] of ops.entries()) {
          const here = await apply(local, op);
          const there = await apply(remote, op);
          expect(there, `step ${i}: ${JSON.stringify(op)}`).toEqual(here);
          expect(await state(remote), `state after step ${i}: ${JSON.stringify(op)}`).toEqual(await state(local));
        }
        check();
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
