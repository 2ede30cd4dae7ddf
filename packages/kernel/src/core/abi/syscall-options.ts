/**
 * The option and result types of the system calls: part of the interface a
 * task holds, so they live with it, below the code that implements them.
 * @module
 */
import type { Consistency, Lifecycle } from './flags.js';
import type { LabelSpec } from './labels.js';
import type { Name } from './names.js';
import type { Placement } from './program.js';

/** Options of create. */
export interface CreateOptions {
  /** Handle of a group reference (with write rights) to create the object in; default: the task's first group. */
  group?: number;
  /** Blobs: initial capacity in bytes. Streams: ring size in bytes (default 256 KiB). */
  capacity?: number;
  /** With CreateFlags.NAME_DETERMINISTIC: derive the name from this string, within the group the object is created in (a group's name also covers the kernel: see Name.onKernel). */
  nameSeed?: string;
  /** When the object goes (default `refcounted`). */
  lifecycle?: Lifecycle;
  /** Consistency policy of the returned reference (default `optimistic`). */
  consistency?: Consistency;
  /** Read buffer size shown on the returned reference. */
  readBufferSize?: number;
  /** Write buffer size shown on the returned reference. */
  writeBufferSize?: number;
  /** Network objects: where to listen (TCP_LISTENER; port 0 picks a free one) or what to connect to (TCP_CONNECTION). */
  address?: NetworkAddress;
  /**
   * The object's lookup mask, fixed for its life: the most rights a lookup of
   * its name confers (default: {@link DEFAULT_LOOKUP_RIGHTS} for the type).
   * Not for durable blobs, whose store does not keep it.
   */
  lookupRights?: number;
  /**
   * The object's information-flow label, fixed for its life (docs/ifc.md):
   * handles of tag references. Default: the creating task's label. The task
   * must be able to flow to it (EPERM otherwise); network objects are public
   * (unlabelled), tags are always unlabelled.
   */
  label?: LabelSpec;
}

/** What create returns. */
export interface CreateResult {
  /** The new object's name. */
  name: Name;
  /** Handle of a reference with all rights. */
  ref: number;
}

/** Options of copy. */
export interface CopyOptions {
  /** Rights of the new references: one mask for all, or one per reference (default: the source's rights). */
  rights?: number | readonly number[];
}

/** What a new task gets. */
export interface TaskSpec {
  /** Arguments; argv[0] is conventionally the program's name. */
  argv: readonly string[];
  /** Handles (in the caller's table) passed as inputs (each needs read and delegate rights): the child gets them without write and exec rights. */
  inputs?: readonly number[];
  /** Handles passed as outputs (each needs write and delegate rights): the child gets them without exec rights. */
  outputs?: readonly number[];
  /**
   * Handles of group references (each needs read and delegate rights) the
   * child becomes a member of, with each reference's rights; default: the
   * caller's memberships. The child is named in the first one only if that
   * membership carries write rights.
   */
  groups?: readonly number[];
  /** Environment variables. */
  env?: Readonly<Record<string, string>>;
  /** With RunFlags.NAME_DETERMINISTIC: derive the task's name from this string (needs write rights on the child's first group, if it has one). */
  name?: string;
  /** Run on this peer kernel instead of locally; `'*'` (ANY_KERNEL): let the kernel's scheduling policy choose. */
  kernel?: string;
  /**
   * Where the program runs: `worker` (a worker thread of its own; module
   * programs only, on a kernel with a worker executor) or `thread` (the
   * kernel's thread). Default: `worker` when both hold, else `thread`.
   */
  placement?: Placement;
}

/** Options of select. */
export interface SelectOptions {
  /** Give up with ETIMEDOUT after this many milliseconds (0 polls); default: wait for ever. */
  timeoutMs?: number;
}

/** Options of begin_read. */
export interface ReadOptions {
  /** Blobs: where the view starts (default 0). Streams accept only 0. */
  offset?: number;
  /** Most bytes to lend (default: the rest of a blob, a stream's capacity). Streams may lend fewer. */
  length?: number;
}

/** Options of begin_write. */
export interface WriteOptions {
  /** Blobs: where the written bytes go (at most the current size: blobs have no holes). Streams accept only 0. */
  offset?: number;
  /** Blobs: the commit makes the size exactly offset + committed length. */
  truncate?: boolean;
}

/** Options of end_write. */
export interface EndWriteOptions {
  /** How many bytes of the buffer to commit (default: all of it). */
  length?: number;
}

/** A network address (create's `options.address`). */
export interface NetworkAddress {
  /** Host name or IP address (default: the device decides, e.g. 127.0.0.1). */
  host?: string;
  /** Port number (0: any free port, for listeners). */
  port: number;
}

// Each list of option keys is written once; the Record type makes the compiler check it against the interface.
const CREATE_KEYS: Record<keyof CreateOptions, 0> = {
  group: 0,
  capacity: 0,
  nameSeed: 0,
  lifecycle: 0,
  consistency: 0,
  readBufferSize: 0,
  writeBufferSize: 0,
  address: 0,
  lookupRights: 0,
  label: 0,
};
const SPEC_KEYS: Record<keyof TaskSpec, 0> = {
  argv: 0,
  inputs: 0,
  outputs: 0,
  groups: 0,
  env: 0,
  name: 0,
  kernel: 0,
  placement: 0,
};

/** The keys create's options may have, in the order the checks read them. */
export const CREATE_OPTION_KEYS: readonly string[] = Object.freeze(Object.keys(CREATE_KEYS));

/** The keys run's spec may have, in the order the checks read them. */
export const TASK_SPEC_KEYS: readonly string[] = Object.freeze(Object.keys(SPEC_KEYS));
