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
import type { Lease } from './reference.js';
import type { GroupObject } from './group.js';
import type { IoRequest } from './kernel-object.js';
import { SequentialObject, type SequentialTerms } from './sequential-object.js';

/** Default ring size of a stream, in bytes. */
export const DEFAULT_STREAM_CAPACITY = 256 * 1024;

const STREAM_TERMS: SequentialTerms = {
  noOffsets: 'streams have no offsets',
  minRead: 1,
  shortRead: 'a stream read asks for at least one byte',
};

/** A bounded byte FIFO with back-pressure and end-of-stream. */
export class StreamObject extends SequentialObject {
  /** Always a shared-memory stream. */
  readonly type = ObjectType.SHARED_MEMORY_STREAM;
  /** Ring size in bytes. */
  readonly capacity: number;
  #ring: Uint8Array;
  // Total bytes ever consumed and ever committed; used = tail - head.
  #head = 0;
  #tail = 0;
  #eof = false;
  #writing = false;
  #readers = 0;
  #writersOpen = 0;

  /** Creates an empty stream with a ring of `capacity` bytes. */
  constructor(name: Name, lifecycle: Lifecycle, group: GroupObject | undefined, capacity: number) {
    super(name, lifecycle, group, STREAM_TERMS);
    this.capacity = capacity;
    this.#ring = new Uint8Array(new SharedArrayBuffer(capacity));
  }

  override get size(): number {
    return this.#tail - this.#head;
  }
  /** The ring is allocated whole at create. */
  override get memoryBytes(): number {
    return this.capacity;
  }
  /** True once end-of-stream is marked or every reference with write rights is gone. */
  get ended(): boolean {
    return this.#eof;
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

  protected override hasInput(): boolean {
    return this.size > 0 || this.ended;
  }
  protected override takesWrite(): boolean {
    return !this.#writing && (this.#eof || this.#readers === 0 || this.size < this.capacity);
  }

  // A view of the ring up to its wrap point.
  protected override lend(req: IoRequest): Uint8Array {
    const start = this.#head % this.capacity;
    return this.#ring.subarray(start, start + Math.min(req.length, this.size, this.capacity - start));
  }
  protected override consume(length: number): void {
    this.#head += length;
  }

  // As beginRead: no promise unless the write has to wait for room.
  override beginWrite(req: IoRequest): Promise<Lease> | Lease {
    this.requireNoOffset(req);
    if (req.length > this.capacity) {
      throw errors.EINVAL(
        req.syscall,
        'length',
        `${req.length} bytes exceed the stream's capacity of ${this.capacity}`,
      );
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

  #writeWhenRoom(req: IoRequest): Promise<Lease> {
    return this.waitToTake(
      req,
      () => this.#room(req) === true,
      () => this.#writeLease(req),
    );
  }

  #writeLease(req: IoRequest): Lease {
    this.#writing = true;
    const start = this.#tail % this.capacity;
    // A region that wraps around the ring is staged in a scratch buffer and copied in two parts at commit.
    const contiguous = start + req.length <= this.capacity;
    const buffer = contiguous ? this.#ring.subarray(start, start + req.length).fill(0) : new Uint8Array(req.length);
    return this.writeLease(req, buffer, contiguous);
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
    if (used < 0 || used > this.capacity)
      p.push(`stream ${this.name.key}: ${used} bytes buffered in a ring of ${this.capacity}`);
    if (this.#readers < 0 || this.#writersOpen < 0) p.push(`stream ${this.name.key}: negative open count`);
    return p;
  }

  /** Whether a read or write lease is outstanding (checked by the invariant). */
  get leased(): { reading: boolean; writing: boolean } {
    return { reading: this.reading, writing: this.#writing };
  }

  override destroy(): void {
    this.#ring = new Uint8Array(0);
    super.destroy();
  }
}
