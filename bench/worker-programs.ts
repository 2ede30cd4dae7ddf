/**
 * Programs the worker benchmark runs as worker tasks: each times its own
 * loop of system calls and writes the milliseconds into its last output.
 * @module
 */
import type { SystemCalls } from '@dios/kernel';

/** Lookups made before their references are deleted (the deletes are not timed). */
const BATCH = 4096;

async function report(sys: SystemCalls, ms: number): Promise<number> {
  const out = sys.outputs[sys.outputs.length - 1]!;
  const bytes = new TextEncoder().encode(String(ms));
  const buf = await sys.beginWrite(out, bytes.length, { truncate: true });
  buf.set(bytes);
  await sys.endWrite(out, buf);
  return 0;
}

/** argv: [name, object name (hex), lookups]. */
export async function lookupLoop(sys: SystemCalls): Promise<number> {
  const name = sys.argv[1]!;
  const units = Number(sys.argv[2]);
  let ms = 0;
  for (let done = 0; done < units;) {
    const n = Math.min(BATCH, units - done);
    const found: number[][] = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) found.push(await sys.lookup(name));
    ms += performance.now() - t0;
    for (const refs of found) for (const r of refs) await sys.delete(r);
    done += n;
  }
  return report(sys, ms);
}

/** argv: [name, rounds, bytes]; outputs: [blob, result]. One round: write `bytes` to the blob, then read them back. */
export async function roundLoop(sys: SystemCalls): Promise<number> {
  const rounds = Number(sys.argv[1]);
  const bytes = Number(sys.argv[2]);
  const blob = sys.outputs[0]!;
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    const w = await sys.beginWrite(blob, bytes);
    w[0] = i & 0xff;
    await sys.endWrite(blob, w);
    const r = await sys.beginRead(blob, { length: bytes });
    sink += r[0]!;
    await sys.endRead(blob, r);
  }
  const ms = performance.now() - t0;
  return sink >= 0 ? report(sys, ms) : 1;
}
