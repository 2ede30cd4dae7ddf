/**
 * A network connection as a DIOS object: a byte stream each way over a
 * node:net socket. Reads lend the bytes the socket delivered, in order; an
 * empty read means the peer ended its side. Writes lend a buffer that
 * end_write hands to the socket; while the socket's buffer is over its
 * high-water mark, begin_write waits (or EAGAIN with NONBLOCK), so
 * back-pressure reaches the writing task. END_OF_STREAM ends our side;
 * closing the last reference destroys the socket.
 * @module
 */
import type { Socket } from 'node:net';
import { errors, type DiosError } from '../../core/abi/errors.js';
import { ObjectType, type Lifecycle } from '../../core/abi/flags.js';
import type { Name } from '../../core/abi/names.js';
import type { GroupObject } from '../../core/objects/group.js';
import { ChunkQueue } from '../../core/objects/chunk-queue.js';
import type { IoRequest } from '../../core/objects/kernel-object.js';
import { SequentialObject, type SequentialTerms } from '../../core/objects/sequential-object.js';
import type { Lease } from '../../core/objects/reference.js';
import { socketError } from './address.js';
import { WriteBuffers } from './write-buffers.js';

// How long a closed connection may take to flush what was written and see the peer's end before it is reset.
const CLOSE_GRACE_MS = 5000;

// Received bytes buffered before the socket is paused (the peer then feels TCP's back-pressure).
const READ_HIGH_WATER = 1 << 20;

const CONNECTION_TERMS: SequentialTerms = {
  noOffsets: 'a connection has no offsets',
  minRead: 1,
  shortRead: 'a connection read asks for at least one byte',
};

/** One TCP connection (see the module comment). */
export class TcpConnectionObject extends SequentialObject {
  /** Always a TCP connection. */
  readonly type = ObjectType.TCP_CONNECTION;
  readonly #socket: Socket;
  readonly #received = new ChunkQueue();
  #peerEnded = false;
  #ended = false;
  #error: unknown = undefined;
  #writing = false;
  readonly #buffers = new WriteBuffers();
  /** Remote address, as the socket reports it (for people and status pages). */
  readonly remote: string;

  /** Wraps a connected socket. */
  constructor(name: Name, lifecycle: Lifecycle, group: GroupObject | undefined, socket: Socket) {
    super(name, lifecycle, group, CONNECTION_TERMS);
    this.#socket = socket;
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      // Lent as a plain Uint8Array over the same memory: a Buffer's slice() is a view, and a task keeping
      // `view.slice()` past end_read must get a copy, as from every other object.
      this.#received.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      if (this.#received.size >= READ_HIGH_WATER) socket.pause();
      this.changed.notify();
    });
    socket.on('end', () => {
      this.#peerEnded = true;
      this.changed.notify();
    });
    socket.on('drain', () => this.changed.notify());
    socket.on('error', (e) => {
      this.#error = e;
      this.changed.notify();
    });
    socket.on('close', () => {
      this.#peerEnded = true;
      this.changed.notify();
    });
  }

  /** Write buffers this connection has had to allocate so far (the rest were lent again). */
  get buffersMade(): number {
    return this.#buffers.made;
  }

  override get size(): number {
    return this.#received.size;
  }
  override get address(): string {
    return this.remote;
  }
  override get proximity(): 'remote-memory-distant' {
    return 'remote-memory-distant';
  }

  protected override hasInput(): boolean {
    return this.#received.size > 0 || this.#peerEnded || this.#error !== undefined;
  }
  protected override takesWrite(): boolean {
    return (
      !this.#writing &&
      (this.#ended || this.#error !== undefined || this.#socket.destroyed || !this.#socket.writableNeedDrain)
    );
  }

  protected override lend(req: IoRequest): Uint8Array {
    // Buffered bytes first: a reset after data still delivers the data.
    if (this.#received.size === 0 && this.#error !== undefined && !this.#peerEnded) throw this.#failure(req.syscall);
    return this.#received.front(req.length);
  }
  protected override consume(length: number): void {
    this.#received.drop(length);
    if (this.#received.size < READ_HIGH_WATER && this.#socket.isPaused()) this.#socket.resume();
  }

  override beginWrite(req: IoRequest): Promise<Lease> | Lease {
    this.requireNoOffset(req);
    if (!this.#canWrite(req)) return this.#writeWhenRoom(req);
    return this.#writeLease(req);
  }

  // Whether a write may start now; throws when it never will.
  #canWrite(req: IoRequest): boolean {
    req.guard();
    if (this.#error !== undefined) throw this.#failure(req.syscall);
    if (this.#ended || this.#socket.destroyed || !this.#socket.writable)
      throw errors.EPIPE(req.syscall, 'ref', 'the connection is closed for writing');
    return !this.#writing && !this.#socket.writableNeedDrain;
  }

  #writeWhenRoom(req: IoRequest): Promise<Lease> {
    return this.waitToTake(
      req,
      () => this.#canWrite(req),
      () => this.#writeLease(req),
    );
  }

  #writeLease(req: IoRequest): Lease {
    this.#writing = true;
    // The socket keeps a committed buffer until its bytes are sent: only then may it be lent again.
    const { view, whole } = this.#buffers.take(req.ref, req.length);
    return this.writeLease(req, view, whole);
  }

  override endWrite(lease: Lease, length: number, discard: boolean, endOfStream: boolean): void {
    this.#writing = false;
    // Whether the socket did not take the buffer (discarded, empty, closed): then it is free again at once.
    let free = true;
    if (!discard) {
      if (length > 0 && !this.#socket.destroyed) {
        const whole = lease.detail as Uint8Array;
        const ref = lease.ref;
        let given = false;
        this.#socket.write(length === lease.buffer.length ? lease.buffer : lease.buffer.subarray(0, length), (e) => {
          // Sent: the buffer may go to this reference again (after a failure the connection is done anyway).
          if (!given && (e === undefined || e === null)) this.#buffers.give(ref, whole);
        });
        // Nothing left in the socket's queue: the bytes went to the system at once (the usual case), and the
        // buffer is free now; the callback, which comes later, then leaves it alone.
        given = this.#socket.writableLength === 0;
        free = given;
        this.version++;
      }
      if (endOfStream && !this.#ended) {
        this.#ended = true;
        this.#socket.end();
      }
    }
    if (free) this.#buffers.give(lease.ref, lease.detail as Uint8Array);
    this.changed.notify();
  }

  #failure(syscall: string): DiosError {
    return socketError(syscall, 'ref', this.#error);
  }

  override destroy(byDelete = false): void {
    const socket = this.#socket;
    if (socket.destroyed || !socket.writable || this.#error !== undefined) socket.destroy();
    else {
      // Bytes already written still go out: end our side, then close once the peer ends (or after a grace period).
      socket.removeAllListeners('data');
      socket.on('data', () => {});
      socket.end();
      socket.once('end', () => socket.destroy());
      socket.setTimeout(CLOSE_GRACE_MS, () => socket.destroy());
    }
    this.#received.clear();
    this.#buffers.clear();
    super.destroy(byDelete);
  }
}
