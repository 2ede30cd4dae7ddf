/**
 * What the runner compares with the model: a kernel's state as neutral data,
 * read through {@link observeKernel} from this package's kernel, or by any
 * other implementation from its own. Objects and tasks are named by their
 * name keys (64 hex digits); task i is the model's task i.
 * @module
 */

/** An object as a kernel holds it. */
export interface ObservedObject {
  /** Its name. */
  key: string;
  /** Its type (`shared-memory-blob`, …; the kernel's status object, `kernel-status`, is not compared). */
  type: string;
  /** Its lifecycle. */
  lifecycle: string;
  /** The most rights a lookup of its name confers. */
  lookupMask: number;
  /** Whether it is destroyed (a live table holds none). */
  destroyed: boolean;
  /** Its version. */
  version: number;
  /** Open references to it. */
  refCount: number;
  /** Bytes a reader would get now. */
  size: number;
  /** Blobs: the bytes, and the outstanding writes and exclusive reads. */
  blob?: { bytes: number[]; locks: { writers: number; exclusiveReaders: number; exclusiveWriter: boolean } };
  /** Streams: capacity, end-of-stream, and whether a read or a write buffer is out. */
  stream?: { capacity: number; ended: boolean; leases: { reading: boolean; writing: boolean } };
  /** Groups: the names in the group's index. */
  group?: { index: string[] };
  /** Tasks: state and exit status. */
  task?: { state: string; exitStatus: number | undefined };
}

/** What a task sees of one of its references (the read-only view a task gets from the kernel). */
export interface ObservedView {
  /** The object's type. */
  type: string;
  /** Whether the reference is open. */
  open: boolean;
  /** The object's version. */
  version: number;
  /** The object's size. */
  size: number;
  /** The reference's consistency. */
  consistency: string;
  /** Whether a read would proceed now. */
  ioReady: boolean;
  /** Task objects: the task's status. */
  task?: { state: string; exitStatus: number | undefined } | undefined;
}

/** A reference in a task's table. */
export interface ObservedRef {
  /** Its handle. */
  handle: number;
  /** The name of the object it refers to. */
  object: string;
  /** Whether it is open. */
  open: boolean;
  /** Its rights mask. */
  rights: number;
  /** Its consistency. */
  consistency: string;
  /** Read buffer size. */
  readBufferSize: number;
  /** Write buffer size. */
  writeBufferSize: number;
  /** The reference it was copied or passed from: the parent task's name and handle. */
  parent: { task: string; id: number } | undefined;
  /** The buffers lent through it (by identity), with their kind. */
  leases: ReadonlyMap<Uint8Array, 'read' | 'write'>;
  /** The task's own view of the reference. */
  view: ObservedView;
}

/** A task as a kernel holds it. */
export interface ObservedTask {
  /** Its name. */
  key: string;
  /** Running or exited. */
  state: string;
  /** Its exit status once exited. */
  exitStatus: number | undefined;
  /** The handle its next reference gets. */
  nextHandle: number;
  /** How many derived names it made. */
  counter: number;
  /** Its self handle, as the task sees it. */
  self: number;
  /** Its handles, as the task sees them. */
  handles: number[];
  /** Its references, by handle. */
  refs: ObservedRef[];
  /** Its memberships: each group's name and the rights it confers. */
  memberships: { group: string; rights: number }[];
}

/** A kernel's whole state as the runner compares it. */
export interface ObservedState {
  /** The live objects, by name. */
  objects: ObservedObject[];
  /** Names of the tasks in the kernel's task table. */
  taskTable: string[];
  /** The model's tasks in order (task 0 is init). */
  tasks: ObservedTask[];
  /** Every byte written to the console. */
  console: number[];
}
