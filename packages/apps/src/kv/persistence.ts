/**
 * Persistence through durable blobs found by path in the server task's
 * group: a snapshot and an append-only log (AOF) of write commands. Each
 * batch of commands read is appended (one atomic APPEND commit) before its
 * replies go out, so an acknowledged write is as durable as the kernel's
 * store makes a commit (the host picks the store's fsync policy). On start
 * the snapshot is loaded and the AOF replayed; once the AOF outgrows the
 * snapshot (and a minimum), a rewrite writes a new snapshot and empties the
 * AOF. Both carry a generation number: an AOF whose generation is not the
 * snapshot's (a crash between the two commits of a rewrite) is stale, since
 * the snapshot already holds its effects.
 * @module
 */
import {
  BeginWriteFlags,
  CreateFlags,
  errors,
  isDiosError,
  normalizePath,
  ObjectType,
  pathName,
  pathSeed,
  type SystemCalls,
} from '@dios/kernel';
import { detachedContext } from './commands/context.js';
import { dispatch } from './commands/table.js';
import { KvConfig } from './core/config.js';
import type { Keyspace } from './core/keyspace.js';
import { DEFAULT_KV_LIMITS, MAX_CONFIGURED_BYTES } from './core/limits.js';
import { RespParser, RespProtocolError } from './resp-parser.js';
import { RespWriter } from './core/resp-writer.js';
import { decodeKeys, encodeKeys, SNAPSHOT_HEADER } from './core/snapshot.js';

const SNAPSHOT_MAGIC = 0x53564b44; // "DKVS" little-endian
const AOF_MAGIC = 0x41564b44; // "DKVA"
// The AOF's format (the snapshot's is snapshot.ts' own).
const FORMAT = 1;
const HEADER = SNAPSHOT_HEADER;

/** Where the blobs live and when the AOF is rewritten. */
export interface PersistenceOptions {
  /** Path prefix in the task's first group: the blobs are `<dir>/snapshot` and `<dir>/aof` (default `/kv`). */
  dir?: string;
  /** Least AOF size (bytes) that triggers a rewrite; it also waits until the AOF is as large as the snapshot (default 64 MiB). */
  rewriteMinBytes?: number;
}

/** The snapshot and AOF of one server (see the module comment). */
export class Persistence {
  readonly #sys: SystemCalls;
  readonly #keys: Keyspace;
  readonly #snapshot: number;
  readonly #aof: number;
  #rewriteMin: number;
  #generation = 0;
  #aofBytes = 0;
  #snapshotBytes = 0;
  #rewrites = 0;
  /** The current batch's logged commands; {@link Persistence.commit} appends them. */
  readonly pending = new RespWriter();

  private constructor(sys: SystemCalls, keys: Keyspace, snapshot: number, aof: number, rewriteMin: number) {
    this.#sys = sys;
    this.#keys = keys;
    this.#snapshot = snapshot;
    this.#aof = aof;
    this.#rewriteMin = rewriteMin;
  }

  /**
   * Opens (or creates) the blobs, loads the snapshot into `keys` and replays
   * the AOF. Undefined when the kernel has no durable store (the server then
   * keeps its data in memory only). Errors: EIO (`snapshot`, `aof`) for a
   * blob that is not in this format; the kernel's errors.
   */
  static async open(
    sys: SystemCalls,
    keys: Keyspace,
    options: PersistenceOptions = {},
  ): Promise<Persistence | undefined> {
    const dir = normalizePath(options.dir ?? '/kv', 'kv.persistence', 'options.dir').replace(/\/$/, '');
    const snapshot = await durableAt(sys, `${dir}/snapshot`);
    if (snapshot === undefined) return undefined;
    const aof = (await durableAt(sys, `${dir}/aof`))!;
    const p = new Persistence(sys, keys, snapshot, aof, options.rewriteMinBytes ?? 64 * 1024 * 1024);
    await p.#load();
    return p;
  }

  /** Figures for INFO's persistence section. */
  info(): Record<string, number> {
    return {
      aof_enabled: 1,
      aof_current_size: this.#aofBytes,
      snapshot_size: this.#snapshotBytes,
      aof_rewrites: this.#rewrites,
      generation: this.#generation,
    };
  }

  async #load(): Promise<void> {
    const snap = await this.#sys.beginRead(this.#snapshot, { offset: 0 });
    try {
      this.#snapshotBytes = snap.length;
      if (snap.length > 0) this.#generation = loadSnapshot(snap, this.#keys);
    } finally {
      await this.#sys.endRead(this.#snapshot, snap);
    }
    const log = await this.#sys.beginRead(this.#aof, { offset: 0 });
    let stale = true;
    try {
      if (log.length >= HEADER) {
        const v = new DataView(log.buffer, log.byteOffset, HEADER);
        if (v.getUint32(0, true) !== AOF_MAGIC || v.getUint32(4, true) !== FORMAT)
          throw errors.EIO('kv.load', 'aof', 'not a DIOS KV append-only log');
        if (v.getUint32(8, true) === this.#generation) {
          stale = false;
          replay(log.subarray(HEADER), this.#keys);
          this.#aofBytes = log.length;
        }
      }
    } finally {
      await this.#sys.endRead(this.#aof, log);
    }
    if (stale) await this.#resetAof();
  }

  // Empties the AOF down to a header of the current generation (one commit).
  async #resetAof(): Promise<void> {
    const buf = await this.#sys.beginWrite(this.#aof, HEADER, { offset: 0, truncate: true });
    const v = new DataView(buf.buffer, buf.byteOffset, HEADER);
    v.setUint32(0, AOF_MAGIC, true);
    v.setUint32(4, FORMAT, true);
    v.setUint32(8, this.#generation, true);
    await this.#sys.endWrite(this.#aof, buf);
    this.#aofBytes = HEADER;
  }

  /** Appends the batch's logged commands to the AOF (nothing if none), then rewrites if the AOF has grown enough. */
  async commit(): Promise<void> {
    const n = this.pending.length;
    // Cannot happen (a round's log stays far below the largest buffer: see server.ts), and must not pass unnoticed.
    if (this.pending.overflowed)
      throw errors.EIO('kv.commit', 'aof', 'a round logged more than one buffer holds; its writes are not durable');
    if (n === 0) return;
    const buf = await this.#sys.beginWrite(this.#aof, n, undefined, BeginWriteFlags.APPEND);
    buf.set(this.pending.bytes());
    this.pending.reset();
    await this.#sys.endWrite(this.#aof, buf);
    this.#aofBytes += n;
    if (this.#aofBytes >= this.#rewriteMin && this.#aofBytes >= this.#snapshotBytes) {
      try {
        await this.rewrite();
      } catch (e) {
        // The appended log stands; a snapshot that cannot be made now (too large, say) is tried again once the log has doubled.
        this.#rewriteMin = 2 * this.#aofBytes;
        this.onRewriteFailure?.(e);
      }
    }
  }

  /** Told of a rewrite that failed after a commit (the commit itself succeeded). */
  onRewriteFailure: ((error: unknown) => void) | undefined;

  /** Writes a snapshot of the keyspace (the next generation), then empties the AOF. Errors: ENOMEM for a snapshot over 2 GiB; the kernel's. */
  async rewrite(): Promise<void> {
    const bytes = encodeSnapshot(this.#keys, this.#generation + 1);
    const buf = await this.#sys.beginWrite(this.#snapshot, bytes.length, { offset: 0, truncate: true });
    buf.set(bytes);
    await this.#sys.endWrite(this.#snapshot, buf);
    this.#generation++;
    this.#snapshotBytes = bytes.length;
    this.#rewrites++;
    await this.#resetAof();
  }
}

// The durable blob at `path`: looked up, or made with a name seeded from the path. Undefined without a store.
async function durableAt(sys: SystemCalls, path: string): Promise<number | undefined> {
  const group = sys.groupNames[0];
  if (group === undefined)
    throw errors.ENOENT('kv.persistence', 'options.dir', 'the task is a member of no group, so paths name nothing');
  const name = await pathName(group, path);
  try {
    return (await sys.lookup(name))[0];
  } catch (e) {
    if (!isDiosError(e, 'ENOENT')) throw atPath(e, path);
  }
  try {
    return (await sys.create(ObjectType.DURABLE_BLOB, { nameSeed: pathSeed(path) }, CreateFlags.NAME_DETERMINISTIC))
      .ref;
  } catch (e) {
    if (isDiosError(e, 'ENOTSUP')) return undefined;
    throw atPath(e, path);
  }
}

// The kernel's error about the path's 256-bit name, said about the path (the kernel's error is the cause).
function atPath(e: unknown, path: string): unknown {
  if (!isDiosError(e)) return e;
  const error = errors[e.code]('kv.persistence', 'options.dir', `at ${path}: ${e.detail}`);
  error.cause = e;
  return error;
}

/** The snapshot bytes of `keys` (live keys only) with generation `generation` (see snapshot.ts). ENOMEM over 2 GiB. */
export function encodeSnapshot(keys: Keyspace, generation: number): Uint8Array {
  return encodeKeys(keys, generation, SNAPSHOT_MAGIC);
}

// Loads snapshot bytes into `keys`; returns their generation. Values are copied (the bytes are a lent view).
function loadSnapshot(view: Uint8Array, keys: Keyspace): number {
  return decodeKeys(view, keys, SNAPSHOT_MAGIC, new KvConfig());
}

// Replays logged commands into `keys` through the ordinary command code, replies dropped.
function replay(bytes: Uint8Array, keys: Keyspace): void {
  // The log holds what was accepted, under whatever limits were configured then.
  const parser = new RespParser({ maxBulkBytes: MAX_CONFIGURED_BYTES, queryBufferBytes: Infinity });
  parser.feed(bytes);
  const out = new RespWriter();
  // What was accepted once is replayed, whatever the limits are now.
  const ctx = detachedContext(keys, out, { ...DEFAULT_KV_LIMITS, maxBulkBytes: MAX_CONFIGURED_BYTES });
  ctx.client.name = 'aof';

  try {
    for (let args = parser.next(); args !== undefined; args = parser.next()) {
      dispatch(args, ctx);
      out.reset();
    }
  } catch (e) {
    if (e instanceof RespProtocolError) throw errors.EIO('kv.load', 'aof', `the log is corrupt: ${e.message}`);
    throw e;
  }
  // Commits are atomic, so a complete log has no partial command left over.
  if (parser.buffered > 0) throw errors.EIO('kv.load', 'aof', 'the log ends inside a command');
}
