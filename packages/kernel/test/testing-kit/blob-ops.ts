/**
 * Random blob I/O for the simulated cluster properties: a small language of
 * blob calls (writes at offsets, appends, truncations, partial commits,
 * discarded writes, reads, reads across another holder's commit), its
 * fast-check arbitrary, and how to apply one to a handle, recording what
 * came back (value, or errno and argument) so two runs can be compared.
 * The same ops as test/distribution/remote-equivalence.property.test.ts,
 * which keeps its own copy (it runs over loopback, these under simulation).
 */
import fc from 'fast-check';
import { BeginWriteFlags, DiosError, EndReadFlags, EndWriteFlags, type SystemCalls } from '@dios/kernel';

/** One blob call (or two, for a read across a commit). */
export type BlobOp =
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

/** Blob calls, valid and invalid (offsets past the end, reads of -1). */
export const blobOpArb: fc.Arbitrary<BlobOp> = fc.oneof(
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

/** Where ops go: the caller's handle, and the blob's other holder (a task on the blob's own kernel). */
export interface BlobSide {
  /** The caller. */
  readonly sys: SystemCalls;
  /** The caller's handle to the blob. */
  readonly h: number;
  /** Another holder of the blob, on its home kernel. */
  readonly other: SystemCalls;
  /** The other holder's handle. */
  readonly otherH: number;
}

/** Fills `buffer` with bytes derived from `seed` (so a write is recognisable). */
export function fillFrom(buffer: Uint8Array, seed: number): void {
  for (let i = 0; i < buffer.length; i++) buffer[i] = (seed + i * 7) & 0xff;
}

/** What a call gave: its value, or its errno and argument. */
export type Outcome<T> = { ok: T } | { code: string; argument: string | undefined };

/** Runs `call`, turning a DiosError into its code and argument (anything else is rethrown). */
export async function outcome<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: await call() };
  } catch (e) {
    if (!(e instanceof DiosError)) throw e;
    return { code: e.code, argument: e.argument };
  }
}

/** Applies `op` through `side`, returning what it gave. */
export async function applyBlobOp(side: BlobSide, op: BlobOp): Promise<unknown> {
  const { sys, h } = side;
  const range = (offset: number, length: number | undefined) =>
    length === undefined ? { offset } : { offset, length };
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
        const view = await sys.beginRead(h, range(op.offset, op.length));
        const bytes = [...view];
        return { bytes, valid: await sys.endRead(h, view, op.release ? EndReadFlags.RELEASE : 0) };
      });
    case 'read-across-commit':
      return outcome(async () => {
        const view = await sys.beginRead(h, range(op.offset, op.length));
        const bytes = [...view];
        // The blob's other holder commits while the read is open: the read must come out invalid.
        const w = await side.other.beginWrite(side.otherH, op.bytes, { offset: op.at });
        fillFrom(w, op.seed);
        await side.other.endWrite(side.otherH, w);
        return { bytes, valid: await sys.endRead(h, view) };
      });
  }
}

/** The blob as `side` sees it: size, version and bytes. */
export async function blobState(side: BlobSide): Promise<{ size: number; version: number; bytes: number[] }> {
  const ref = side.sys.ref(side.h);
  const view = await side.sys.beginRead(side.h);
  const bytes = [...view];
  await side.sys.endRead(side.h, view, EndReadFlags.RELEASE);
  return { size: ref.size, version: ref.version, bytes };
}
