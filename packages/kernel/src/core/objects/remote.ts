/**
 * Remote objects: a local stand-in for an object that lives on a peer. Its
 * multi-phase I/O goes to the home kernel through a {@link RemotePort} (the
 * peer layer's), and the home performs it as system calls of the task that
 * holds references there for this kernel. Lent buffers are local copies:
 * the bytes cross the transport.
 * @module
 */
import { errors } from '../abi/errors.js';
import { Name } from '../abi/names.js';
import { ObjectType, type Proximity } from '../abi/flags.js';
import type { Lease } from './reference.js';
import type { TaskStatus } from '../abi/system-calls.js';
import type { ProcessKind } from '../abi/program.js';
import type { ObjectDescriptor } from '../wire/transport.js';
import { KernelObject, type IoRequest } from './kernel-object.js';
import { labelFromWire, labelToWire, type Label } from './label.js';
import type { RemoteCaller, RemoteEnd, RemotePort } from './remote-port.js';

// The argument a failed I/O names, by the call that made it (run reads its binary through the object).
const IO_ARGUMENT: Record<string, string> = { run: 'binary' };

// The types whose reads take what they return (SequentialObject's kinds at the home).
const CONSUMED: ReadonlySet<string> = new Set([
  ObjectType.SHARED_MEMORY_STREAM,
  ObjectType.CONSOLE,
  ObjectType.TCP_LISTENER,
  ObjectType.TCP_CONNECTION,
]);

const SELECT: RemoteCaller = { syscall: 'select', argument: 'refs' };
const END_READ: RemoteCaller = { syscall: 'endRead', argument: 'ref' };
const END_WRITE: RemoteCaller = { syscall: 'endWrite', argument: 'ref' };

// How long one watch request may wait at the home kernel before it is renewed.
const WATCH_SLICE_MS = 2000;

/** A reference-counted local proxy for one handle held at a peer. */
export class RemoteObject extends KernelObject implements RemoteEnd {
  readonly #home: string;
  /** Handle in the home kernel's table for this kernel. */
  readonly handle: number;
  readonly #port: RemotePort;
  #desc: ObjectDescriptor;
  readonly #ready = { read: false, write: false };
  #revoked = false;
  #hostDown = false;
  // Requests in flight, each failed at once (EHOSTDOWN naming its argument) when the home is found gone.
  readonly #pending = new Set<() => void>();

  /** Wraps handle `handle` at kernel `home`, described by `desc`; its I/O there goes through `port`. */
  constructor(home: string, handle: number, desc: ObjectDescriptor, port: RemotePort) {
    super(Name.parse(desc.name, 'remote', 'name'), 'refcounted', undefined);
    this.#home = home;
    this.handle = handle;
    this.#desc = desc;
    this.#port = port;
    this.version = desc.version;
    // Fixed at the home's create, so the first description is the label for good (a task's may change: its home checks flows to it).
    this.label = labelFromWire(desc.label, 'peer', 'object.label');
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
  /** As at home: the byte streams (streams, the console, network objects) are consumed by reads. */
  override get readsConsume(): boolean {
    return CONSUMED.has(this.#desc.type);
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
    const task = this.#desc.task;
    if (task === undefined || (this.#hostDown && task.state !== 'exited')) return undefined;
    return { state: task.state, exitStatus: task.exitStatus };
  }
  /** Task objects: the kind of process, as the home kernel described it (a value it cannot have is taken as `pure`). */
  get process(): ProcessKind | undefined {
    const task = this.#desc.task;
    if (task === undefined) return undefined;
    return task.process === 'legacy' || task.process === 'hybrid' ? task.process : 'pure';
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
    // A task's label changes (an object's never does): what a holder may see of it follows the latest.
    if (desc.type === ObjectType.TASK) this.label = labelFromWire(desc.label, 'peer', 'object.label');
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

  /** Calls `fail` once if the home is found gone before the returned function is called (which answers whether it was not). */
  whileUp(fail: () => void): () => boolean {
    const once = () => {
      this.#pending.delete(once);
      fail();
    };
    this.#pending.add(once);
    return () => this.#pending.delete(once);
  }

  // A host that is gone counts as ready, so a select wakes and the next call reports EHOSTDOWN; so does an object
  // revoked (a watch refused at home), whose next call reports EBADF: else the select would wait for a notice that
  // may never come.
  override isReady(mode: 'read' | 'write'): boolean {
    return this.#hostDown || this.#revoked || this.#ready[mode];
  }

  override watch(mode: 'read' | 'write', ref: unknown, label: Label): () => void {
    let active = true;
    const caller: RemoteCaller = { ...SELECT, label: labelToWire(label) };
    const loop = async () => {
      while (active && !this.#revoked && !this.destroyed && !this.#hostDown) {
        try {
          await this.#port.waitReady(this, caller, mode, WATCH_SLICE_MS);
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
    // Never rejects: every failure of the wait ends in the catch, and wakes the waiter.
    void loop();
    return () => {
      active = false;
      this.#ready[mode] = false;
    };
  }

  override async beginRead(req: IoRequest): Promise<Lease> {
    const caller = callerOf(req);
    this.#checkLive(caller);
    const read = await this.#port.read(this, caller, req.offset, req.length, req.nonblock);
    return {
      ref: req.ref,
      kind: 'read',
      buffer: read.bytes,
      offset: req.offset,
      version: this.version,
      exclusive: false,
      truncate: false,
      detail: read.leases,
    };
  }

  override async endRead(lease: Lease, release: boolean): Promise<boolean> {
    if (this.#revoked || this.destroyed) return release;
    // The home dropped the lease with the rest of this kernel's handles: a release has nothing left to do.
    if (this.#hostDown && release) return true;
    return this.#port.endRead(this, END_READ, lease.detail as number[], release);
  }

  override async beginWrite(req: IoRequest): Promise<Lease> {
    const caller = callerOf(req);
    this.#checkLive(caller);
    const id = await this.#port.beginWrite(this, caller, req);
    return {
      ref: req.ref,
      kind: 'write',
      buffer: new Uint8Array(req.length),
      offset: req.offset,
      version: this.version,
      exclusive: false,
      truncate: req.truncate,
      append: req.append,
      detail: id,
    };
  }

  override async endWrite(lease: Lease, length: number, discard: boolean, endOfStream: boolean): Promise<void> {
    if (this.#revoked || this.destroyed) {
      if (discard) return;
      throw errors.EBADF('endWrite', 'ref', 'the object was deleted at its home kernel');
    }
    if (this.#hostDown && discard) return;
    await this.#port.commit(this, END_WRITE, lease.detail as number, lease.buffer, length, { discard, endOfStream });
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
    if (!this.#revoked && !this.#hostDown) this.#port.release(this, byDelete);
  }

  override destroysOnDelete(): boolean {
    return this.#desc.lifecycle === 'single-delete';
  }

  #checkLive({ syscall, argument }: RemoteCaller): void {
    if (this.#revoked) throw errors.EBADF(syscall, argument, `the object was deleted at its home kernel ${this.#home}`);
    this.checkHostUp(syscall, argument);
  }
}

// The call a request comes from, and the argument that names this object in it (run reads its binary through the object).
function callerOf(req: IoRequest): RemoteCaller {
  return { syscall: req.syscall, argument: IO_ARGUMENT[req.syscall] ?? 'ref', label: labelToWire(req.label) };
}
