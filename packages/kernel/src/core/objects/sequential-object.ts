/**
 * The read side shared by objects whose bytes are consumed in order (a
 * stream, the console, a TCP connection, a TCP listener): no offsets, one
 * read lease at a time, a read that waits until there is input (or its end),
 * and an end_read that consumes what was lent unless it is released.
 * @module
 */
import { errors } from '../abi/errors.js';
import type { Lifecycle } from '../abi/flags.js';
import type { Name } from '../abi/names.js';
import type { Lease } from './reference.js';
import type { GroupObject } from './group.js';
import { KernelObject, type IoRequest } from './kernel-object.js';

/** How a sequential object's read and write errors describe it. */
export interface SequentialTerms {
  /** Detail of the ESPIPE raised for an offset ("streams have no offsets"). */
  readonly noOffsets: string;
  /** Fewest bytes a read may ask for. */
  readonly minRead: number;
  /** Detail of the EINVAL raised for a read that asks for fewer. */
  readonly shortRead: string;
}

/** Base class of objects read in order: the subclass says what input there is, lends it and consumes it. */
export abstract class SequentialObject extends KernelObject {
  /** A read takes the bytes it returns: others see them gone. */
  override get readsConsume(): boolean {
    return true;
  }
  readonly #terms: SequentialTerms;
  #reading = false;

  /** Builds the shared part; `terms` words the errors. */
  constructor(name: Name, lifecycle: Lifecycle, group: GroupObject | undefined, terms: SequentialTerms) {
    super(name, lifecycle, group);
    this.#terms = terms;
  }

  /** Whether a read lease is outstanding. */
  protected get reading(): boolean {
    return this.#reading;
  }

  /** A read is ready when no read lease is out and {@link SequentialObject.hasInput} holds. */
  override isReady(mode: 'read' | 'write'): boolean {
    return mode === 'read' ? !this.#reading && this.hasInput() : this.takesWrite();
  }

  /** Whether there is something for a read to report: bytes, the end of input, or an error. */
  protected abstract hasInput(): boolean;
  /** Whether a write would proceed without waiting. */
  protected abstract takesWrite(): boolean;
  /** The bytes a ready read lends (empty at the end of input); may throw the error a read should report. */
  protected abstract lend(req: IoRequest): Uint8Array;
  /** Drops the first `length` bytes of input: a read lease of that many bytes was ended without RELEASE. */
  protected abstract consume(length: number): void;

  /** Throws ESPIPE when `req` gives an offset: the object has none. */
  protected requireNoOffset(req: IoRequest): void {
    if (req.offset !== 0) throw errors.ESPIPE(req.syscall, 'options.offset', this.#terms.noOffsets);
  }

  // Without a wait the lease is returned directly (no promise), so the call costs no extra turn of the event loop.
  override beginRead(req: IoRequest): Promise<Lease> | Lease {
    this.requireNoOffset(req);
    // An empty lease means the end of input, so a read must ask for at least one byte (a subclass may want more).
    if (req.length < this.#terms.minRead) throw errors.EINVAL(req.syscall, 'options.length', this.#terms.shortRead);
    if (!this.isReady('read')) return this.#readWhenReady(req);
    return this.#readLease(req);
  }

  #readWhenReady(req: IoRequest): Promise<Lease> {
    return this.waitToTake(
      req,
      () => this.isReady('read'),
      () => this.#readLease(req),
    );
  }

  #readLease(req: IoRequest): Lease {
    const buffer = this.lend(req);
    this.#reading = true;
    return { ref: req.ref, kind: 'read', buffer, offset: 0, version: this.version, exclusive: false, truncate: false };
  }

  override endRead(lease: Lease, release: boolean): boolean {
    this.#reading = false;
    if (!release && lease.buffer.length > 0) this.consume(lease.buffer.length);
    this.changed.notify();
    return true;
  }

  /** A write lease of a fresh `buffer` (or a view the subclass commits itself; `detail` is its own). */
  protected writeLease(req: IoRequest, buffer: Uint8Array, detail?: unknown): Lease {
    return {
      ref: req.ref,
      kind: 'write',
      buffer,
      offset: 0,
      version: this.version,
      exclusive: false,
      truncate: false,
      detail,
    };
  }
}
