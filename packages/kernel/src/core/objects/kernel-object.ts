/**
 * The part every kernel object shares: name, type, version, lifecycle,
 * reference count, readiness, and the multi-phase I/O entry points that
 * each type overrides.
 * @module
 */
import { errors } from '../abi/errors.js';
import { DEFAULT_LOOKUP_RIGHTS, type Lifecycle, type ObjectType, type Proximity } from '../abi/flags.js';
import type { Name } from '../abi/names.js';
import type { Lease, Reference } from './reference.js';
import type { GroupObject } from './group.js';
import { block, WaitQueue } from './wait.js';
import { Label } from './label.js';
import type { Container } from './container.js';

/** What begin_read and begin_write pass to an object. */
export interface IoRequest {
  /** The reference the task used. */
  ref: Reference;
  /** Byte offset (blobs). */
  offset: number;
  /** Requested length in bytes. */
  length: number;
  /** Fail with EAGAIN rather than wait. */
  nonblock: boolean;
  /** Blobs: the commit sets the size to offset + committed length. */
  truncate: boolean;
  /** Blobs: the bytes go to the end of the blob as it is at commit (offset is then 0 and ignored). */
  append: boolean;
  /** Throws when the wait must end early (reference deleted, task exited). */
  guard(): void;
  /** System call name for errors. */
  syscall: string;
  /** The calling task runs in another thread: lend shared memory where the object can (no copy between threads). */
  readonly crossThread?: boolean;
  /** The calling task's label (a remote object's home checks the flow against it). */
  readonly label: Label;
}

/** Base class of every object the kernel holds. */
export abstract class KernelObject {
  /** The object's global name. */
  readonly name: Name;
  /** When the object is destroyed. */
  readonly lifecycle: Lifecycle;
  /** The group the object is named in (undefined for root groups, the console and proxies). A reference, not a name: names of destroyed groups can come back. */
  readonly group: GroupObject | undefined;
  /** Changes on every committed write. */
  version = 0;
  /** References to this object in all task tables of this kernel. */
  refCount = 0;
  /** Set once the object is gone; references to it have been revoked. */
  destroyed = false;
  /** Notified on every state change that could unblock a waiter. */
  readonly changed = new WaitQueue();
  /** The open references to this object on this kernel. */
  readonly refs = new Set<Reference>();
  /** Name key of the creating task (private objects are visible to it alone). */
  creator: string | undefined = undefined;
  /**
   * The object's information-flow label (docs/ifc.md): set by create before
   * the object is named, fixed after. A task's label changes only by a write
   * to its own task object. Devices (console, network) are always unlabelled.
   */
  label: Label = Label.EMPTY;
  // Set once, by create; until then the type's default applies.
  #lookupRights: number | undefined = undefined;
  /** The container whose task created the object: its bytes count against that container's memory limit. */
  owner: Container | undefined = undefined;
  /** The bytes last charged to `owner` for this object (see Container.charge). */
  accounted = 0;

  /** Builds the shared part; `group` is the group the object is named in. */
  constructor(name: Name, lifecycle: Lifecycle, group: GroupObject | undefined) {
    this.name = name;
    this.lifecycle = lifecycle;
    this.group = group;
  }

  /** Takes the object out of its group (a container takes over a group the boot named in the root group). */
  unname(): void {
    (this as { group: GroupObject | undefined }).group = undefined;
  }

  /** The object's type. */
  abstract readonly type: ObjectType;
  /** Size in bytes (what a reader would get now). */
  abstract get size(): number;

  /**
   * The most rights a `lookup` confers on this object: a reference found by
   * name gets the rights of the scopes it was found through, intersected
   * with this mask. Default: {@link DEFAULT_LOOKUP_RIGHTS} for the type.
   */
  get lookupRights(): number {
    return this.#lookupRights ?? DEFAULT_LOOKUP_RIGHTS[this.type];
  }
  /** Fixes the lookup mask (create does, before the object is named in its group); a second call is ignored. */
  restrictLookup(rights: number): void {
    this.#lookupRights ??= rights;
  }

  /** Bytes of memory the object holds (its size; a stream's ring, a blob's buffer). */
  get memoryBytes(): number {
    return this.size;
  }

  /** Proximity of the object to tasks on this kernel. */
  get proximity(): Proximity {
    return 'local-memory';
  }
  /** Whether the object survives a kernel restart. */
  get persistent(): boolean {
    return false;
  }
  /** Whether the object dies with the task that created it. */
  get fateShared(): boolean {
    return false;
  }
  /**
   * Whether a read changes the object for others (a stream's bytes are
   * consumed, a listener's connection taken): such a read is a flow both
   * ways, since writers and other readers see its effect (docs/ifc.md).
   */
  get readsConsume(): boolean {
    return false;
  }
  /** Network objects: the bound local address of a listener, the remote address of a connection (`host:port`). */
  get address(): string | undefined {
    return undefined;
  }
  /** Home kernel id for remote objects; undefined for local ones. */
  get home(): string | undefined {
    return undefined;
  }

  /** Whether a read (or write) through `ref` would proceed without waiting. */
  abstract isReady(mode: 'read' | 'write', ref: Reference): boolean;

  /** Lends a view of the object's bytes. */
  beginRead(req: IoRequest): Promise<Lease> | Lease {
    throw this.noBytes(req.syscall);
  }
  /** Completes a read; returns whether it is still valid. */
  endRead(lease: Lease, release: boolean): Promise<boolean> | boolean {
    void lease;
    void release;
    throw this.noBytes('endRead');
  }
  /** Lends a buffer to write into. */
  beginWrite(req: IoRequest): Promise<Lease> | Lease {
    throw this.noBytes(req.syscall);
  }
  /** Commits `length` bytes of a write lease (or discards it). */
  endWrite(lease: Lease, length: number, discard: boolean, endOfStream: boolean): Promise<void> | void {
    void lease;
    void length;
    void discard;
    void endOfStream;
    throw this.noBytes('endWrite');
  }

  /** A reference with `rights` to this object was opened (counted by the kernel). */
  onOpen(rights: number): void {
    void rights;
  }
  /** A reference with `rights` to this object was closed. */
  onClose(rights: number): void {
    void rights;
  }
  /**
   * Remote objects: start watching for readiness (select, by a task labelled `label`), calling
   * {@link KernelObject.changed} when it may have changed; returns a cancel function.
   */
  watch(mode: 'read' | 'write', ref: Reference, label: Label): (() => void) | undefined {
    void mode;
    void ref;
    void label;
    return undefined;
  }
  /** Whether delete of any one reference destroys the object (single-delete lifecycle). */
  destroysOnDelete(): boolean {
    return this.lifecycle === 'single-delete';
  }
  /** Releases the object's resources; called once when its lifecycle ends (`byDelete`: a delete call ended it). */
  destroy(byDelete = false): void {
    void byDelete;
    this.destroyed = true;
    this.changed.notify();
  }

  /**
   * Waits, as `req` allows (NONBLOCK: EAGAIN at once; its guard ends the
   * wait when the reference goes or the task exits), until `ready()` holds,
   * re-checking on every change of the object, and then calls `take` in the
   * same turn: two waiters woken by one change cannot both find the object
   * ready (a stream's one write lease, say) before either takes it.
   */
  protected waitToTake<T>(req: IoRequest, ready: () => boolean, take: () => T): Promise<T> {
    return block(() => (req.guard(), ready() ? take() : undefined), [this.changed], {
      syscall: req.syscall,
      nonblock: req.nonblock,
    });
  }

  /** Self-consistency problems of this object, for the invariant check. */
  problems(): string[] {
    return [];
  }

  protected noBytes(syscall: string): Error {
    return errors.EINVAL(syscall, 'ref', `a ${this.type} object has no bytes to read or write`);
  }
}
