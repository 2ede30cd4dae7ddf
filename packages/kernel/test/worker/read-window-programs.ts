/**
 * Module programs for the read-window tests: worker tasks reading private
 * blobs (ordinary memory), whose bytes the kernel lends through a shared
 * window of the task's own. Each exits with 0 when all held, or with the
 * number of the first check that failed.
 */
import { ObjectType, type SystemCalls } from '@dios/kernel';

// The byte at `i` of the test pattern with `seed`.
function pattern(i: number, seed: number): number {
  // A hash, not a progression: no run of one seed's bytes appears in another seed's.
  let x = Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(seed + 1, 0x85ebca6b);
  x ^= x >>> 15;
  x = Math.imul(x, 0x2c1b3c6d);
  return (x ^ (x >>> 12)) & 255;
}

// A new private blob of `length` pattern bytes.
async function privateBlob(sys: SystemCalls, length: number, seed: number): Promise<number> {
  const { ref } = await sys.create(ObjectType.PRIVATE_MEMORY_BLOB);
  const w = await sys.beginWrite(ref, length);
  for (let i = 0; i < length; i++) w[i] = pattern(i, seed);
  await sys.endWrite(ref, w);
  return ref;
}

// Whether `view` holds the pattern's bytes from `from` on.
function holds(view: Uint8Array, from: number, seed: number): boolean {
  for (let i = 0; i < view.length; i++) if (view[i] !== pattern(from + i, seed)) return false;
  return true;
}

// Whether two views share any byte of memory.
function overlap(a: Uint8Array, b: Uint8Array): boolean {
  if (a.buffer !== b.buffer) return false;
  return a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length;
}

/** Two read leases open at once on a private blob: right bytes, shared windows, no overlap, writes kept from the blob. */
export async function twoLeases(sys: SystemCalls): Promise<number> {
  const ref = await privateBlob(sys, 300_000, 1);
  const a = await sys.beginRead(ref, { offset: 0, length: 200_000 });
  const b = await sys.beginRead(ref, { offset: 100_000, length: 200_000 });
  if (!(a.buffer instanceof SharedArrayBuffer) || !(b.buffer instanceof SharedArrayBuffer)) return 1;
  if (a.length !== 200_000 || !holds(a, 0, 1) || b.length !== 200_000 || !holds(b, 100_000, 1)) return 2;
  if (overlap(a, b)) return 3;
  // Writing all of the first window (past the lease too) changes neither the other lease nor the blob.
  new Uint8Array(a.buffer).fill(0xff);
  if (!holds(b, 100_000, 1)) return 4;
  if (!(await sys.endRead(ref, a)) || !(await sys.endRead(ref, b))) return 5;
  const c = await sys.beginRead(ref);
  if (c.length !== 300_000 || !holds(c, 0, 1)) return 6;
  if (!(await sys.endRead(ref, c))) return 7;
  // A small read after them: a window again, right bytes.
  const d = await sys.beginRead(ref, { offset: 299_990, length: 100 });
  if (d.length !== 10 || !holds(d, 299_990, 1)) return 8;
  await sys.endRead(ref, d);
  return 0;
}

/**
 * Holds a read lease on a private blob of pattern seed 9 open until its input blob (inputs[0]) is not empty,
 * after writing a byte to its output (outputs[0]) to say the lease is open; then checks its window is intact.
 */
export async function holdLease(sys: SystemCalls): Promise<number> {
  const ref = await privateBlob(sys, 1 << 20, 9);
  const view = await sys.beginRead(ref);
  if (!(view.buffer instanceof SharedArrayBuffer) || !holds(view, 0, 9)) return 1;
  const out = sys.outputs[0]!;
  const w = await sys.beginWrite(out, 1);
  w[0] = 1;
  await sys.endWrite(out, w);
  while (sys.ref(sys.inputs[0]!).size === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!holds(view, 0, 9)) return 2;
  if (!(await sys.endRead(ref, view))) return 3;
  return 0;
}

/**
 * A hostile task beside holdLease: reads a private blob of its own, looks through all of the window it got for
 * holdLease's bytes, overwrites it whole, and ends forged leases (tokens 0 to 63) on its blob.
 */
export async function snoopWindows(sys: SystemCalls): Promise<number> {
  const ref = await privateBlob(sys, 1 << 20, 0);
  const views = [await sys.beginRead(ref), await sys.beginRead(ref, { offset: 5 })];
  for (const view of views) {
    if (!(view.buffer instanceof SharedArrayBuffer)) return 1;
    const all = new Uint8Array(view.buffer);
    // holdLease's first 64 bytes anywhere in the window: the other task's bytes reached this one.
    for (let at = 0; at + 64 <= all.length; at++) {
      let k = 0;
      while (k < 64 && all[at + k] === pattern(k, 9)) k++;
      if (k === 64) return 2;
    }
    all.fill(0xee);
  }
  for (const view of views) await sys.endRead(ref, view);
  // Forged leases: a buffer never lent is refused, whatever token the task might guess.
  let refused = 0;
  for (let i = 0; i < 64; i++) {
    try {
      await sys.endRead(ref, new Uint8Array(16));
    } catch {
      refused++;
    }
  }
  return refused === 64 ? 0 : 3;
}
