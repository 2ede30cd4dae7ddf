/**
 * Standard input into a blob: its size is not known until it ends, so the
 * blob grows as the chunks arrive, each written into the buffer begin_write
 * lends at the end of what came before (one copy, no list of chunks kept).
 * @module
 */
import { MAX_BLOB_BYTES, ObjectType, type SystemCalls } from '@dios/kernel';

/** Reads `input` to its end into a new shared-memory blob of task `sys`; returns its handle. EFBIG past the largest blob. */
export async function loadStream(sys: SystemCalls, input: AsyncIterable<Uint8Array | string>): Promise<number> {
  const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { capacity: 0 });
  let at = 0;
  for await (const piece of input) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
    if (chunk.length === 0) continue;
    if (at + chunk.length > MAX_BLOB_BYTES) {
      await sys.delete(ref);
      throw Object.assign(new Error(`EFBIG: standard input is larger than a blob can be (${MAX_BLOB_BYTES} bytes)`), {
        code: 'EFBIG',
      });
    }
    const buffer = await sys.beginWrite(ref, chunk.length, { offset: at });
    buffer.set(chunk);
    await sys.endWrite(ref, buffer);
    at += chunk.length;
  }
  return ref;
}
