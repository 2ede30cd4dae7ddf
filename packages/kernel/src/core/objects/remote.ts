/**
 * Remote objects: a local stand-in for an object that lives on a peer. Its
 * multi-phase I/O becomes requests to the home kernel, which performs them
 * as system calls of the task that holds references there for this kernel.
 * Lent buffers are local copies: the bytes cross the transport.
 * @module
 */
import { DiosError, errors } from '../abi/errors.js';
import { Name } from '../abi/names.js';
import { ObjectType, type Proximity } from '../abi/flags.js';
import type { Lease } from './reference.js';
import type { TaskStatus } from '../abi/system-calls.js';
import type { ObjectDescriptor, PeerRequest, PeerReply } from '../wire/transport.js';
import { KernelObject, type IoRequest } from './kernel-object.js';
import { chunksOf, inWindow, REMOTE_CHUNK_BYTES } from '../wire/remote-chunks.js';

/** Sends a request to a peer; rejects with the peer's error rebuilt as a DiosError. */
export type PeerSend = (to: string, request: PeerRequest) => Promise<Extract<PeerReply, { ok: true }>>;

type Ok = Extract<PeerReply, { ok: true }>;

// The argument a failed I/O names, by the call that made it (run reads its binary through the object).
const IO_ARGUMENT: Record<string, string> = { run: 'binary' };

// How long one watch request may wait at the home kernel before it is renewed.
const WATCH_SLICE_MS = 2000;

/** A reference-counted local proxy for one handle held at a peer. */
export class RemoteObject extends KernelObject {
  readonly #home: string;
  /** Handle in the home kernel's table for this kernel. */
  readonly handle: number;
  readonly #send: PeerSend;
  #desc: ObjectDescriptor;
  readonly #ready = { read: false, write: false };
  #revoked = false;
  #hostDown = false;
  // Requests in flight, each failed at once (EHOSTDOWN naming its argument) when the home is found gone.
  readonly #pending = new Set<() => void>();

  readonly #nextLease: () => number;
  readonly #chunkBytes: number;

  /**
   * Wraps handle `handle` at kernel `home`. `nextLease` gives lease ids
   * unique among this kernel's leases at any home: a begin request names
   * its lease up front, so it can be given back if the reply is lost.
   * `chunkBytes`: the most data one request or reply carries.
   */
  constructor(home: string, handle: number, desc: ObjectDescriptor, send: PeerSend, nextLease: () => number, chunkBytes = REMOTE_CHUNK_BYTES) {
    super(Name.parse(desc.name, 'remote', 'name'), 'refcounted', undefined);
    this.#home = home;
    this.handle = handle;
    this.#desc = desc;
    this.#send = send;
    this.#nextLease = nextLease;
    this.#chunkBytes = chunkBytes;
    this.version = desc.version;
  }

  /** The object's type at home. */
  get type(): ObjectDescriptor['type'] {
    return this.#desc.type;
  }
  override get size(): number {
    return this.#desc.size;
  }
  override get home(): string {
    return this.#home;
  }
  override get proximity(): Proximity {
    return this.#desc.persistent ? 'remote-disk-1hop' : 'remote-memory-1hop';
  }
  override get persistent(): boolean {
    return this.#desc.persistent;
  }
  /** Lifecycle of the object at its home (the proxy itself is reference-counted). */
  get homeLifecycle(): ObjectDescriptor['lifecycle'] {
    return this.#desc.lifecycle;
  }
  /**
   * Task objects: the last state the home kernel reported. Once the home is
   * gone the state is unknown (undefined) unless the task had already exited.
   */
  taskStatus(): TaskStatus | undefined {
    if (this.#hostDown && this.#desc.task?.state !== 'exited') return undefined;
    return this.#desc.task;
  }
  /** True once the home kernel was found gone: the handle held there is lost (fate sharing). */
  get hostDown(): boolean {
    return this.#hostDown;
  }
  /** True once the home kernel revoked the reference (the object is gone there). */
  get revoked(): boolean {
    return this.#revoked;
  }

  /** Takes in a fresher descriptor from the home kernel. */
  update(desc: ObjectDescriptor | undefined): void {
    if (desc === undefined) return;
    this.#desc = desc;
    this.version = desc.version;
  }

  /** The home kernel revoked this handle: the object is gone there. */
  markRevoked(): void {
    this.#revoked = true;
    this.changed.notify();
  }

  /**
   * The home kernel is gone: every request in flight fails with EHOSTDOWN,
   * and so does every later call but a release (see {@link RemoteObject.checkHostUp});
   * select waiters wake.
   */
  markHostDown(): void {
    if (this.#hostDown) return;
    this.#hostDown = true;
    for (const fail of [...this.#pending]) fail();
    this.changed.notify();
  }

  /** Throws EHOSTDOWN naming `argument` of `syscall` when the home kernel is gone. */
  checkHostUp(syscall: string, argument: string): void {
    if (this.#hostDown) throw errors.EHOSTDOWN(syscall, argument, `the object's home kernel ${this.#home} is gone`);
  }

  // A host that is gone counts as ready, so a select wakes and the next call reports EHOSTDOWN.
  override isReady(mode: 'read' | 'write'): boolean {
    return this.#hostDown || this.#ready[mode];
  }

  override watch(mode: 'read' | 'write'): () => void {
    let active = true;
    const loop = async () => {
      while (active && !this.#revoked && !this.destroyed && !this.#hostDown) {
        try {
          const reply = await this.#request('select', 'refs', { kind: 'watch', handle: this.handle, mode, timeoutMs: WATCH_SLICE_MS });
          this.update(reply.object);
          if (!active) return;
          this.#ready[mode] = true;
          this.changed.notify();
          return;
        } catch (e) {
          const code = (e as { code?: string }).code;
          if (code === 'ETIMEDOUT') continue;
          if (!active) return;
          if (code === 'EHOSTDOWN' || code === 'EHOSTUNREACH') {
            // The home is unreachable, not the object gone: the waiter wakes and its next call reports the failure.
            this.#ready[mode] = true;
            this.changed.notify();
            return;
          }
          // A revoked object wakes the waiter, which then fails on the closed reference.
          this.markRevoked();
          return;
        }
      }
    };
    void loop();
    return () => {
      active = false;
      this.#ready[mode] = false;
    };
  }

  override async beginRead(req: IoRequest): Promise<Lease> {
    const argument = IO_ARGUMENT[req.syscall] ?? 'ref';
    this.#checkLive(req.syscall, argument);
    // A stream lends what it has, up to the length asked: a chunk's worth is a read like any other.
    const chunk = this.#chunkBytes;
    const first = await this.#readChunk(req, argument, req.offset, Math.min(req.length, chunk));
    const total = Math.min(req.length, Math.max(0, this.size - req.offset));
    if (!this.#isBlob() || total <= first.bytes.length || first.bytes.length < chunk) {
      return { ref: req.ref, kind: 'read', buffer: first.bytes, offset: req.offset, version: this.version, exclusive: false, truncate: false, detail: [first.lease] };
    }
    // A larger blob read: the rest in chunks, a few requests in flight. Each chunk is a lease of its own, held to
    // end_read, so the read is valid only if no commit came between the first chunk and the end.
    const buffer = new Uint8Array(total);
    buffer.set(first.bytes);
    const leases = [first.lease];
    let filled = total;
    try {
      await inWindow(chunksOf(first.bytes.length, total, chunk), async ([at, length]) => {
        const chunk = await this.#readChunk(req, argument, req.offset + at, length);
        leases.push(chunk.lease);
        buffer.set(chunk.bytes, at);
        // Shorter than asked: the blob shrank meanwhile (a commit, so the read will not be valid); keep what came.
        if (chunk.bytes.length < length) filled = Math.min(filled, at + chunk.bytes.length);
      });
    } catch (e) {
      void this.#endLeases(leases, true).catch(() => {});
      throw e;
    }
    return { ref: req.ref, kind: 'read', buffer: buffer.subarray(0, filled), offset: req.offset, version: this.version, exclusive: false, truncate: false, detail: leases };
  }

  override async endRead(lease: Lease, release: boolean): Promise<boolean> {
    if (this.#revoked || this.destroyed) return release;
    // The home dropped the lease with the rest of this kernel's handles: a release has nothing left to do.
    if (this.#hostDown && release) return true;
    return this.#endLeases(lease.detail as number[], release);
  }

  // Ends the leases of one read at home; valid when every one is.
  async #endLeases(leases: readonly number[], release: boolean): Promise<boolean> {
    const replies = await Promise.all(leases.map((lease) => this.#request('endRead', 'ref', { kind: 'end-read', handle: this.handle, lease, release })));
    for (const reply of replies) this.update(reply.object);
    return replies.every((reply) => reply.valid === true);
  }

  // One begin-read request; its lease is named up front (rid), so it is given back if the reply is lost.
  async #readChunk(req: IoRequest, argument: string, offset: number, length: number): Promise<{ lease: number; bytes: Uint8Array }> {
    const rid = this.#nextLease();
    const reply = await this.#request(
      req.syscall,
      argument,
      { kind: 'begin-read', handle: this.handle, offset, length, nonblock: req.nonblock, rid },
      () => ({ kind: 'end-read', handle: this.handle, lease: rid, release: true }),
    );
    this.update(reply.object);
    return { lease: reply.lease!, bytes: reply.bytes ?? new Uint8Array(0) };
  }

  #isBlob(): boolean {
    return this.type === ObjectType.SHARED_MEMORY_BLOB || this.type === ObjectType.DURABLE_BLOB;
  }

  override async beginWrite(req: IoRequest): Promise<Lease> {
    const argument = IO_ARGUMENT[req.syscall] ?? 'ref';
    this.#checkLive(req.syscall, argument);
    const rid = this.#nextLease();
    const reply = await this.#request(
      req.syscall,
      argument,
      { kind: 'begin-write', handle: this.handle, offset: req.offset, length: req.length, truncate: req.truncate, append: req.append, nonblock: req.nonblock, rid },
      () => ({ kind: 'end-write', handle: this.handle, lease: rid, bytes: new Uint8Array(0), discard: true, endOfStream: false }),
    );
    return {
      ref: req.ref,
      kind: 'write',
      buffer: new Uint8Array(req.length),
      offset: req.offset,
      version: this.version,
      exclusive: false,
      truncate: req.truncate,
      append: req.append,
      detail: reply.lease,
    };
  }

  override async endWrite(lease: Lease, length: number, discard: boolean, endOfStream: boolean): Promise<void> {
    if (this.#revoked || this.destroyed) {
      if (discard) return;
      throw errors.EBADF('endWrite', 'ref', 'the object was deleted at its home kernel');
    }
    if (this.#hostDown && discard) return;
    const id = lease.detail as number;
    // A commit larger than a chunk: all but its last chunk go ahead into the lent buffer at home, a few in flight.
    const chunk = this.#chunkBytes;
    const last = discard ? 0 : Math.max(0, length - 1 - ((length - 1) % chunk));
    if (last > 0) {
      await inWindow(chunksOf(0, last, chunk), ([at, n]) =>
        this.#request('endWrite', 'ref', { kind: 'write-part', handle: this.handle, lease: id, at, bytes: lease.buffer.slice(at, at + n) }),
      );
    }
    const reply = await this.#request('endWrite', 'ref', {
      kind: 'end-write',
      handle: this.handle,
      lease: id,
      bytes: discard ? new Uint8Array(0) : lease.buffer.slice(last, length),
      ...(last > 0 && { at: last }),
      discard,
      endOfStream,
    });
    this.update(reply.object);
  }

  /** Called once when the proxy is destroyed (the peer link forgets it). */
  onDestroyed: (() => void) | undefined = undefined;

  /**
   * Gives the handle back to the home kernel; a delete call that ended the
   * proxy deletes there too. Nothing is sent once the home is gone: it
   * dropped this kernel's handles itself, and a restarted home may have
   * given the same handle number to something else.
   */
  override destroy(byDelete = false): void {
    super.destroy();
    this.onDestroyed?.();
    if (!this.#revoked && !this.#hostDown) this.#send(this.#home, { kind: 'release', handle: this.handle, destroy: byDelete }).catch(() => {});
  }

  override destroysOnDelete(): boolean {
    return this.#desc.lifecycle === 'single-delete';
  }

  #checkLive(syscall: string, argument: string): void {
    if (this.#revoked) throw errors.EBADF(syscall, argument, `the object was deleted at its home kernel ${this.#home}`);
    this.checkHostUp(syscall, argument);
  }

  /**
   * Sends `request` home on behalf of `syscall`. Fails with EHOSTDOWN naming
   * `argument` when the home is gone, is found gone meanwhile, or the
   * transport cannot reach it (its own errors name the transport). In the
   * last case the home may have acted without its reply arriving: `undo`,
   * if given, is sent then (best effort) to take the effect back.
   */
  #request(syscall: string, argument: string, request: PeerRequest, undo?: () => PeerRequest): Promise<Ok> {
    this.checkHostUp(syscall, argument);
    return new Promise<Ok>((resolve, reject) => {
      const fail = () => {
        this.#pending.delete(fail);
        reject(errors.EHOSTDOWN(syscall, argument, `the object's home kernel ${this.#home} is gone`));
      };
      this.#pending.add(fail);
      this.#send(this.#home, request).then(
        (reply) => {
          if (!this.#pending.delete(fail)) return;
          resolve(reply);
        },
        (e: unknown) => {
          if (!this.#pending.delete(fail)) return;
          const unreachable = e instanceof DiosError && e.syscall === 'request' && (e.code === 'EHOSTDOWN' || e.code === 'EHOSTUNREACH');
          if (unreachable && undo !== undefined) this.#send(this.#home, undo()).catch(() => {});
          reject(unreachable ? errors.EHOSTDOWN(syscall, argument, `kernel ${this.#home} cannot be reached: ${e.detail}`) : e);
        },
      );
    });
  }
}

