/**
 * Reading a system call's arguments, once, at the boundary. Each call has one
 * reader here, run by both kinds of task: by a task in the kernel's thread
 * when its call starts, and by a worker task in its own thread before the
 * call is encoded. A reader reads every value the call uses exactly once (a
 * getter or a Proxy cannot show a check one value and the call another) and
 * returns a snapshot of plain data: primitives, plain objects and arrays.
 * The call then makes its checks, in their documented order, on the
 * snapshot; for a worker task the kernel reads the decoded snapshot again
 * (the channel is writable by the task), which changes nothing in a valid one.
 *
 * A snapshot crosses the worker channel exactly: JSON carries it, except
 * `undefined`, NaN and ±Infinity, which the channel carries beside it
 * (argument-encoding.ts); -0 is read as 0 (no check tells them apart).
 * What JSON could not carry at all fails in the reader, at once, with the
 * error the call's own check gives it, so both kinds of task get the same
 * error: a Symbol, BigInt or function anywhere; an object where a number,
 * string or handle goes; an object other than a plain object (prototype
 * Object.prototype or null) where options go (a Date, Map, boxed primitive
 * or class instance), or other than an array where a list goes; a list
 * longer than the call takes; a throwing getter throws its own error. Only
 * own enumerable string keys of an options object are read: inherited,
 * non-enumerable and symbol-keyed properties are not options. Checks that
 * come before any kernel state is consulted (flags, and for some calls the
 * whole argument) are made in full by the reader.
 * @module
 */
import { errors } from '../abi/errors.js';
import {
  BeginReadFlags,
  BeginWriteFlags,
  CopyFlags,
  CREATABLE_TYPES,
  CreateFlags,
  DeleteFlags,
  EndReadFlags,
  EndWriteFlags,
  LookupFlags,
  ObjectType,
  PauseFlags,
  RunFlags,
  SelectFlags,
} from '../abi/flags.js';
import { describe, Name } from '../abi/names.js';
import { MAX_BLOB_BYTES } from '../objects/blob.js';
import { checkCallFlags, checkInt, checkOptions, MAX_REFS_PER_CALL } from './validate.js';
import { handle, handles, int, isPlain, isPrimitive, list, options, rights, scalar, zero } from './argument-values.js';
import { CREATE_OPTION_KEYS, TASK_SPEC_KEYS } from '../abi/syscall-options.js';
import { MAX_LABEL_TAGS } from '../abi/labels.js';

/** Longest timeout select accepts (about 24 days, the limit of timers). */
export const MAX_SELECT_TIMEOUT_MS = 2 ** 31 - 1;
/** Most entries run accepts in `spec.argv`. */
export const MAX_ARGV = 4096;
// Largest stream ring (create.ts's MAX_STREAM_CAPACITY).
const MAX_STREAM_CAPACITY = 1 << 30;
const HEX = /^[0-9a-f]{64}$/;

// ---- the calls ------------------------------------------------------------

/** create's arguments as read. */
export interface CreateArguments {
  /** A creatable type. */
  type: ObjectType;
  /** The options, read. */
  options: unknown;
  /** Flags, checked. */
  flags: number;
}

/** Reads create(type, options, flags): flags, type and the option keys in full (they come before any state). */
export function createArguments(type: unknown, options_: unknown, flags: unknown): CreateArguments {
  const s = 'create';
  const f = checkCallFlags(s, flags, CreateFlags);
  if (!CREATABLE_TYPES.includes(type as ObjectType)) {
    throw errors.EINVAL(
      s,
      'type',
      `cannot create objects of type ${describe(type)} (creatable: ${CREATABLE_TYPES.join(', ')})`,
    );
  }
  const isStream = type === ObjectType.SHARED_MEMORY_STREAM;
  const o = options(s, 'options', options_, CREATE_OPTION_KEYS, true, (key, v) => {
    const at = `options.${key}`;
    switch (key) {
      case 'group':
        return handle(s, at, v);
      case 'capacity':
        return int(s, at, v, isStream ? 1 : 0, isStream ? MAX_STREAM_CAPACITY : MAX_BLOB_BYTES);
      case 'readBufferSize':
      case 'writeBufferSize':
        return int(s, at, v, 1, MAX_BLOB_BYTES);
      case 'lookupRights':
        return rights(s, at, v);
      case 'address':
        return address(s, v);
      case 'label':
        return labelSpec(s, v);
      default:
        return scalar(v, () => {
          if (key === 'lifecycle') throw errors.EINVAL(s, at, `unknown lifecycle ${describe(v)}`);
          if (key === 'consistency') throw errors.EINVAL(s, at, `unknown policy ${describe(v)}`);
          if (!(f & CreateFlags.NAME_DETERMINISTIC))
            throw errors.EINVAL(s, at, 'a name seed needs CreateFlags.NAME_DETERMINISTIC');
          throw errors.EINVAL(s, at, `expected a string, got ${describe(v)}`);
        });
    }
  });
  // Checked again by the call; here because the reader's own option object passes the same check.
  checkOptions(s, 'options', o, CREATE_OPTION_KEYS);
  return { type: type as ObjectType, options: o, flags: f };
}

// create's options.label, { secrecy?, integrity? }: lists of tag handles.
function labelSpec(s: string, v: unknown): unknown {
  return options(s, 'options.label', v, ['secrecy', 'integrity'], true, (key, x) =>
    handles(s, `options.label.${key}`, x, MAX_LABEL_TAGS),
  );
}

// create's options.address, { host?, port }: the device checks it (messages as in the Node host's checkAddress).
function address(s: string, v: unknown): unknown {
  if (isPrimitive(v)) return zero(v);
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !isPlain(v)) {
    throw errors.EINVAL(s, 'options.address', `expected { host?, port }, got ${describe(v)}`);
  }
  return options(s, 'options.address', v, ['host', 'port'], false, (key, x) =>
    key === 'port'
      ? scalar(x, () => {
          throw errors.EINVAL(s, 'options.address.port', `expected a port in [0, 65535], got ${describe(x)}`);
        })
      : scalar(x, () => {
          throw errors.EINVAL(s, 'options.address.host', `expected a host name or IP address, got ${describe(x)}`);
        }),
  );
}

// The last name key lookupArguments accepted (a valid key, or '', which no key equals).
let lastKey = '';

/** Reads lookup(name, flags) in full (both come before any state): the name's text form, checked. */
export function lookupArguments(name: unknown, flags: unknown): string {
  const s = 'lookup';
  checkCallFlags(s, flags, LookupFlags);
  // A Name is read as its key, once (a Proxy may pose as a Name, so the key is checked like any text).
  const text: unknown = typeof name === 'string' ? name : Name.isName(name) ? name.key : undefined;
  if (typeof text !== 'string')
    throw errors.EINVAL(s, 'name', `expected a Name or its text form, got ${describe(name)}`);
  // The last key that passed is remembered: a task looking up one name again compares strings instead of
  // running the pattern (the same text passes the same check, so nothing is skipped for any other text).
  if (text !== lastKey) {
    if (!HEX.test(text)) throw errors.EINVAL(s, 'name', `expected 64 lowercase hex digits, got ${describe(text)}`);
    lastKey = text;
  }
  return text;
}

/** copy's arguments as read. */
export interface CopyArguments {
  /** Handles (a non-empty array). */
  refs: unknown[];
  /** The target's handle. */
  target: unknown;
  /** Options, read. */
  options: unknown;
  /** Flags, checked. */
  flags: number;
}

/** Reads copy(refs, target, options, flags): flags, the list and the option keys in full. */
export function copyArguments(refs: unknown, target: unknown, options_: unknown, flags: unknown): CopyArguments {
  const s = 'copy';
  const f = checkCallFlags(s, flags, CopyFlags);
  if (!Array.isArray(refs)) throw errors.EINVAL(s, 'refs', `expected an array, got ${describe(refs)}`);
  const r = handles(s, 'refs', refs, MAX_REFS_PER_CALL) as unknown[];
  if (r.length === 0) throw errors.EINVAL(s, 'refs', 'no references to copy');
  const o = options(s, 'options', options_, ['rights'], true, (_key, v) =>
    Array.isArray(v)
      ? list(s, 'options.rights', v, MAX_REFS_PER_CALL, (i, m) => rights(s, `options.rights[${i}]`, m))
      : rights(s, 'options.rights', v),
  );
  checkOptions(s, 'options', o, ['rights']);
  return { refs: r, target: handle(s, 'target', target), options: o, flags: f };
}

/** delete's arguments as read. */
export interface HandleArguments {
  /** The `ref` argument: a primitive (an object is EBADF already), looked up by the call. */
  handle: unknown;
  /** Flags, checked. */
  flags: number;
}

/** Reads ref(handle), a worker task's view of a reference. */
export function refArguments(h: unknown): unknown {
  return handle('ref', 'handle', h);
}

/** Reads delete(ref, flags). */
export function deleteArguments(ref: unknown, flags: unknown): HandleArguments {
  const f = checkCallFlags('delete', flags, DeleteFlags);
  return { handle: handle('delete', 'ref', ref), flags: f };
}

/** Reads pause(task, flags). */
export function pauseArguments(task: unknown, flags: unknown): HandleArguments {
  const f = checkCallFlags('pause', flags, PauseFlags);
  return { handle: handle('pause', 'task', task), flags: f };
}

/** Reads end_read(ref, buffer, flags) but the buffer (matched by identity, never read). */
export function endReadArguments(ref: unknown, flags: unknown): HandleArguments {
  const f = checkCallFlags('endRead', flags, EndReadFlags);
  return { handle: handle('endRead', 'ref', ref), flags: f };
}

/** run's arguments as read. */
export interface RunArguments {
  /** The binary's handle. */
  binary: unknown;
  /** The spec, read. */
  spec: unknown;
  /** Flags, checked. */
  flags: number;
}

/** Reads run(binary, spec, flags). The spec is checked after the binary, so only its odd values fail here. */
export function runArguments(binary: unknown, spec: unknown, flags: unknown): RunArguments {
  const s = 'run';
  const f = checkCallFlags(s, flags, RunFlags);
  const sp = options(s, 'spec', spec, TASK_SPEC_KEYS, false, (key, v) => {
    const at = `spec.${key}`;
    switch (key) {
      case 'argv':
        return list(s, at, v, MAX_ARGV, (i, a) =>
          scalar(a, () => {
            throw errors.EINVAL(s, `${at}[${i}]`, `expected a string, got ${describe(a)}`);
          }),
        );
      case 'inputs':
      case 'outputs':
      case 'groups':
        return handles(s, at, v, MAX_REFS_PER_CALL);
      case 'env':
        return options(s, at, v, undefined, false, (name, x) =>
          scalar(x, () => {
            throw errors.EINVAL(s, `${at}.${name}`, `expected a string, got ${describe(x)}`);
          }),
        );
      default:
        return scalar(v, () => {
          if (key === 'name')
            throw errors.EINVAL(s, at, 'a task name seed is a string and needs RunFlags.NAME_DETERMINISTIC');
          if (key === 'kernel') throw errors.EINVAL(s, at, `expected a kernel id, got ${describe(v)}`);
          throw errors.EINVAL(s, at, `expected 'thread' or 'worker', got ${describe(v)}`);
        });
    }
  });
  return { binary: handle(s, 'binary', binary), spec: sp, flags: f };
}

/** select's arguments as read. */
export interface SelectArguments {
  /** Handles (a non-empty array). */
  refs: unknown[];
  /** Options, checked. */
  options: unknown;
  /** Flags, checked. */
  flags: number;
}

/** Reads select(refs, options, flags): everything but the handles in full (it comes before any state). */
export function selectArguments(refs: unknown, options_: unknown, flags: unknown): SelectArguments {
  const s = 'select';
  const f = checkCallFlags(s, flags, SelectFlags);
  if (!Array.isArray(refs)) throw errors.EINVAL(s, 'refs', `expected an array, got ${describe(refs)}`);
  const r = handles(s, 'refs', refs, MAX_REFS_PER_CALL) as unknown[];
  if (r.length === 0) throw errors.EINVAL(s, 'refs', 'nothing to wait for');
  const o = options(
    s,
    'options',
    options_,
    ['timeoutMs'],
    true,
    (_key, v) => checkInt(s, 'options.timeoutMs', v, 0, MAX_SELECT_TIMEOUT_MS) + 0,
  );
  checkOptions(s, 'options', o, ['timeoutMs']);
  return { refs: r, options: o, flags: f };
}

/** begin_read's arguments as read. */
export interface BeginReadArguments {
  /** The `ref` argument: a primitive (an object is EBADF already), looked up by the call. */
  handle: unknown;
  /** Options, read. */
  options: unknown;
  /** Flags, checked. */
  flags: number;
}

/** Reads begin_read(ref, options, flags). */
export function beginReadArguments(ref: unknown, options_: unknown, flags: unknown): BeginReadArguments {
  const s = 'beginRead';
  const f = checkCallFlags(s, flags, BeginReadFlags);
  const o = isPrimitive(options_)
    ? options_
    : options(s, 'options', options_, ['offset', 'length'], false, (key, v) =>
        int(s, `options.${key}`, v, 0, MAX_BLOB_BYTES),
      );
  return { handle: handle(s, 'ref', ref), options: o, flags: f };
}

/** begin_write's arguments as read. */
export interface BeginWriteArguments {
  /** The `ref` argument: a primitive (an object is EBADF already), looked up by the call. */
  handle: unknown;
  /** Bytes to lend. */
  length: unknown;
  /** Options, read. */
  options: unknown;
  /** Flags, checked. */
  flags: number;
}

/** Reads begin_write(ref, length, options, flags). */
export function beginWriteArguments(
  ref: unknown,
  length: unknown,
  options_: unknown,
  flags: unknown,
): BeginWriteArguments {
  const s = 'beginWrite';
  const f = checkCallFlags(s, flags, BeginWriteFlags);
  const o = isPrimitive(options_)
    ? options_
    : options(s, 'options', options_, ['offset', 'truncate'], false, (key, v) =>
        key === 'offset'
          ? int(s, 'options.offset', v, 0, MAX_BLOB_BYTES)
          : scalar(v, () => {
              throw errors.EINVAL(s, 'options.truncate', 'expected a boolean');
            }),
      );
  return { handle: handle(s, 'ref', ref), length: int(s, 'length', length, 0, MAX_BLOB_BYTES), options: o, flags: f };
}

/** end_write's arguments as read (the buffer is matched by identity, never read). */
export interface EndWriteArguments {
  /** The `ref` argument: a primitive (an object is EBADF already), looked up by the call. */
  handle: unknown;
  /** Options, read. */
  options: unknown;
  /** Flags, checked. */
  flags: number;
}

/** Reads end_write(ref, buffer, options, flags) but the buffer. */
export function endWriteArguments(ref: unknown, options_: unknown, flags: unknown): EndWriteArguments {
  const s = 'endWrite';
  const f = checkCallFlags(s, flags, EndWriteFlags);
  // The call bounds the length by the lent buffer's; a value that is no number at all fails here against the largest.
  const o = isPrimitive(options_)
    ? options_
    : options(s, 'options', options_, ['length'], false, (_key, v) => int(s, 'options.length', v, 0, MAX_BLOB_BYTES));
  return { handle: handle(s, 'ref', ref), options: o, flags: f };
}
