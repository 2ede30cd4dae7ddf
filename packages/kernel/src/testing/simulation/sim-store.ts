/**
 * A durable store for a simulated node: blobs kept in memory (they survive
 * the node, so a restarted node boots from them), each commit an event of
 * the scheduler, and a crash on demand at a chosen commit: that commit and
 * every later one never become durable, and the node is lost at that moment.
 * @module
 */
import type { BlobChange, BlobStore, StoredBlob, StoredBlobMeta } from '../../core/objects/store.js';
import type { DelayRange, SimScheduler } from './scheduler.js';

/** A crashable in-memory {@link BlobStore} whose commits take simulated time. */
export class SimStore implements BlobStore {
  readonly #scheduler: SimScheduler;
  readonly #node: string;
  readonly #delay: DelayRange;
  readonly #blobs = new Map<string, StoredBlob>();
  #commits = 0;
  #crashAt: number | undefined = undefined;
  #crashed = false;
  /** Called once, when the store crashes (the simulation loses the node). */
  onCrash: (() => void) | undefined = undefined;

  /** The store of node `node`; each commit takes a delay within `delay`. */
  constructor(scheduler: SimScheduler, node: string, delay: DelayRange = { min: 0.05, max: 1 }) {
    this.#scheduler = scheduler;
    this.#node = node;
    this.#delay = delay;
  }

  /** Makes the store crash at its `commit`-th commit from now on (1: the next one). */
  crashAtCommit(commit: number): void {
    this.#crashAt = this.#commits + Math.max(1, Math.floor(commit));
  }

  /** Commits made durable so far. */
  get commits(): number {
    return this.#commits;
  }

  /** Whether the store has crashed. */
  get crashed(): boolean {
    return this.#crashed;
  }

  /** Comes back after a crash, with what was durable (for a restarted node). */
  recover(): void {
    this.#crashed = false;
    this.#crashAt = undefined;
  }

  /** What is durable now, by name key: bytes and version (copies). */
  contents(): Map<string, { bytes: Uint8Array; version: number }> {
    return new Map([...this.#blobs].map(([k, b]) => [k, { bytes: b.bytes.slice(), version: b.version }]));
  }

  async load(): Promise<StoredBlob[]> {
    return [...this.#blobs.values()].map((b) => ({ ...b, bytes: b.bytes.slice() }));
  }

  commit(meta: StoredBlobMeta, change: BlobChange): Promise<void> {
    const copy = { meta: { ...meta }, offset: change.offset, bytes: change.bytes.slice(), size: change.size };
    return new Promise((resolve) => {
      if (this.#crashed) return; // a crashed store never answers
      this.#scheduler.at(
        this.#scheduler.delay(this.#delay),
        this.#node,
        'commit',
        `store commit ${meta.name.slice(0, 12)}… v${meta.version}`,
        () => {
          if (this.#crashed) return;
          if (this.#crashAt !== undefined && this.#commits + 1 >= this.#crashAt) {
            this.#crashed = true;
            this.onCrash?.();
            return;
          }
          this.#commits++;
          const old = this.#blobs.get(meta.name)?.bytes ?? new Uint8Array(0);
          const bytes = new Uint8Array(copy.size);
          bytes.set(old.subarray(0, Math.min(old.length, copy.size)));
          if (copy.offset < copy.size) bytes.set(copy.bytes.subarray(0, copy.size - copy.offset), copy.offset);
          this.#blobs.set(meta.name, { ...copy.meta, bytes });
          resolve();
        },
      );
    });
  }

  remove(name: string): Promise<void> {
    return new Promise((resolve) => {
      if (this.#crashed) return;
      this.#scheduler.at(
        this.#scheduler.delay(this.#delay),
        this.#node,
        'commit',
        `store remove ${name.slice(0, 12)}…`,
        () => {
          if (this.#crashed) return;
          this.#blobs.delete(name);
          resolve();
        },
      );
    });
  }
}
