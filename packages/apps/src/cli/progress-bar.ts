/**
 * A progress bar on stderr, for jobs that take a while: drawn only on a
 * terminal, and only once the job has run for a second, so short runs and
 * redirected output stay clean.
 * @module
 */

/** Draws job progress on a terminal stream; see the module comment. */
export class ProgressBar {
  readonly #stream: NodeJS.WriteStream;
  readonly #started = Date.now();
  readonly #delayMs: number;
  #drawn = false;

  /** A bar on `stream`, drawn after `delayMs` (when the stream is a terminal). */
  constructor(stream: NodeJS.WriteStream, delayMs = 1000) {
    this.#stream = stream;
    this.#delayMs = delayMs;
  }

  /** Shows `done` of `total` tasks. */
  update(done: number, total: number): void {
    if (!this.#stream.isTTY || Date.now() - this.#started < this.#delayMs || total <= 0) return;
    const width = 30;
    const filled = Math.round((Math.min(done, total) / total) * width);
    this.#stream.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} tasks`);
    this.#drawn = true;
  }

  /** Erases the bar, if it was drawn. */
  clear(): void {
    if (this.#drawn) this.#stream.write('\r\x1b[K');
    this.#drawn = false;
  }
}
