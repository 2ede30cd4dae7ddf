/**
 * How remote blob I/O is cut up: a read or commit larger than one chunk
 * travels as several requests, a few in flight at once (flow control), so
 * no message grows with the object.
 * @module
 */

/**
 * Default of the bytes one request or reply carries at most
 * (KernelOptions.remoteChunkBytes): a larger blob read or commit travels as
 * several, {@link REMOTE_WINDOW} in flight at once (a stream read lends at
 * most this much, as a short read). 1 MiB less 16 KiB, room for the
 * header: a chunk travels in one NATS message of the default max_payload,
 * which the receiver hands on without putting parts together or copying
 * it into a buffer of its own first (fresh memory costs most here).
 */
export const REMOTE_CHUNK_BYTES = (1 << 20) - (16 << 10);
/** Chunk requests of one read or commit in flight at once: flow control, so a large transfer does not flood the transport. */
export const REMOTE_WINDOW = 8;

/** [at, length] of the chunks of `chunk` bytes covering [from, to). */
export function chunksOf(from: number, to: number, chunk: number): [number, number][] {
  const chunks: [number, number][] = [];
  for (let at = from; at < to; at += chunk) chunks.push([at, Math.min(chunk, to - at)]);
  return chunks;
}

/** Runs `work` on every item, at most {@link REMOTE_WINDOW} at once; rejects with the first failure, once none is running. */
export async function inWindow<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(REMOTE_WINDOW, items.length) }, lane));
  if (failure !== undefined) throw failure.error;
}
