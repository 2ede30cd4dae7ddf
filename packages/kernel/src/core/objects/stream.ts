/**
 * Shared-memory streams: a bounded FIFO ring in a SharedArrayBuffer. One read
 * lease and one write lease at a time; a write waits for room (back-pressure),
 * a read waits for data or end-of-stream. Leases are views into the ring when
 * the region is contiguous, so data is copied only by the task that fills it.
 * @module
 */
import { errors } from '../abi/errors.js';
import { ObjectType, Rights, type Lifecycle } from '../abi/flags.js';
import type { Name } from '../abi/names.js';
import type { Lease, Reference } from './reference.js';
import type { GroupObject } from './group.js';
import { KernelObject, type IoRequest } from './kernel-object.js';

/** Default ring size of a stream, in bytes. */
export const DEFAULT_STREAM_CAPACITY = 256 * 1024;

/** A bounded byte FIFO with back-pressure and end-of-stream. */
export class StreamObject extends KernelObject {
  /** Always a shared-memory stream. */
  readonly type = ObjectType.SHARED_MEMORY_STREAM;
  /** Ring size in bytes. */
  readonly capacity: number;
  #ring: Uint8Array;
  // Total bytes ever consumed and ever committed; used = tail - head.
  #head = 0;
  #tail = 0;
  #eof = false;
  #reading = false;
  #writing = false;
  #readers = 0;
  #writersOpen = 0;

  /** Creates an empty stream with a ring of `capacity` bytes. */
  constructor(name: Name, lifecycle: Lifecycle, group: GroupObject | undefined, capacity: number) {
    super(name, lifecycle, group);
    this.capacity = capacity;
    this.#ring = new Uint8Array(new SharedArrayBuffer(capacity));
  }

  override get size(): number {
    return this.#tail - this.#head;
  }
  /** True once end-of-stream is marked or every reference with write rights is gone. */
  get ended(): boolean {
    return this.#eof;
  }

  override isReady(mode: 'read' | 'write'): boolean {
    if (mode === 'read') return !this.#reading && (this.size > 0 || this.ended);
    return !this.#writing && (this.#eof || this.#readers === 0 || this.size < this.capacity);
  }

  override onOpen(rights: number): void {
    if (rights & Rights.READ) this.#readers++;
    if (rights & Rights.WRITE) this.#writersOpen++;
  }
  override onClose(rights: number): void {
    if (rights & Rights.READ) this.#readers--;
    if (rights & Rights.WRITE) this.#writersOpen--;
    // Like a pipe: once nothing can write, the stream has ended for good, even if a writer turns up later.
    if (this.#writersOpen === 0) this.#eof = true;
    this.changed.notify();
  }

  // Without a wait the lease is returned directly (no promise), so the call costs no extra turn of the event loop.
  override beginRead(req: IoRequest): Promise<Lease> | Lease {
    if (req.offset !== 0) throw errors.ESPIPE(req.syscall, 'options.offset', 'streams have no offsets');
    // An empty lease means end-of-stream, so a read must ask for at least one byte.
    if (req.length === 0) throw errors.EINVAL(req.syscall, 'options.length', 'a stream read asks for at least one byte');
    if (!this.isReady('read')) return this.#readWhenReady(req);
    return this.#readLease(req);
  }

  async #readWhenReady(req: IoRequest): Promise<Lease> {
    await this.waitUntil(req, () => this.isReady('read'));
    return this.#readLease(req);
  }

  #readLease(req: IoRequest): Lease {
    this.#reading = true;
    const start = this.#head % this.capacity;
    const length = Math.min(req.length, this.size, this.capacity - start);
    return {
      ref: req.ref,
      kind: 'read',
      buffer: this.#ring.subarray(start, start + length),
      offset: 0,
      version: this.version,
      exclusive: false,
      truncate: false,
    };
  }

  override endRead(lease: Lease, release: boolean): boolean {
    this.#reading = false;
    if (!release) this.#head += lease.buffer.length;
    this.changed.notify();
    return true;
  }

  // As beginRead: no promise unless the write has to wait for room.
  override beginWrite(req: IoRequest): Promise<Lease> | Lease {
    if (req.offset !== 0) throw errors.ESPIPE(req.syscall, 'options.offset', 'streams have no offsets');
    if (req.length > this.capacity) {
      throw errors.EINVAL(req.syscall, 'length', `${req.length} bytes exceed the stream's capacity of ${this.capacity}`);
    }
    if (this.#room(req) === undefined) return this.#writeWhenRoom(req);
    return this.#writeLease(req);
  }

  // Whether a write of req.length bytes fits now (undefined: not yet); throws when it never will.
  #room(req: IoRequest): true | undefined {
    req.guard();
    if (this.#eof) throw errors.EPIPE(req.syscall, 'ref', 'the stream has been ended');
    if (this.#readers === 0) throw errors.EPIPE(req.syscall, 'ref', 'no reference can read the stream any more');
    return !this.#writing && this.capacity - this.size >= req.length ? true : undefined;
  }

  async #writeWhenRoom(req: IoRequest): Promise<Lease> {
    await this.waitUntil(req, () => this.#room(req) === true);
    return this.#writeLease(req);
  }

  #writeLease(req: IoRequest): Lease {
    this.#writing = true;
    const start = this.#tail % this.capacity;
    // A region that wraps around the ring is staged in a scratch buffer and copied in two parts at commit.
    const contiguous = start + req.length <= this.capacity;
    const buffer = contiguous ? this.#ring.subarray(start, start + req.length) : new Uint8Array(req.length);
    return { ref: req.ref, kind: 'write', buffer, offset: 0, version: this.version, exclusive: false, truncate: false, detail: contiguous };
  }

  override endWrite(lease: Lease, length: number, discard: boolean, endOfStream: boolean): void {
    this.#writing = false;
    if (!discard) {
      if (lease.detail === false && length > 0) {
        const start = this.#tail % this.capacity;
        const first = Math.min(length, this.capacity - start);
        this.#ring.set(lease.buffer.subarray(0, first), start);
        this.#ring.set(lease.buffer.subarray(first, length), 0);
      }
      this.#tail += length;
      if (length > 0) this.version++;
      if (endOfStream) this.#eof = true;
    }
    this.changed.notify();
  }

  override problems(): string[] {
    const used = this.#tail - this.#head;
    const p: string[] = [];
    if (used < 0 || used > this.capacity) p.push(`stream ${this.name.key}: ${used} bytes buffered in a ring of ${this.capacity}`);
    if (this.#readers < 0 || this.#writersOpen < 0) p.push(`stream ${this.name.key}: negative open count`);
    return p;
  }

  /** Whether a read or write lease is outstanding (checked by the invariant). */
  get leased(): { reading: boolean; writing: boolean } {
    return { reading: this.#reading, writing: this.#writing };
  }

  override destroy(): void {
    this.#ring = new Uint8Array(0);
    super.destroy();
  }
}
