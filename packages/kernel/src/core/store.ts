/**
 * The durable store: where a host keeps the bytes of durable blobs. The
 * kernel core defines what it needs; the Node host layer implements it with
 * files (write aside, fsync, rename), a browser host could use IndexedDB.
 * @module
 */
import type { Lifecycle } from './flags.js';

/** What the store keeps about one durable blob besides its bytes. */
export interface StoredBlobMeta {
  /** Name key (canonical text form). */
  name: string;
  /** Version of the stored bytes. */
  version: number;
  /** Lifecycle (immortal or single-delete). */
  lifecycle: Lifecycle;
  /** Name key of the group the blob is named in, if any. */
  group: string | undefined;
}

/** A durable blob as found in the store at boot. */
export interface StoredBlob extends StoredBlobMeta {
  /** The committed bytes. */
  bytes: Uint8Array;
}

/** Durable storage for blobs. Every method must leave each blob at a committed version whatever happens. */
export interface BlobStore {
  /** Every blob in the store, each at its last committed version. */
  load(): Promise<StoredBlob[]>;
  /** Replaces a blob's bytes and metadata atomically and durably; resolves once they would survive a crash. */
  commit(meta: StoredBlobMeta, bytes: Uint8Array): Promise<void>;
  /** Removes a blob (durably). Removing one that is not there is not an error. */
  remove(name: string): Promise<void>;
}
