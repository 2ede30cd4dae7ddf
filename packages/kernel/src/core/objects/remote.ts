/**
 * Remote objects: a local stand-in for an object that lives on a peer. Its
 * multi-phase I/O becomes requests to the home kernel, which performs them
 * as system calls of the task that holds references there for this kernel.
 * Lent buffers are local copies: the bytes cross the transport.
 * @module
 */
import { errors } from '../errors.js';
import { Name } from '../names.js';
import type { Proximity } from '../flags.js';
import type { Lease, TaskStatus } from '../reference.js';
import type { ObjectDescriptor, PeerRequest, PeerReply } from '../transport.js';
import { KernelObject, type IoRequest } from './kernel-object.js';

/** Sends a request to a peer; rejects with the peer's error rebuilt as a DiosError. */
export type PeerSend = (to: string, request: PeerRequest) => Promise<Extract<PeerReply, { ok: true }>>;

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

  /** Wraps handle `handle` at kernel `home`. */
  constructor(home: string, handle: number, desc: ObjectDescriptor, send: PeerSend) {
    super(Name.parse(desc.name, 'remote', 'name'), 'refcounted', undefined);
    this.#home = home;
    this.handle = handle;
    this.#desc = desc;
    this.#send = send;
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
  /** Task objects: the last state the home kernel reported. */
  taskStatus(): TaskStatus | undefined {
    return this.#desc.task;
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

  override isReady(mode: 'read' | 'write'): boolean {
    return this.#ready[mode];
  }

  override watch(mode: 'read' | 'write'): () => void {
    let active = true;
    const loop = async () => {
      while (active && !this.#revoked && !this.destroyed) {
        try {
          const reply = await this.#send(this.#home, { kind: 'watch', handle: this.handle, mode, timeoutMs: WATCH_SLICE_MS });
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
    this.#checkLive(req.syscall);
    const reply = await this.#send(this.#home, {
      kind: 'begin-read',
      handle: this.handle,
      offset: req.offset,
      length: req.length,
      nonblock: req.nonblock,
    });
    this.update(reply.object);
    const buffer = reply.bytes ?? new Uint8Array(0);
    return { ref: req.ref, kind: 'read', buffer, offset: req.offset, version: this.version, exclusive: false, truncate: false, detail: reply.lease };
  }

  override async endRead(lease: Lease, release: boolean): Promise<boolean> {
    if (this.#revoked || this.destroyed) return release;
    const reply = await this.#send(this.#home, { kind: 'end-read', handle: this.handle, lease: lease.detail as number, release });
    this.update(reply.object);
    return reply.valid ?? false;
  }

  override async beginWrite(req: IoRequest): Promise<Lease> {
    this.#checkLive(req.syscall);
    const reply = await this.#send(this.#home, {
      kind: 'begin-write',
      handle: this.handle,
      offset: req.offset,
      length: req.length,
      truncate: req.truncate,
      append: req.append,
      nonblock: req.nonblock,
    });
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
    const reply = await this.#send(this.#home, {
      kind: 'end-write',
      handle: this.handle,
      lease: lease.detail as number,
      bytes: discard ? new Uint8Array(0) : lease.buffer.slice(0, length),
      discard,
      endOfStream,
    });
    this.update(reply.object);
  }

  /** Called once when the proxy is destroyed (the peer link forgets it). */
  onDestroyed: (() => void) | undefined = undefined;

  /** Gives the handle back to the home kernel; a delete call that ended the proxy deletes there too. */
  override destroy(byDelete = false): void {
    super.destroy();
    this.onDestroyed?.();
    if (!this.#revoked) this.#send(this.#home, { kind: 'release', handle: this.handle, destroy: byDelete }).catch(() => {});
  }

  override destroysOnDelete(): boolean {
    return this.#desc.lifecycle === 'single-delete';
  }

  #checkLive(syscall: string): void {
    if (this.#revoked) throw errors.EBADF(syscall, 'ref', `the object was deleted at its home kernel ${this.#home}`);
  }
}

