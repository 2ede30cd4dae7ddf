/**
 * The durable store: where a host keeps the bytes of durable blobs. The
 * kernel core defines what it needs; the Node host layer implements it with
 * files (a base file and a redo log per blob), a browser host could use IndexedDB.
 * @module
 */
import type { Lifecycle } from '../abi/flags.js';
import type { LabelView } from '../abi/labels.js';

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
  /** The blob's information-flow label, when it has tags (docs/ifc.md): a store must keep it, or the blob would come back readable by all. */
  label?: LabelView;
}

/** A durable blob as found in the store at boot. */
export interface StoredBlob extends StoredBlobMeta {
  /** The committed bytes. */
  bytes: Uint8Array;
}

/** One committed write: `bytes` at `offset`, after which the blob is `size` bytes long (a gap before `offset` reads as zeros). */
export interface BlobChange {
  /** Where the bytes go. */
  offset: number;
  /** The bytes written. */
  bytes: Uint8Array;
  /** The blob's size after the change (smaller than the old size: a truncation). */
  size: number;
}

/** Durable storage for blobs. Every method must leave each blob at a committed version whatever happens. */
export interface BlobStore {
  /** Every blob in the store, each at its last committed version. */
  load(): Promise<StoredBlob[]>;
  /**
   * Makes one change durable, atomically; resolves once it would survive a
   * crash of the process (and of the machine, if the store's policy says
   * so). `meta.version` is the version after the change. `content` gives
   * the whole content after the change, for stores that write a blob whole
   * now and then (it costs a copy of the blob, so call it rarely).
   */
  commit(meta: StoredBlobMeta, change: BlobChange, content: () => Uint8Array): Promise<void>;
  /** Removes a blob (durably). Removing one that is not there is not an error. */
  remove(name: string): Promise<void>;
}
