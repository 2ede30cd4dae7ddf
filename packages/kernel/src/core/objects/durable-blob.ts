/**
 * Durable blobs: a blob whose every commit is first made durable in the
 * host's store, then applied in memory. Readers see only durable versions;
 * a crash leaves the store at the last commit that resolved, never torn.
 * @module
 */
import { errors } from '../abi/errors.js';
import { ObjectType, type Lifecycle, type Proximity } from '../abi/flags.js';
import type { Name } from '../abi/names.js';
import type { Lease } from './reference.js';
import type { BlobStore, StoredBlobMeta } from './store.js';
import { BlobObject } from './blob.js';
import type { GroupObject } from './group.js';

/** A blob kept in the kernel's durable store. */
export class DurableBlobObject extends BlobObject {
  readonly #store: BlobStore;
  // Commits go to the store one at a time, in the order end_write was called.
  #queue: Promise<void> = Promise.resolve();
  /** Write leases whose commit is on its way to the store: ended by their task, still holding their lock. */
  readonly committing = new Set<Lease>();

  /** A durable blob with the given committed content. */
  constructor(
    name: Name,
    lifecycle: Lifecycle,
    group: GroupObject | undefined,
    store: BlobStore,
    bytes: Uint8Array,
    version: number,
  ) {
    super(name, lifecycle, group, ObjectType.DURABLE_BLOB, bytes.length);
    this.#store = store;
    this.restore(bytes, version);
  }

  override get persistent(): boolean {
    return true;
  }
  override get proximity(): Proximity {
    return 'local-disk';
  }

  /** The metadata the store keeps for this blob at `version` (its label too when it has tags: it must survive a restart). */
  meta(version: number): StoredBlobMeta {
    const meta: StoredBlobMeta = {
      name: this.name.key,
      version,
      lifecycle: this.lifecycle,
      group: this.group?.name.key,
    };
    if (!this.label.empty) meta.label = this.label.view();
    return meta;
  }

  override endWrite(lease: Lease, length: number, discard: boolean): void | Promise<void> {
    if (discard) return this.finishWrite(lease, length, true);
    this.committing.add(lease);
    const step = this.#queue.then(async () => {
      // Resolved here, after earlier commits: an append goes to the end as it is now.
      const offset = lease.append === true ? this.size : lease.offset;
      const size = lease.truncate ? offset + length : Math.max(this.size, offset + length);
      const change = { offset, bytes: lease.buffer.subarray(0, length), size };
      try {
        await this.#store.commit(this.meta(this.version + 1), change, () => this.contentAfter(lease, length));
      } catch (e) {
        this.committing.delete(lease);
        this.finishWrite(lease, length, true);
        throw errors.EIO('endWrite', 'ref', `the durable store failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      this.committing.delete(lease);
      this.finishWrite(lease, length, false);
    });
    // The queue only orders commits: the caller gets this one's error from `step`, and the next commit still runs.
    this.#queue = step.catch(() => {});
    return step;
  }

  /** Removes the bytes from the store when the object goes. */
  override destroy(byDelete = false): void {
    const name = this.name.key;
    // Queued after pending commits, so a late commit cannot bring the blob back. Nobody waits for a destroy: if the
    // removal fails, the bytes stay in the store and the blob is back at the next boot, as after a crash before it.
    this.#queue = this.#queue.then(() => this.#store.remove(name)).catch(() => {});
    super.destroy(byDelete);
  }

  /** Writes the current content to the store (a new blob's first version); later commits wait for it. */
  persist(): Promise<void> {
    const empty = new Uint8Array(0);
    const step = this.#queue.then(() =>
      this.#store.commit(this.meta(this.version), { offset: 0, bytes: empty, size: 0 }, () => empty),
    );
    // As in endWrite: the caller gets the error from `step`; the queue goes on.
    this.#queue = step.catch(() => {});
    return step;
  }

  /** Resolves when every commit and removal queued so far has reached the store. */
  settled(): Promise<void> {
    return this.#queue;
  }
}
