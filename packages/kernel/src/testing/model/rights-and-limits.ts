/**
 * Rights and limits of the system-call contract, restated from the interface
 * description rather than imported, so that the model cannot drift with the
 * kernel's code.
 * @module
 */

/** READ: read the object's bytes, resolve names through a group. */
export const R = 0x1;
/** WRITE: change the object (write bytes, create in a group, hand a task references). */
export const W = 0x2;
/** EXECUTE: run a binary. */
export const X = 0x4;
/** DELEGATE: copy the reference to another task. */
export const D = 0x8;
/** Every right. */
export const ALL = 0xf;
/** The largest blob, offset or length a call accepts. */
export const MAX_BLOB = 2 ** 31 - 1;
/** The largest stream capacity. */
export const MAX_STREAM_CAPACITY = 2 ** 30;
/** A stream's capacity when create is given none. */
export const DEFAULT_STREAM_CAPACITY = 256 * 1024;
/** The most references one call (copy, select, run's lists) takes. */
export const MAX_REFS_PER_CALL = 4096;
/** The longest select timeout, in milliseconds. */
export const MAX_TIMEOUT = 2 ** 31 - 1;
/**
 * The most rights a lookup confers on an object of each type, unless create was given a mask: data objects keep
 * every right, the console is readable and writable, tasks and groups can only be observed and handed on.
 */
export const DEFAULT_MASK: Readonly<Record<string, number>> = {
  'private-memory-blob': ALL,
  'shared-memory-blob': ALL,
  'shared-memory-stream': ALL,
  console: R | W | D,
  task: R | D,
  group: R | D,
};

/** Flag bits accepted by each call (anything else is EINVAL). */
export const FLAG_MASK = {
  create: 0x1, // NAME_DETERMINISTIC
  run: 0x7, // START_PAUSED | NAME_DETERMINISTIC | PURE
  pause: 0x1, // RESUME
  lookup: 0x1, // LOCAL_ONLY
  copy: 0x0, // MAKE_LOCAL (0x1) is not modelled: the model's runs never pass it
  delete: 0x7, // EXIT_SUCCESS | EXIT_FAILURE | DROP
  select: 0x3, // WRITE | ALL
  beginRead: 0x1, // NONBLOCK
  endRead: 0x1, // RELEASE
  beginWrite: 0x3, // NONBLOCK | APPEND
  endWrite: 0x3, // DISCARD | END_OF_STREAM
} as const;

/** The object types create accepts. */
export const CREATABLE: readonly string[] = [
  'private-memory-blob',
  'shared-memory-blob',
  'shared-memory-stream',
  'group',
];
