/**
 * Matrices as blobs, the format the matmul program reads and writes: an
 * n x n matrix of float64 values in row-major order, 8n² bytes in the
 * host's byte order (little-endian on the platforms Node runs on). Helpers
 * for a caller that makes the inputs and reads the product.
 * @module
 */
import { errors, ObjectType, type SystemCalls } from '@dios/kernel';

/** Bytes of an n x n float64 matrix. */
export function matrixBytes(n: number): number {
  return 8 * n * n;
}

/**
 * An n x n matrix of values in [-1, 1) from a small deterministic generator
 * (xorshift32 seeded with `seed`): the same seed gives the same matrix.
 */
export function randomMatrix(n: number, seed: number): Float64Array {
  checkOrder(n, 'randomMatrix');
  if (!Number.isSafeInteger(seed)) throw errors.EINVAL('randomMatrix', 'seed', `expected an integer, got ${seed}`);
  const m = new Float64Array(n * n);
  let x = seed >>> 0 || 0x9e3779b9; // xorshift needs a nonzero state
  for (let i = 0; i < m.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    m[i] = x / 2 ** 31 - 1;
  }
  return m;
}

/** A new shared-memory blob holding `matrix` (row-major float64); returns its handle (all rights). */
export async function putMatrix(sys: SystemCalls, matrix: Float64Array): Promise<number> {
  const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { capacity: matrix.byteLength });
  const buffer = await sys.beginWrite(ref, matrix.byteLength);
  buffer.set(new Uint8Array(matrix.buffer, matrix.byteOffset, matrix.byteLength));
  await sys.endWrite(ref, buffer);
  return ref;
}

/**
 * The n x n matrix blob `ref` holds; EINVAL (`n`) for a bad order, EINVAL
 * (`argument`, default `ref`) when the blob's size is not 8n².
 */
export async function readMatrix(
  sys: SystemCalls,
  ref: number,
  n: number,
  call = 'readMatrix',
  argument = 'ref',
): Promise<Float64Array> {
  checkOrder(n, call);
  const view = await sys.beginRead(ref, { offset: 0 });
  try {
    if (view.length !== matrixBytes(n))
      throw errors.EINVAL(
        call,
        argument,
        `expected ${matrixBytes(n)} bytes for a ${n} x ${n} matrix, got ${view.length}`,
      );
    // A copy into an 8-aligned buffer: the view may start anywhere in the blob's memory.
    const matrix = new Float64Array(n * n);
    new Uint8Array(matrix.buffer).set(view);
    return matrix;
  } finally {
    await sys.endRead(ref, view);
  }
}

/** EINVAL (`n`) unless n is a positive integer small enough that 8n² bytes fit in an array. */
export function checkOrder(n: number, call: string, argument = 'n'): void {
  if (!Number.isSafeInteger(n) || n < 1 || n > 16_384)
    throw errors.EINVAL(call, argument, `expected an integer from 1 to 16384, got ${n}`);
}
