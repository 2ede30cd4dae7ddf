/**
 * The provenance-memory part of bench:ifc: a kernel whose log has a given
 * bound, filled with real records (a task's 1-byte reads, one record each
 * end_read), the heap measured after a full collection before, at the
 * bound, and after ten times the bound more records.
 * @module
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Kernel, ObjectType } from '@dios/kernel';

let gc: (() => void) | undefined;

/** Runs a full garbage collection (exposing `gc` at run time when node was started without --expose-gc). */
export function collectGarbage(): void {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  // Twice: the first may leave what finalizers freed.
  gc();
  gc();
}

/** What one bound's fill measured. */
export interface ProvenanceMemory {
  /** The log's bound (records). */
  bound: number;
  /** Records added while measuring the fill (the log held a few warm-up records before). */
  filled: number;
  /** Heap growth from the warm-up state to the full log, bytes. */
  atBound: number;
  /** Heap growth from the warm-up state after 10 × bound more records, bytes. */
  afterTenTimes: number;
  /** Records the log held at the end (must be the bound). */
  held: number;
  /** Records ever added. */
  total: number;
}

/** Fills a log of `bound` records, then adds ten times as many, measuring the heap. */
export async function provenanceMemory(bound: number): Promise<ProvenanceMemory> {
  const kernel = await Kernel.boot({ id: 'bench', provenance: { records: bound } });
  const log = kernel.provenance!;
  const sys = kernel.init;
  const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { capacity: 1 });
  await sys.endWrite(ref, await sys.beginWrite(ref, 1));
  let sink = 0;
  const read = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      const view = await sys.beginRead(ref);
      sink += view[0]!;
      await sys.endRead(ref, view);
    }
  };
  // Warm-up: the calls compiled, the kernel's own structures at their size; the records it left are counted.
  await read(Math.min(1000, bound >> 2));
  collectGarbage();
  const start = log.size;
  const h0 = process.memoryUsage().heapUsed;
  await read(bound - start);
  collectGarbage();
  const h1 = process.memoryUsage().heapUsed;
  await read(10 * bound);
  collectGarbage();
  const h2 = process.memoryUsage().heapUsed;
  if (sink < 0) console.log(sink);
  return { bound, filled: bound - start, atBound: h1 - h0, afterTenTimes: h2 - h0, held: log.size, total: log.total };
}
