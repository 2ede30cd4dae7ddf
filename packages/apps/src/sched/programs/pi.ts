/**
 * The Pi approximation workload, a CPU-bound task for the scheduler's task
 * classes. argv: `sched.pi N`: sums N terms of the Leibniz series
 * 4·(1 - 1/3 + 1/5 - ...); outputs: one blob, which gets the estimate as one
 * float64 (8 bytes, host byte order). It touches a few registers' worth of
 * memory however large N is, so its bytes per CPU millisecond are near zero.
 * @module
 */
import { errors, type SystemCalls } from '@dios/kernel';
import { defineProgram } from '@dios/libd';

const CALL = 'sched.pi';

/** Most terms a task sums (about a minute of CPU): a bound on a typo's cost. */
export const MAX_PI_TERMS = 1e11;

/** 4·Σ_{k<terms} (-1)^k / (2k+1): within about 1/terms of π. */
export function leibnizPi(terms: number): number {
  let sum = 0;
  // Pairs of terms, so the loop has no sign to flip; an odd count adds its last term alone.
  const pairs = Math.floor(terms / 2);
  for (let k = 0; k < pairs; k++) {
    const d = 4 * k + 1;
    sum += 1 / d - 1 / (d + 2);
  }
  if (terms % 2 === 1) sum += 1 / (2 * (terms - 1) + 1);
  return 4 * sum;
}

async function main(argv: string[], { sys }: { sys: SystemCalls }): Promise<number> {
  const terms = /^\d+$/.test(argv[1] ?? '') ? Number(argv[1]) : NaN;
  if (!Number.isSafeInteger(terms) || terms < 1 || terms > MAX_PI_TERMS)
    throw errors.EINVAL(CALL, 'argv[1]', `expected a number of terms from 1 to ${MAX_PI_TERMS}, got ${argv[1]}`);
  if (sys.outputs.length !== 1)
    throw errors.EINVAL(CALL, 'outputs', `expected one blob for the estimate, got ${sys.outputs.length}`);
  const out = sys.outputs[0]!;
  const buffer = await sys.beginWrite(out, 8, { offset: 0, truncate: true });
  buffer.set(new Uint8Array(Float64Array.of(leibnizPi(terms)).buffer));
  await sys.endWrite(out, buffer);
  return 0;
}

/** The Pi program (see the module comment). */
export default defineProgram(main);
