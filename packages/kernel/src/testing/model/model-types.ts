/**
 * The plain data the reference model is made of: objects, references, tasks,
 * memberships and buffer leases, each a record of numbers, strings and
 * arrays (ids are indexes into the model's arrays), so that a JSON snapshot
 * shows any change.
 * @module
 */
import type { ErrnoCode } from '../../core/abi/errors.js';

/** An object type as the model knows it. */
export type MType =
  'private-memory-blob' | 'shared-memory-blob' | 'shared-memory-stream' | 'task' | 'group' | 'console';
/** When an object is destroyed: never, by one delete, or when its last reference goes. */
export type MLifecycle = 'immortal' | 'single-delete' | 'refcounted';
/** How a reference reads and writes a blob: beside other writers, or excluding them. */
export type MConsistency = 'optimistic' | 'exclusive';

/** An object of the model. Ids are indexes into {@link KernelModel.objects}; destroyed objects stay, flagged. */
export interface MObj {
  /** Index in {@link KernelModel.objects}. */
  id: number;
  /** The object's name, 64 hex digits. */
  key: string;
  /** Its type. */
  type: MType;
  /** Its lifecycle. */
  lifecycle: MLifecycle;
  /** The group whose index names the object (undefined: in no index). */
  indexGroup: number | undefined;
  /** Task id of the creator (private memory is visible to it alone). */
  creator: number | undefined;
  /** Whether it was destroyed (it then stays in the array, flagged). */
  destroyed: boolean;
  /** The version: bumped by every commit that changes the object. */
  version: number;
  /** Blob bytes. */
  bytes: number[];
  /** Stream ring size. */
  capacity: number;
  /** Stream: bytes ever consumed (the read position in the ring is head % capacity). */
  head: number;
  /** Stream: buffered bytes, oldest first. */
  fifo: number[];
  /** Stream: end-of-stream was marked or latched. */
  eof: boolean;
  /** Console: pending input chunks. */
  input: number[][];
  /** Console: the host ended the input. */
  inputEnded: boolean;
  /** Console: every byte written. */
  output: number[];
  /** Task objects: the task's id. */
  task: number | undefined;
  /** The lookup mask: the most rights a lookup of the object's name confers. */
  mask: number;
}

/** A reference in a task's table. */
export interface MRef {
  /** The handle the task knows it by. */
  handle: number;
  /** The object's id. */
  obj: number;
  /** Rights mask. */
  rights: number;
  /** Consistency policy of its blob I/O. */
  consistency: MConsistency;
  /** Read buffer size. */
  readBuf: number;
  /** Write buffer size. */
  writeBuf: number;
  /** The reference it was copied or passed from (task id and handle), if any. */
  parent: { task: number; handle: number } | undefined;
}

/**
 * A group a task is a member of, with the rights names resolved through it confer (READ: resolve, WRITE: create
 * in it and, for the first, be named in it).
 */
export interface MMembership {
  /** The group's object id. */
  group: number;
  /** Rights the membership confers. */
  rights: number;
}

/** A task of the model: init (id 0), host-attached tasks, and tasks started by run. */
export interface MTask {
  /** Index in {@link KernelModel.tasks}. */
  id: number;
  /** Id of its task object. */
  obj: number;
  /** Its name. */
  key: string;
  /** Its reference table, in the order references were made. */
  refs: MRef[];
  /** The handle its next reference gets. */
  nextHandle: number;
  /** The handle of its reference to itself. */
  self: number;
  /** Memberships (fixed for the task's life); the first is where the task is named and creates by default. */
  groups: MMembership[];
  /** How many derived (deterministic, unseeded) names it has made. */
  counter: number;
  /** Running until it exits (by deleting its own reference). */
  state: 'running' | 'exited';
  /** Exit status once exited. */
  exitStatus: number | undefined;
  /** The handle its last one-handle select returned: where its next select's scan starts (fairness). */
  lastSelected?: number;
}

/** A buffer lent by begin_read or begin_write, until end_read / end_write (or a close) returns it. */
export interface MLease {
  /** Index in {@link KernelModel.leases}. */
  id: number;
  /** The borrowing task. */
  task: number;
  /** The reference it was lent through. */
  handle: number;
  /** The object. */
  obj: number;
  /** Read or write. */
  kind: 'read' | 'write';
  /** Offset in the object. */
  offset: number;
  /** Length of the lent buffer. */
  length: number;
  /** The object's version when it was lent. */
  version: number;
  /** Lent through an exclusive reference. */
  exclusive: boolean;
  /** A blob write that cuts the blob at its end. */
  truncate: boolean;
  /** Blob writes: land at the end of the blob as it is at commit. */
  append?: boolean;
  /** Read: the bytes lent. Write: the bytes the task put in the buffer. */
  data: number[];
  /** Returned (ended, released, discarded or closed). */
  returned: boolean;
}

/** A call that must fail. `wouldBlock`: it fails only because NONBLOCK was given (without it, it would wait). */
export interface Fail {
  /** The errno the call must fail with. */
  fail: ErrnoCode;
  /** Without NONBLOCK the call would wait instead. */
  wouldBlock?: boolean;
}
/** Whether a prediction says the call must fail. */
export const isFail = (x: unknown): x is Fail => typeof x === 'object' && x !== null && 'fail' in x;

/** What create must return, and the effect to apply once the kernel agreed. */
export interface CreatePlan {
  /** The name the object must get (undefined: random, then it must be fresh). */
  expectedKey: string | undefined;
  /** The handle of the creator's reference. */
  expectedHandle: number;
  /** Records the object under the name the kernel gave. */
  commit(actualKey: string): void;
}
/** What lookup or copy must return. */
export interface HandlesPlan {
  /** The new handles, in order. */
  expectedHandles: number[];
  /** Records the new references. */
  commit(): void;
}
/** A call that returns nothing (delete). */
export interface DonePlan {
  /** Applies the effect. */
  commit(): void;
}
/** What select must return. */
export interface SelectPlan {
  /** The handle select must return (with SelectFlags.ALL, the handles); undefined when nothing is ready. */
  ready: number | number[] | undefined;
  /** Records where the task's next select starts its scan. */
  commit(): void;
}
/** What begin_read must lend. */
export interface ReadPlan {
  /** The bytes lent. */
  content: number[];
  /** Records the lease; returns its id. */
  commit(): number;
}
/** What end_read must return. */
export interface EndReadPlan {
  /** Whether the read was valid (no commit changed the blob under it). */
  valid: boolean;
  /** Returns the lease (and consumes stream or console bytes). */
  commit(): void;
}
/** What begin_write must lend. */
export interface WritePlan {
  /** Length of the lent buffer. */
  length: number;
  /** Whether the lent buffer must arrive zero-filled (blobs: a fresh buffer must not show earlier bytes). */
  zeroed: boolean;
  /** Records the lease with the bytes the task wrote into the buffer; returns its id. */
  commit(data: number[]): number;
}
/** What end_write must return. */
export interface EndWritePlan {
  /** The object's version after the call. */
  version: number;
  /** Applies the write. */
  commit(): void;
}
/** What run must return. */
export interface RunPlan {
  /** The child's name when it is deterministic (undefined: random, then it must be fresh). */
  expectedKey: string | undefined;
  /** The parent's handle of its reference to the child. */
  expectedHandle: number;
  /** The child's input handles. */
  inputs: number[];
  /** The child's output handles. */
  outputs: number[];
  /** Records the child; returns its task id. */
  commit(actualKey: string): number;
}
