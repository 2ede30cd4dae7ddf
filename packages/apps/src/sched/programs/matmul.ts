/**
 * The matrix multiplication workload, a memory-bound task for the
 * scheduler's task classes. argv: `sched.matmul N`; inputs: two blobs each
 * holding an N x N float64 matrix (matrix-blobs.ts), A then B; outputs: one
 * blob, which gets the product A·B in the same format.
 *
 * The loop order is the naive i-j-k one on purpose: the inner loop walks down
 * a column of B, a stride of 8N bytes per step, so for N past a few hundred
 * most loads of B miss the cache. That is the kind of task the seed's
 * monitoring slide calls memory-bound; what DIOS's monitoring sees of it is
 * the 24N² bytes read and written against its CPU time (classify-task.ts).
 * @module
 */
import { errors, type SystemCalls } from '@dios/kernel';
import { defineProgram } from '@dios/libd';
import { checkOrder, matrixBytes, readMatrix } from './matrix-blobs.js';

const CALL = 'sched.matmul';

/** C = A·B for n x n row-major matrices, in the naive i-j-k order (B read down its columns). */
export function multiplyNaive(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += a[row + k]! * b[k * n + j]!;
      c[row + j] = sum;
    }
  }
  return c;
}

async function main(argv: string[], { sys }: { sys: SystemCalls }): Promise<number> {
  const n = Number(argv[1]);
  checkOrder(/^\d+$/.test(argv[1] ?? '') ? n : NaN, CALL, 'argv[1]');
  if (sys.inputs.length !== 2)
    throw errors.EINVAL(CALL, 'inputs', `expected two matrix blobs (A, B), got ${sys.inputs.length}`);
  if (sys.outputs.length !== 1)
    throw errors.EINVAL(CALL, 'outputs', `expected one blob for the product, got ${sys.outputs.length}`);
  const a = await readMatrix(sys, sys.inputs[0]!, n, CALL, 'inputs[0]');
  const b = await readMatrix(sys, sys.inputs[1]!, n, CALL, 'inputs[1]');
  const c = multiplyNaive(a, b, n);
  const out = sys.outputs[0]!;
  const buffer = await sys.beginWrite(out, matrixBytes(n), { offset: 0, truncate: true });
  buffer.set(new Uint8Array(c.buffer));
  await sys.endWrite(out, buffer);
  return 0;
}

/** The matmul program (see the module comment). */
export default defineProgram(main);
