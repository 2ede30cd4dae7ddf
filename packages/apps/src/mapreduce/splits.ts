/**
 * Splitting a job's inputs among its map tasks. Splits are byte ranges of
 * the inputs laid end to end, cut into equal shares; a share that spans two
 * inputs becomes two pieces (records never run from one input into the
 * next). Where a cut falls inside a record, the record belongs to the piece
 * it starts in: that piece reads on to the record's end, and the next one
 * skips it ({@link recordAlign}).
 * @module
 */

/** A byte range of one input, as given to a map task. */
export interface Piece {
  /** Index of the input among the job's inputs. */
  readonly input: number;
  /** First byte of the nominal range. */
  readonly start: number;
  /** End (exclusive) of the nominal range. */
  readonly end: number;
}

/** The nominal pieces of each of `maps` map tasks over inputs of `sizes` bytes (a task may get none). */
export function planSplits(sizes: readonly number[], maps: number): Piece[][] {
  const total = sizes.reduce((a, b) => a + b, 0);
  const plan: Piece[][] = [];
  for (let m = 0; m < maps; m++) {
    const from = Math.floor((m * total) / maps);
    const to = Math.floor(((m + 1) * total) / maps);
    const pieces: Piece[] = [];
    let base = 0;
    for (const [input, size] of sizes.entries()) {
      const start = Math.max(from, base) - base;
      const end = Math.min(to, base + size) - base;
      if (start < end) pieces.push({ input, start, end });
      base += size;
    }
    plan.push(pieces);
  }
  return plan;
}

/**
 * The range of `bytes` (a whole input seen from byte `base` on) that a piece covering input bytes
 * `[start, end)` actually processes, as view indices: the start moves past a record the cut falls into, the end
 * moves to the end of such a record. `recordBytes[b]` is non-zero for bytes inside records. The result may be
 * empty (a record longer than the piece). `base` must be at most `start - 1` when start > 0.
 */
export function recordAlign(
  bytes: Uint8Array,
  base: number,
  start: number,
  end: number,
  recordBytes: Uint8Array,
): [number, number] {
  const n = bytes.length;
  let s = start - base;
  if (start > 0 && recordBytes[bytes[s - 1]!] !== 0) while (s < n && recordBytes[bytes[s]!] !== 0) s++;
  let e = end - base;
  if (e > 0 && recordBytes[bytes[e - 1]!] !== 0) while (e < n && recordBytes[bytes[e]!] !== 0) e++;
  return [s, Math.max(s, e)];
}
