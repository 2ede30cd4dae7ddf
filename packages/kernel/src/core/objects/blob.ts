/**
 * Memory blobs: a byte array with versions. Reads lend a view of the live
 * bytes (no copy) and are validated at end_read against the version; writes
 * lend a separate buffer whose bytes are copied in at commit, so a commit is
 * atomic. Per-reference policy `exclusive` adds a readers-writer lock.
 * @module
 */
import { errors } from '../abi/errors.js';
import { ObjectType, Rights, type Lifecycle } from '../abi/flags.js';
import type { Name } from '../abi/names.js';
import type { Lease, Reference } from './reference.js';
import type { GroupObject } from './group.js';
import { KernelObject, type IoRequest } from './kernel-object.js';
import { canFlow } from './label.js';

// Shared blobs at least this large live in a growable SharedArrayBuffer.
const GROWABLE_FROM = 1 << 20;

// SharedArrayBuffer's growable form (ES2024), not in the ES2023 library this project compiles against.
type GrowableSharedArrayBufferConstructor = new (
  length: number,
  options: { maxByteLength: number },
) => SharedArrayBuffer;

// Write buffers up to this size are always kept for the next write through the same reference.
const MAX_SPARE_BYTES = 64 * 1024;

/** Largest blob this kernel accepts (bytes). */
export const MAX_BLOB_BYTES = 2 ** 31 - 1;

// What a destroyed blob holds: one shared empty array (nothing can be written to it), not a new one per blob.
const NO_BYTES = new Uint8Array(0);

/** The object types implemented by {@link BlobObject} and its subclasses. */
export type BlobType =
  typeof ObjectType.PRIVATE_MEMORY_BLOB | typeof ObjectType.SHARED_MEMORY_BLOB | typeof ObjectType.DURABLE_BLOB;

/** A private-memory or shared-memory blob (and the in-memory side of a durable one). */
export class BlobObject extends KernelObject {
  /** Private (ArrayBuffer, one task), shared or durable (SharedArrayBuffer). */
  readonly type: BlobType;
  #bytes: Uint8Array;
  #size = 0;
  // Locks taken by references whose policy is `exclusive`, and write leases of any policy.
  #exclusiveReaders = 0;
  #writers = 0;
  #exclusiveWriter = false;
  // One returned write buffer kept for reuse, so a write round allocates nothing. Only the reference that
  // returned it gets it again: its task may still hold the array, and must not reach another task's write.
  #spare: Uint8Array | undefined;
  #spareRef: Reference | undefined;

  /** Creates an empty blob with room for `capacity` bytes. */
  constructor(name: Name, lifecycle: Lifecycle, group: GroupObject | undefined, type: BlobType, capacity: number) {
    super(name, lifecycle, group);
    this.type = type;
    this.#bytes = this.#alloc(capacity);
  }

  override get size(): number {
    return this.#size;
  }
  override get fateShared(): boolean {
    return this.type === ObjectType.PRIVATE_MEMORY_BLOB;
  }
  /** The buffer, allocated (it grows ahead of the size). */
  override get memoryBytes(): number {
    return this.#bytes.length;
  }
  /** The backing buffer (shared memory for shared blobs), for hand-off to other threads. */
  get backing(): ArrayBufferLike {
    return this.#bytes.buffer;
  }

  override isReady(mode: 'read' | 'write', ref: Reference): boolean {
    if (mode === 'read') return ref.consistency === 'optimistic' || this.#writers === 0;
    return (
      !this.#exclusiveWriter &&
      this.#exclusiveReaders === 0 &&
      (ref.consistency === 'optimistic' || this.#writers === 0)
    );
  }

  // Without a wait the lease is returned directly (no promise), so the call costs no extra turn of the event loop.
  override beginRead(req: IoRequest): Promise<Lease> | Lease {
    if (req.offset > this.#size) {
      throw errors.EINVAL(
        req.syscall,
        'options.offset',
        `offset ${req.offset} is past the end of the blob (size ${this.#size})`,
      );
    }
    const exclusive = req.ref.consistency === 'exclusive';
    if (exclusive && this.#writers > 0) return this.#readAfterWriters(req);
    return this.#readLease(req, exclusive);
  }

  #readAfterWriters(req: IoRequest): Promise<Lease> {
    return this.waitToTake(
      req,
      () => this.#writers === 0,
      () => this.#readLease(req, true),
    );
  }

  #readLease(req: IoRequest, exclusive: boolean): Lease {
    if (exclusive) this.#exclusiveReaders++;
    const length = Math.min(req.length, this.#size - req.offset);
    return {
      ref: req.ref,
      kind: 'read',
      buffer: this.#lendable(req)
        ? this.#bytes.subarray(req.offset, req.offset + length)
        : this.#bytes.slice(req.offset, req.offset + length),
      offset: req.offset,
      version: this.version,
      exclusive,
      truncate: false,
    };
  }

  /**
   * Whether a read may lend the blob's own memory. Lent memory is writable:
   * a worker task (whose only way out is its system calls) gets a copy
   * unless its reference may write the blob and its label may flow to the
   * blob's, so nothing it writes there reaches the blob behind end_write's
   * back (docs/ifc.md). A task in the kernel's thread shares the kernel's
   * heap anyway (docs/architecture.md, isolation and its limits).
   */
  #lendable(req: IoRequest): boolean {
    if (req.crossThread !== true) return true;
    return (req.ref.rights & Rights.WRITE) !== 0 && (req.label === this.label || canFlow(req.label, this.label));
  }

  override endRead(lease: Lease, release: boolean): boolean {
    if (lease.exclusive) {
      this.#exclusiveReaders--;
      this.changed.notify();
    }
    return release || lease.version === this.version;
  }

  // As beginRead: no promise unless the write has to wait for a lock.
  override beginWrite(req: IoRequest): Promise<Lease> | Lease {
    if (req.offset > this.#size) {
      throw errors.EINVAL(
        req.syscall,
        'options.offset',
        `offset ${req.offset} is past the end of the blob (size ${this.#size}); blobs have no holes`,
      );
    }
    if (req.offset + req.length > MAX_BLOB_BYTES) {
      throw errors.EINVAL(req.syscall, 'length', `offset + length exceeds the largest blob (${MAX_BLOB_BYTES} bytes)`);
    }
    if (!this.isReady('write', req.ref)) return this.#writeWhenReady(req);
    return this.#writeLease(req);
  }

  #writeWhenReady(req: IoRequest): Promise<Lease> {
    return this.waitToTake(
      req,
      () => this.isReady('write', req.ref),
      () => this.#writeLease(req),
    );
  }

  #writeLease(req: IoRequest): Lease {
    const exclusive = req.ref.consistency === 'exclusive';
    this.#writers++;
    if (exclusive) this.#exclusiveWriter = true;
    let buffer: Uint8Array;
    if (this.#spare !== undefined && this.#spare.length === req.length && this.#spareRef === req.ref) {
      buffer = this.#spare;
      this.#spare = undefined;
      this.#spareRef = undefined;
      // A reused buffer still holds an earlier write's bytes: a new lease starts zeroed, like a fresh one.
      buffer.fill(0);
    } else {
      // For a task in another thread, shared memory, so that it fills the very buffer the commit copies from;
      // otherwise ordinary memory, which V8 fills and copies faster.
      buffer =
        req.crossThread === true && this.type !== ObjectType.PRIVATE_MEMORY_BLOB
          ? new Uint8Array(new SharedArrayBuffer(req.length))
          : new Uint8Array(req.length);
    }
    // A lent buffer is memory the object's container pays for until the write ends.
    this.owner?.lend(buffer.length);
    return {
      ref: req.ref,
      kind: 'write',
      buffer,
      offset: req.offset,
      version: this.version,
      exclusive,
      truncate: req.truncate,
      append: req.append,
    };
  }

  /** The blob's content as the commit of `length` bytes of `lease` would leave it (a new array; nothing changes). */
  protected contentAfter(lease: Lease, length: number): Uint8Array {
    const offset = lease.append === true ? this.#size : lease.offset;
    const end = offset + length;
    const newSize = lease.truncate ? end : Math.max(this.#size, end);
    const next = new Uint8Array(newSize);
    next.set(this.#bytes.subarray(0, Math.min(this.#size, newSize)));
    next.set(lease.buffer.subarray(0, length), offset);
    return next;
  }

  /** Replaces the content and version (a durable blob loaded at boot). */
  protected restore(bytes: Uint8Array, version: number): void {
    if (bytes.length > this.#bytes.length) this.#bytes = this.#alloc(bytes.length);
    this.#bytes.set(bytes);
    this.#size = bytes.length;
    this.version = version;
  }

  override endWrite(lease: Lease, length: number, discard: boolean): void | Promise<void> {
    this.finishWrite(lease, length, discard);
  }

  /**
   * The synchronous part of end_write: releases the writer's lock and, unless `discard`, applies the bytes.
   * A durable blob calls it once the store has the commit.
   */
  protected finishWrite(lease: Lease, length: number, discard: boolean): void {
    this.#writers--;
    if (lease.exclusive) this.#exclusiveWriter = false;
    this.owner?.lend(-lease.buffer.length);
    if (!discard) {
      // A blob has no holes: if a commit since begin_write truncated the blob below this offset, the gap is zero-filled.
      const offset = lease.append === true ? this.#size : lease.offset;
      const end = offset + length;
      const newSize = lease.truncate ? end : Math.max(this.#size, end);
      if (newSize > this.#bytes.length) this.#grow(newSize);
      if (offset > this.#size) this.#bytes.fill(0, this.#size, offset);
      this.#bytes.set(length === lease.buffer.length ? lease.buffer : lease.buffer.subarray(0, length), offset);
      this.#size = newSize;
      this.version++;
    }
    // Buffers are kept for reuse only when small beside the blob: a large one would double the memory of a blob
    // written once, while a blob filled in chunks reuses one chunk buffer throughout.
    const keep = lease.buffer.length <= MAX_SPARE_BYTES || lease.buffer.length <= this.#size / 8;
    this.#spare = keep ? lease.buffer : undefined;
    this.#spareRef = this.#spare === undefined ? undefined : lease.ref;
    this.owner?.charge(this);
    this.changed.notify();
  }

  override problems(): string[] {
    const p: string[] = [];
    if (this.#writers < 0 || this.#exclusiveReaders < 0) p.push(`blob ${this.name.key}: negative lock count`);
    if (this.#size > this.#bytes.length)
      p.push(`blob ${this.name.key}: size ${this.#size} exceeds capacity ${this.#bytes.length}`);
    return p;
  }

  /** Lock counts, checked by the invariant against outstanding leases. */
  get locks(): { writers: number; exclusiveReaders: number; exclusiveWriter: boolean } {
    return { writers: this.#writers, exclusiveReaders: this.#exclusiveReaders, exclusiveWriter: this.#exclusiveWriter };
  }

  #alloc(capacity: number): Uint8Array {
    return this.type === ObjectType.PRIVATE_MEMORY_BLOB
      ? new Uint8Array(capacity)
      : new Uint8Array(new SharedArrayBuffer(capacity));
  }

  // Readers holding views of the old buffer keep a consistent snapshot; their end_read reports the new version.
  #grow(needed: number): void {
    const capacity = Math.max(needed, Math.min(MAX_BLOB_BYTES, this.#bytes.length * 2));
    const buffer = this.#bytes.buffer as SharedArrayBuffer & { growable?: boolean; grow?(n: number): void };
    if (buffer.growable === true) {
      // Grows in place: no copy, and views already lent stay valid.
      buffer.grow!(capacity);
      this.#bytes = new Uint8Array(buffer);
      return;
    }
    // A shared blob that gets large moves once into a growable SharedArrayBuffer (address space reserved up to the
    // largest blob, memory committed as it grows), so growing further copies nothing. Small blobs stay fixed-size:
    // reserving that much for every blob would exhaust the address space.
    const next =
      this.type !== ObjectType.PRIVATE_MEMORY_BLOB && capacity >= GROWABLE_FROM
        ? new Uint8Array(
            new (SharedArrayBuffer as GrowableSharedArrayBufferConstructor)(capacity, {
              maxByteLength: MAX_BLOB_BYTES,
            }),
          )
        : this.#alloc(capacity);
    next.set(this.#bytes.subarray(0, this.#size));
    this.#bytes = next;
  }

  override destroy(byDelete = false): void {
    this.#bytes = NO_BYTES;
    this.#size = 0;
    this.#spare = undefined;
    this.#spareRef = undefined;
    super.destroy(byDelete);
  }
}
