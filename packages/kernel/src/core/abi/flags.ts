/**
 * Constants of the system-call interface: object types, rights, proximity and
 * the flag bits of each call (DIOS's `D_*` flags, grouped per call).
 * @module
 */
import { errors } from './errors.js';
import { describe } from './names.js';

/** Access rights carried by a reference (DIOS permission bits, plus delegation). */
export const Rights = {
  /** begin_read / end_read, select for reading, observe a task. */
  READ: 0x1,
  /** begin_write / end_write, select for writing, pause or resume a task, copy to a task, create in a group, destroy a single-delete object. */
  WRITE: 0x2,
  /** Use the object as the binary of run. */
  EXEC: 0x4,
  /** Hand the reference to another task with copy, or to a child with run. */
  DELEGATE: 0x8,
  /** Tags: add the tag to the holder's own label (Flume's t+ capability; see docs/ifc.md). */
  ADD: 0x10,
  /** Tags: remove the tag from the holder's own label (Flume's t-: declassify a secrecy tag, drop an integrity tag). */
  REMOVE: 0x20,
  /** Every right of an object other than a tag: READ, WRITE, EXEC and DELEGATE (a tag's creator also gets ADD and REMOVE: {@link TAG_RIGHTS}). */
  ALL: 0xf,
} as const;

/** Every right there is: {@link Rights.ALL} and the tag capabilities (a tag's creator gets these). */
export const TAG_RIGHTS = Rights.ALL | Rights.ADD | Rights.REMOVE;

/** Object types the kernel implements. */
export const ObjectType = {
  /** Bytes in memory private to the creating task (an ArrayBuffer); fate-shared with it. */
  PRIVATE_MEMORY_BLOB: 'private-memory-blob',
  /** Bytes in shared memory (a SharedArrayBuffer), visible to every task holding a reference. */
  SHARED_MEMORY_BLOB: 'shared-memory-blob',
  /** Bytes kept by the host's durable store (files on Node): every commit is atomic and durable, and the object survives a kernel restart. */
  DURABLE_BLOB: 'durable-blob',
  /** A bounded FIFO of bytes in shared memory, with back-pressure and end-of-stream. */
  SHARED_MEMORY_STREAM: 'shared-memory-stream',
  /** A task: a running program and its references. */
  TASK: 'task',
  /** A name-resolution scope. */
  GROUP: 'group',
  /** The machine's console: writes go to the host's output, reads come from its input. */
  CONSOLE: 'console',
  /** A listening network socket (a host device): readable when a connection waits; a read yields the new connection's name. */
  TCP_LISTENER: 'tcp-listener',
  /** A network connection (a host device): a byte stream in each direction, with back-pressure from the socket. */
  TCP_CONNECTION: 'tcp-connection',
  /** The kernel's status (like /proc): a read yields a JSON snapshot of its tasks and objects. */
  KERNEL_STATUS: 'kernel-status',
  /** An information-flow tag: its name goes into labels; references to it carry the ADD and REMOVE capabilities (docs/ifc.md). */
  TAG: 'tag',
} as const;

/** One of the values of {@link ObjectType}. */
export type ObjectType = (typeof ObjectType)[keyof typeof ObjectType];

/** The object types a task may pass to create. */
export const CREATABLE_TYPES: readonly ObjectType[] = [
  ObjectType.PRIVATE_MEMORY_BLOB,
  ObjectType.SHARED_MEMORY_BLOB,
  ObjectType.DURABLE_BLOB,
  ObjectType.SHARED_MEMORY_STREAM,
  ObjectType.GROUP,
  ObjectType.TCP_LISTENER,
  ObjectType.TCP_CONNECTION,
  ObjectType.TAG,
];

/** Object types a host device provides (creating one needs the device, e.g. the Node host layer's `useNetwork`). */
export const DEVICE_TYPES: readonly ObjectType[] = [ObjectType.TCP_LISTENER, ObjectType.TCP_CONNECTION];

/**
 * The rights a `lookup` may confer on an object of each type, unless `create`
 * was given `options.lookupRights`: a reference found by name gets the scope
 * rights intersected with the object's mask. Data objects (blobs, streams,
 * network objects) keep every right: their name is a capability for their
 * bytes. The console can be read and written. Tasks, groups, tags and the kernel
 * status can only be observed (and handed on): pausing a task or copying
 * references into it, and entering names into a group, take a reference that
 * was delegated, never one found by name.
 */
export const DEFAULT_LOOKUP_RIGHTS: Readonly<Record<ObjectType, number>> = {
  [ObjectType.PRIVATE_MEMORY_BLOB]: Rights.ALL,
  [ObjectType.SHARED_MEMORY_BLOB]: Rights.ALL,
  [ObjectType.DURABLE_BLOB]: Rights.ALL,
  [ObjectType.SHARED_MEMORY_STREAM]: Rights.ALL,
  [ObjectType.TCP_LISTENER]: Rights.ALL,
  [ObjectType.TCP_CONNECTION]: Rights.ALL,
  [ObjectType.CONSOLE]: Rights.READ | Rights.WRITE | Rights.DELEGATE,
  [ObjectType.TASK]: Rights.READ | Rights.DELEGATE,
  [ObjectType.GROUP]: Rights.READ | Rights.DELEGATE,
  [ObjectType.KERNEL_STATUS]: Rights.READ | Rights.DELEGATE,
  // A tag's name is public, its capabilities are not: they come only by delegation.
  [ObjectType.TAG]: Rights.READ | Rights.DELEGATE,
};

/** How far an object is from the task holding a reference to it, nearest first (the DIOS proximity scale). */
export const PROXIMITY_SCALE = [
  'local-cpu',
  'local-memory',
  'local-disk',
  'remote-memory-1hop',
  'remote-memory-multihop',
  'remote-memory-distant',
  'remote-disk-1hop',
  'remote-disk-multihop',
  'remote-disk-distant',
] as const;

/** One step of {@link PROXIMITY_SCALE}. */
export type Proximity = (typeof PROXIMITY_SCALE)[number];

/** When an object is destroyed. */
export type Lifecycle = 'immortal' | 'single-delete' | 'refcounted';

/** A reference's consistency policy for multi-phase I/O. */
export type Consistency = 'optimistic' | 'exclusive';

/** Flags of create. With neither name flag the name is random. */
export const CreateFlags = {
  /** Derive the name: from `options.nameSeed` when given, else from the creating task's name and its output counter. */
  NAME_DETERMINISTIC: 0x1,
} as const;

/** Flags of lookup. */
export const LookupFlags = {
  /** Resolve on this kernel only; do not ask peers. */
  LOCAL_ONLY: 0x1,
} as const;

/** Flags of copy. */
export const CopyFlags = {
  /**
   * DIOS's D_COPY_MAKE_LOCAL: a blob on another kernel is copied into a new
   * blob on the caller's kernel, and the target gets a reference to that
   * copy. Blobs already here are copied as references; other types are ENOTSUP.
   */
  MAKE_LOCAL: 0x1,
} as const;

/** Flags of delete. */
export const DeleteFlags = {
  /** When deleting your own task reference: exit with status 0. */
  EXIT_SUCCESS: 0x1,
  /** When deleting your own task reference: exit with status 1. */
  EXIT_FAILURE: 0x2,
  /** Only drop this reference: a single-delete object is not destroyed (as closing a file does not unlink it). */
  DROP: 0x4,
} as const;

/** Flags of run. */
export const RunFlags = {
  /** Create the task but leave it in state `created` until resumed with pause(RESUME). */
  START_PAUSED: 0x1,
  /** Name the task deterministically: from `spec.name` when given, else from the parent's name and counter. */
  NAME_DETERMINISTIC: 0x2,
  /** Run the task pure: no ambient host access (no fs, net, child processes), so all its I/O goes through the kernel. Needs a worker placement. */
  PURE: 0x4,
} as const;

/** Flags of pause. */
export const PauseFlags = {
  /** Resume the task instead of pausing it (also starts a task run with START_PAUSED). */
  RESUME: 0x1,
} as const;

/** Flags of select. Without WRITE, select waits for readability. */
export const SelectFlags = {
  /** Wait until a reference can be written without blocking. */
  WRITE: 0x1,
  /** Return every ready reference (their handles, in the order given, each once) instead of one. */
  ALL: 0x2,
} as const;

/** The values of select's flags that include {@link SelectFlags.ALL}: with them select returns an array. */
export type SelectAllFlags = 0x2 | 0x3;

/**
 * What select returns for flags of type `F`: the ready handles with
 * SelectFlags.ALL, one ready handle without it, either when `F` is only known
 * to be a number.
 */
export type SelectResult<F extends number> = number extends F
  ? number | number[]
  : F extends SelectAllFlags
    ? number[]
    : number;

/** Flags of begin_read. */
export const BeginReadFlags = {
  /** Fail with EAGAIN instead of waiting (stream without data, object locked). */
  NONBLOCK: 0x1,
} as const;

/** Flags of end_read. */
export const EndReadFlags = {
  /** Give the buffer back without effect: nothing is consumed from a stream, no validation. */
  RELEASE: 0x1,
} as const;

/** Flags of begin_write. */
export const BeginWriteFlags = {
  /** Fail with EAGAIN instead of waiting (stream full, object locked). */
  NONBLOCK: 0x1,
  /** Blobs: the bytes land at the end of the blob as it is when end_write commits (an atomic append); no offset may be given. */
  APPEND: 0x2,
} as const;

/** Flags of end_write. */
export const EndWriteFlags = {
  /** Give the buffer back without committing anything. */
  DISCARD: 0x1,
  /** Streams only: after this commit, mark end-of-stream. */
  END_OF_STREAM: 0x2,
} as const;

// The union of each flag table's bits, computed once per table.
const MASKS = new WeakMap<object, number>();

/** Rejects a flags argument that is not a non-negative integer made of the allowed bits. */
export function checkFlags(syscall: string, flags: unknown, allowed: Record<string, number>): number {
  let mask = MASKS.get(allowed);
  if (mask === undefined) {
    mask = 0;
    for (const bit of Object.values(allowed)) mask |= bit;
    MASKS.set(allowed, mask);
  }
  // `flags > mask` also catches bits above 32, which the bitwise test cannot see.
  if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0 || flags > mask || (flags & ~mask) !== 0) {
    throw errors.EINVAL(syscall, 'flags', `unknown flag bits in ${describe(flags)} (allowed: 0x${mask.toString(16)})`);
  }
  return flags;
}

/** Rejects a rights mask that is not an integer made of {@link Rights} bits. */
export function checkRights(syscall: string, argument: string, rights: unknown): number {
  if (
    typeof rights !== 'number' ||
    !Number.isInteger(rights) ||
    rights < 0 ||
    rights > TAG_RIGHTS ||
    (rights & ~TAG_RIGHTS) !== 0
  ) {
    throw errors.EINVAL(syscall, argument, `not a rights mask: ${describe(rights)}`);
  }
  return rights;
}

/** Formats rights as `rwxd` with dashes for missing ones. */
export function formatRights(rights: number): string {
  return (
    (rights & Rights.READ ? 'r' : '-') +
    (rights & Rights.WRITE ? 'w' : '-') +
    (rights & Rights.EXEC ? 'x' : '-') +
    (rights & Rights.DELEGATE ? 'd' : '-') +
    // The tag capabilities are shown only when held, so the common masks keep their four letters.
    (rights & (Rights.ADD | Rights.REMOVE)
      ? (rights & Rights.ADD ? '+' : '.') + (rights & Rights.REMOVE ? '-' : '.')
      : '')
  );
}
