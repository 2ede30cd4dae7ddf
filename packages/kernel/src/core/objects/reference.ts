/**
 * References: a task's handle to an object. The kernel keeps the full record
 * ({@link Reference}); the task sees only {@link RefView}, a read-only window
 * on the public attributes.
 * @module
 */
import type { RefAttributes, TaskStatus } from '../abi/system-calls.js';
import type { ProcessKind } from '../abi/program.js';
import type { Consistency, ObjectType, Proximity } from '../abi/flags.js';
import type { KernelObject } from './kernel-object.js';
import { canFlow, type Label } from './label.js';

/** Whoever holds a reference, as its view needs it: the holder's current label. */
export interface LabelHolder {
  /** The holding task's label (it may change while the reference is held). */
  readonly label: Label;
}

/** A buffer lent by begin_read or begin_write, until end_read or end_write. */
export interface Lease {
  /** The reference it was lent through. */
  readonly ref: Reference;
  /** 'read' or 'write'. */
  readonly kind: 'read' | 'write';
  /** The bytes handed to the task. */
  readonly buffer: Uint8Array;
  /** Blob offset the lease covers. */
  readonly offset: number;
  /** The object's version when the lease began. */
  readonly version: number;
  /** Whether the lease holds the object's exclusive lock. */
  readonly exclusive: boolean;
  /** Blob writes: commit sets size to offset + length. */
  readonly truncate: boolean;
  /** Blob writes: the bytes go to the end of the blob as it is at commit. */
  readonly append?: boolean;
  /** Object-specific state (e.g. where a stream write lands). */
  readonly detail?: unknown;
}

/** Where a reference was derived from: the parent's owner task and handle. */
export interface ParentRef {
  /** Name key of the task that held the parent reference. */
  readonly task: string;
  /** The parent's handle in that task. */
  readonly id: number;
}

/**
 * The least read and write buffer size of a reference to an object on
 * another kernel: each buffer filled or written out there costs a round
 * trip, worth far more than copying a larger buffer. 1 MiB (NATS' default
 * max_payload) less 16 KiB, room for the reply's header, so that a read of
 * one buffer comes back in one NATS message rather than in parts. Local
 * objects keep the size they were given.
 */
const REMOTE_BUFFER_BYTES = (1 << 20) - (16 << 10);

// A size the kernel advises for `object`, by its proximity: local objects as given, remote ones at least REMOTE_BUFFER_BYTES.
function bufferSizeFor(object: KernelObject, advised: number): number {
  return object.proximity.startsWith('local-') ? advised : Math.max(advised, REMOTE_BUFFER_BYTES);
}

/** The kernel's record of a reference (the DIOS kref). Never handed to tasks. */
export class Reference {
  /** Cleared when the reference is deleted or revoked. */
  open = true;
  // Made on first use: most references (lookup results, delegated handles) never lend a buffer or show a view.
  #leases: Map<Uint8Array, Lease> | undefined;
  #view: RefView | undefined;
  /** Preferred read buffer size in bytes: as given, at least 1008 KiB for a remote object (REMOTE_BUFFER_BYTES). */
  readonly readBufferSize: number;
  /** Preferred write buffer size in bytes: as given, at least 1008 KiB for a remote object (REMOTE_BUFFER_BYTES). */
  readonly writeBufferSize: number;

  /** Records a new reference; the kernel adds it to the owner's table. */
  constructor(
    /** Small-integer handle in the owner's table. */
    readonly id: number,
    /** Name key of the owning task. */
    readonly owner: string,
    /** The object referred to. */
    readonly object: KernelObject,
    /** Rights mask ({@link Rights}). */
    readonly rights: number,
    /** The reference this one was derived from, if any. */
    readonly parent: ParentRef | undefined,
    /** Consistency policy for I/O through this reference. */
    readonly consistency: Consistency,
    /** Read buffer size asked for (create's option, the kernel's default); raised for a remote object. */
    readBufferSize: number,
    /** Write buffer size asked for; raised for a remote object. */
    writeBufferSize: number,
    /** The owning task, whose label decides what the view shows. */
    readonly holder: LabelHolder,
  ) {
    this.readBufferSize = bufferSizeFor(object, readBufferSize);
    this.writeBufferSize = bufferSizeFor(object, writeBufferSize);
  }

  /**
   * The rights this reference counts with at its object (a stream's readers
   * and writers): 0 when its holder's label could not flow to the object when
   * it was opened, so that opening or closing it tells the object's parties
   * nothing (docs/ifc.md). Set by the kernel.
   */
  counted = 0;

  /** Buffers lent through this reference and not yet returned. */
  get leases(): Map<Uint8Array, Lease> {
    return (this.#leases ??= new Map());
  }
  /** Number of buffers lent and not yet returned (without creating the map). */
  get leaseCount(): number {
    return this.#leases?.size ?? 0;
  }
  /** The task's read-only window on this reference. */
  get view(): RefView {
    return (this.#view ??= new RefView(this));
  }
}

/** Implemented by objects that can report a task status. */
interface HasTaskStatus {
  taskStatus(): TaskStatus;
  readonly process: ProcessKind | undefined;
}

/**
 * The public attributes of a reference, readable by the task that holds it
 * and by nobody else, and not writable (the DIOS user-mapped ref).
 */
export class RefView implements RefAttributes {
  readonly #ref: Reference;

  /** Views are made by the kernel only. */
  constructor(ref: Reference) {
    this.#ref = ref;
    Object.freeze(this);
  }

  /** The handle. */
  get id(): number {
    return this.#ref.id;
  }
  /** The object's type. */
  get type(): ObjectType {
    return this.#ref.object.type;
  }
  /** How far the object is (local memory ... remote). */
  get proximity(): Proximity {
    return this.#ref.object.proximity;
  }
  /** Whether the object survives a kernel restart. */
  get persistent(): boolean {
    return this.#ref.object.persistent;
  }
  /** Whether the object dies with its creating task. */
  get fateShared(): boolean {
    return this.#ref.object.fateShared;
  }
  /** Preferred read buffer size: the kernel's choice by proximity (at least 1008 KiB for an object on another kernel, so a buffer's read travels in one NATS message). */
  get readBufferSize(): number {
    return this.#ref.readBufferSize;
  }
  /** Preferred write buffer size: the kernel's choice by proximity (at least 1008 KiB for an object on another kernel, so a buffer's read travels in one NATS message). */
  get writeBufferSize(): number {
    return this.#ref.writeBufferSize;
  }
  /** Consistency policy of I/O through this reference. */
  get consistency(): Consistency {
    return this.#ref.consistency;
  }
  /** Whether a read would proceed now without waiting (false when the holder's label may not learn it). */
  get ioReady(): boolean {
    return this.#ref.open && this.#visible() && this.#ref.object.isReady('read', this.#ref);
  }
  /** Whether the reference is still open (false after delete or revocation). */
  get open(): boolean {
    return this.#ref.open;
  }
  /** The object's size in bytes, as last known (0 when the holder's label may not learn it: docs/ifc.md). */
  get size(): number {
    return this.#visible() ? this.#ref.object.size : 0;
  }
  /** The object's version, as last known (0 when the holder's label may not learn it). */
  get version(): number {
    return this.#visible() ? this.#ref.object.version : 0;
  }
  /** Network objects: a listener's bound address, a connection's remote address (`host:port`). Undefined for other types. */
  get address(): string | undefined {
    return this.#ref.object.address;
  }
  /** Task references: the task's state and exit status. Undefined for other types. */
  get task(): TaskStatus | undefined {
    const obj = this.#ref.object as unknown as Partial<HasTaskStatus>;
    const status = typeof obj.taskStatus === 'function' ? obj.taskStatus() : undefined;
    // Whether a task runs is not protected (termination); its exit status is data, shown only where it may flow.
    if (status === undefined || this.#visible()) return status;
    return { state: status.state, exitStatus: undefined };
  }

  /** Task references: the kind of process (pure, legacy, hybrid). Undefined for other types. */
  get process(): ProcessKind | undefined {
    const obj = this.#ref.object as unknown as Partial<HasTaskStatus>;
    return typeof obj.taskStatus === 'function' ? obj.process : undefined;
  }

  // Whether the object's state may flow to the holder (the common unlabelled case is one comparison).
  #visible(): boolean {
    const from = this.#ref.object.label;
    const to = this.#ref.holder.label;
    return from === to || canFlow(from, to);
  }
}
