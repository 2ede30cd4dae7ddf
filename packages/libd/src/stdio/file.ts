/**
 * The FILE: libd's C stdio stream over one DIOS reference. Programs hold an
 * opaque {@link FILE}; its state ({@link FileState}) is private to libd and
 * reached with {@link stateOf}. Operations on one FILE run one at a time, in
 * the order they were called (C stdio locks each FILE the same way).
 * @module
 */
import { errors, ObjectType, type SystemCalls } from '@dios/kernel';
import { rememberError } from '../errno/last-error.js';
import type { OpenMode } from './mode.js';

/** How output is buffered: until the buffer is full, until a newline, or not at all (C's `_IOFBF`, `_IOLBF`, `_IONBF`). */
export type Buffering = 'full' | 'line' | 'none';

/** Largest user-space buffer a FILE allocates, whatever the reference advises (1 MiB). */
export const MAX_BUFFER_BYTES = 1 << 20;
/** Smallest read buffer: room for one whole UTF-8 character, which fgets may need to look ahead over. */
export const MIN_READ_BUFFER_BYTES = 4;

/**
 * How the object is addressed: `positional` objects (blobs) are read and
 * written at offsets, `sequential` ones (streams, the console) only in order.
 */
export type Access = 'positional' | 'sequential';

/** The access of an object type, or undefined for types without bytes (tasks, groups) or unknown ones. */
export function accessOf(type: ObjectType): Access | undefined {
  switch (type) {
    case ObjectType.PRIVATE_MEMORY_BLOB:
    case ObjectType.SHARED_MEMORY_BLOB:
    case ObjectType.DURABLE_BLOB:
      return 'positional';
    case ObjectType.SHARED_MEMORY_STREAM:
    case ObjectType.CONSOLE:
      return 'sequential';
    default:
      return undefined;
  }
}

const states = new WeakMap<FILE, FileState>();
const openFiles = new WeakMap<SystemCalls, Set<FileState>>();

/**
 * An open stdio stream (C's `FILE *`). Opaque: pass it to the stdio
 * functions. FILEs come from {@link fopen} and {@link stdio}.
 */
export class FILE {
  private constructor() {}

  /** The handle of the reference the FILE reads and writes through (C's `fileno`). */
  get handle(): number {
    return stateOf(this, 'handle', false).handle;
  }
  /** The mode string the FILE was opened with. */
  get mode(): string {
    return stateOf(this, 'mode', false).mode.text;
  }
  /** Whether {@link fclose} has closed the FILE. */
  get closed(): boolean {
    return stateOf(this, 'closed', false).closed;
  }
}

/** Everything libd keeps about one FILE. Not exported from the package. */
export class FileState {
  /** The opaque object programs hold. */
  readonly file: FILE;
  /** Whether fclose deletes the reference (true when fopen opened it by name). */
  readonly owned: boolean;
  /** Positional (blobs) or sequential (streams, console). */
  readonly access: Access;
  /** Output buffering. */
  buffering: Buffering;
  /** Set by fclose; every later use is EBADF. */
  closed = false;
  /** C's end-of-file indicator: set when a read found nothing more; refills stop until it is cleared. */
  eof = false;
  /** C's error indicator: set by any failed operation, cleared by clearerr and rewind. */
  error = false;
  /**
   * Positional objects: the offset the program is at (C's file position). It
   * counts bytes still in the write buffer (written at `pos - wlen`) and
   * excludes read-ahead (the next byte read is `rbuf[rpos]`, at `pos`).
   */
  pos = 0;
  /** Read-ahead bytes are `rbuf[rpos, rend)`; allocated on first read. */
  rbuf: Uint8Array | undefined;
  /** Goes up whenever the bytes in `rbuf` are replaced or dropped (so what was decoded from them is not used again). */
  generation = 0;
  /** Text decoded from `rbuf` up to its last newline, for fgets: lines from `at` on start at byte `byteAt`. */
  text: { generation: number; str: string; at: number; byteAt: number } | undefined;
  /** Index of the next unread byte in `rbuf`. */
  rpos = 0;
  /** End of the valid bytes in `rbuf`. */
  rend = 0;
  /** Pending output is `wbuf[0, wlen)`; allocated on first buffered write. */
  wbuf: Uint8Array | undefined;
  /** Number of pending output bytes. */
  wlen = 0;
  /** Read buffer size: the reference's `readBufferSize`, within [4 bytes, 1 MiB]. */
  readonly readBufferSize: number;
  /** Write buffer size: the reference's `writeBufferSize`, within [1 byte, 1 MiB]. */
  readonly writeBufferSize: number;
  /** Sequential objects: the largest write the object is known to accept in one piece. */
  pieceLimit: number;
  /**
   * Whether the next buffer is read while this one is used: blobs on
   * another kernel, where each read is a round trip (see `readAhead` in
   * buffered-io.ts).
   */
  readonly readsAhead: boolean;
  /** The next buffer's read, under way into `buffer`: the object's bytes from `offset`, or undefined if it failed. */
  ahead:
    | { readonly offset: number; readonly buffer: Uint8Array; readonly bytes: Promise<Uint8Array | undefined> }
    | undefined;
  /** A buffer for the next read ahead, free again once the last one's bytes were taken (fresh memory is dear). */
  spare: Uint8Array | undefined;
  /** Called before the FILE waits for input (stdin flushes stdout this way, as C does). */
  beforeRefill: (() => Promise<void>) | undefined;
  // Tail of the chain of operations; each one starts when the previous settles.
  #queue: Promise<void> = Promise.resolve();
  // Operations queued and not yet settled.
  #running = 0;

  /** Registers a new open FILE of task `sys`. */
  constructor(
    /** The task the FILE belongs to; its system calls do the I/O. */
    readonly sys: SystemCalls,
    /** The reference's handle. */
    readonly handle: number,
    /** The parsed open mode. */
    readonly mode: OpenMode,
    options: { owned: boolean; access: Access; buffering: Buffering },
  ) {
    this.owned = options.owned;
    this.access = options.access;
    this.buffering = options.buffering;
    const view = sys.ref(handle);
    this.readBufferSize = clamp(view.readBufferSize, MIN_READ_BUFFER_BYTES);
    this.writeBufferSize = clamp(view.writeBufferSize, 1);
    this.pieceLimit = this.writeBufferSize;
    this.readsAhead = options.access === 'positional' && !view.proximity.startsWith('local-');
    this.file = Object.create(FILE.prototype) as FILE;
    states.set(this.file, this);
    let set = openFiles.get(sys);
    if (set === undefined) openFiles.set(sys, (set = new Set()));
    set.add(this);
  }

  /**
   * Runs `body` after every operation called before it has settled, on an
   * open FILE; a failure sets the error indicator, becomes the task's
   * lastError, and is rethrown.
   */
  run<T>(op: string, body: () => Promise<T>): Promise<T> {
    this.#running++;
    const result = this.#queue.then(() => {
      this.checkOpen(op);
      return body().catch((e: unknown) => {
        this.error = true;
        throw rememberError(this.sys, e);
      });
    });
    const done = () => {
      this.#running--;
    };
    this.#queue = result.then(done, done);
    return result;
  }

  /**
   * Whether no operation is queued or running: one that needs no waiting
   * call may then be done at once, in its turn, without joining the chain.
   */
  get idle(): boolean {
    return this.#running === 0;
  }

  /** The synchronous counterpart of {@link run} for operations that make no waiting call. */
  runSync<T>(op: string, body: () => T): T {
    this.checkOpen(op);
    try {
      return body();
    } catch (e) {
      this.error = true;
      throw rememberError(this.sys, e);
    }
  }

  /** Throws EBADF (argument `stream`) once the FILE is closed. */
  checkOpen(op: string): void {
    if (this.closed) throw errors.EBADF(op, 'stream', 'the FILE has been closed');
  }

  /** Marks the FILE closed and forgets it in its task's list of open FILEs. */
  markClosed(): void {
    this.closed = true;
    this.rbuf = this.wbuf = undefined;
    this.ahead = this.spare = this.text = undefined;
    this.rpos = this.rend = this.wlen = 0;
    openFiles.get(this.sys)?.delete(this);
  }
}

function clamp(advised: number, least: number): number {
  return Math.min(MAX_BUFFER_BYTES, Math.max(least, advised));
}

/**
 * The state of `file`. Throws EBADF (argument `stream`) for something that
 * is not a FILE, and, when `mustBeOpen`, for a closed FILE.
 */
export function stateOf(file: unknown, op: string, mustBeOpen = true): FileState {
  const state = typeof file === 'object' && file !== null ? states.get(file as FILE) : undefined;
  if (state === undefined) throw errors.EBADF(op, 'stream', 'not a FILE opened by fopen or stdio');
  if (mustBeOpen) state.checkOpen(op);
  return state;
}

/** The FILEs of task `sys` that are still open, in the order they were opened. */
export function openFilesOf(sys: SystemCalls): FileState[] {
  return [...(openFiles.get(sys) ?? [])];
}
