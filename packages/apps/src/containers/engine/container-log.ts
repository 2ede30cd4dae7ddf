/**
 * A container's console output (what `logs` shows): kept in memory up to a
 * bound, appended to a blob in batches so it survives a restart, and handed
 * to followers as it comes. The container's console sink feeds it; the
 * engine, host code holding the container's tag, is what lets it out.
 * @module
 */

/** The most bytes of output kept per container; older output goes first. */
export const LOG_LIMIT = 8 * 1024 * 1024;
/** How long output waits before it is appended to the log blob (ms). */
const FLUSH_MS = 200;

/** One container's output. */
export class ContainerLog {
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  #pending: Uint8Array[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #flushing: Promise<void> = Promise.resolve();
  readonly #followers = new Set<(bytes: Uint8Array) => void>();

  /** `persist` appends a batch to the log blob; `initial` is what an earlier run left there. */
  constructor(
    private readonly persist: (bytes: Uint8Array) => Promise<void>,
    initial?: Uint8Array,
  ) {
    if (initial !== undefined && initial.length > 0) this.#keep(initial.slice(Math.max(0, initial.length - LOG_LIMIT)));
  }

  /** The console sink: the bytes are valid only during the call, so they are copied. */
  readonly sink = (bytes: Uint8Array): void => {
    const copy = bytes.slice();
    this.#keep(copy);
    this.#pending.push(copy);
    for (const follower of this.#followers) follower(copy);
    this.#timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  };

  /** Everything kept, in one array. */
  contents(): Uint8Array {
    const out = new Uint8Array(this.#bytes);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  /** Calls `onData` with each new piece of output; returns the function that stops it. */
  follow(onData: (bytes: Uint8Array) => void): () => void {
    this.#followers.add(onData);
    return () => this.#followers.delete(onData);
  }

  /** Appends what is pending to the blob; resolves when it is there (a failure is kept for the next flush to retry). */
  flush(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flushing = this.#flushing.then(async () => {
      if (this.#pending.length === 0) return;
      const batch = this.#pending;
      this.#pending = [];
      const bytes = new Uint8Array(batch.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of batch) {
        bytes.set(c, at);
        at += c.length;
      }
      try {
        await this.persist(bytes);
      } catch {
        // The store refused (full disk, removed container): the output stays in memory only.
      }
    });
    return this.#flushing;
  }

  /** Stops the timer (the container is being removed). */
  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#followers.clear();
  }

  #keep(bytes: Uint8Array): void {
    this.#chunks.push(bytes);
    this.#bytes += bytes.length;
    while (this.#bytes > LOG_LIMIT && this.#chunks.length > 1) this.#bytes -= this.#chunks.shift()!.length;
  }
}
