/**
 * A durable store in a directory of the host. Each blob has a base file
 * `<name>.blob` (two header slots, then the bytes) and a log `<name>.log` of
 * checksummed records, each one commit (formats in blob-format.ts).
 *
 * Layout and protocol. The header slot with the higher `gen` says "the base
 * holds version v, size s". A commit of bytes at `offset` with the blob at
 * committed size S writes one log record: the part inside the old size goes
 * in the record (redo, `inline`); the part beyond S goes straight into the
 * base at S and the record only names it (length and CRC-32, an `extent`),
 * if S is at the high-water mark `hw`: the largest size this log generation
 * has reached (at least the base's size). So the base changes, between
 * checkpoints, only at positions no record of the log refers to yet, each
 * position at most once; below `hw` it is stable. A gap (offset > S) is
 * turned into explicit zeros, so every record starts inside the blob.
 *
 * Recovery replays the valid prefix of the log on the base's content: a
 * record torn or corrupt fails its checksum; an extent whose base bytes are
 * missing or torn fails its CRC; either ends the replay, and whatever lies
 * past the last good record (in the log, or in the base past the committed
 * size) is cut off. A truncation followed by appends is safe because
 * appends below `hw` go to the log, never over base bytes an earlier record
 * names; so every record in the prefix still finds its bytes.
 *
 * Checkpoint (when the log passes `checkpointBytes`, and at load after a crash):
 * sync base and log; append a barrier record and sync it (extents before it
 * are durable: their CRCs need no check, which matters because the next
 * steps overwrite and cut the base); apply each inline part to the base in
 * place, in order (redo is idempotent: a crash here replays the same records
 * over a partly updated base and reaches the same bytes, since every
 * position a record touched is rewritten by the replay); cut the base to the
 * size; sync; write the other header slot (a torn slot loses to the old
 * one); sync; empty the log (records at or below the header's version are
 * skipped anyway). No step copies the whole blob.
 *
 * Fsync policies (like Redis appendfsync). Under every one, a commit's
 * write(2)s are done when commit resolves, so a process crash (SIGKILL) keeps
 * it; and every crash, power loss included, leaves each blob at some
 * committed version (a prefix of its commits), never torn, because recovery
 * checks every byte it replays. They differ in what a power loss may lose:
 * `'always'`: nothing that resolved (each commit fdatasyncs what it wrote);
 * `'batch'`: the commits since the start of the last completed group sync,
 * which runs at most every `fsyncIntervalMs` and on close; `'none'`: any
 * commit since the last checkpoint (the OS flushes when it likes).
 * Creating, checkpointing and removing a blob sync under every policy.
 *
 * Labels. A labelled blob's label (docs/ifc.md) is written once, at create,
 * into its base file between the slots and the data (blob-format.ts), in
 * the same synced write as its first content; the header slots name it.
 * Load refuses a labelled blob whose label region fails its CRC (EIO) rather
 * than bring it back readable by all.
 * @module
 */
import { writeSync, writevSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { errors } from '../core/abi/errors.js';
import type { Lifecycle } from '../core/abi/flags.js';
import type { LabelView } from '../core/abi/labels.js';
import type { BlobChange, BlobStore, StoredBlob, StoredBlobMeta } from '../core/objects/store.js';
import {
  BARRIER,
  DATA_OFFSET,
  RECORD_HEADER,
  SLOT_SIZE,
  crcOf,
  dataOffset,
  decodeHeader,
  decodeLabel,
  encodeLabel,
  encodeRecord,
  encodeSlot,
  parseLog,
  type BaseHeader,
  type LogRecord,
} from './blob-format.js';

const BASE = '.blob';
const LOG = '.log';
const TMP = '.tmp';
const NAME = /^[0-9a-f]{64}$/;

/** When the file store flushes commits to the device (see the module comment for what each keeps after a power loss). */
export type FsyncPolicy = 'always' | 'batch' | 'none';

/** Options of a {@link FileBlobStore}. */
export interface FileBlobStoreOptions {
  /** `'always'` (default): a commit is on the device when it resolves. `'batch'`: group commit. `'none'`: the OS decides. */
  fsync?: FsyncPolicy;
  /** Under `'batch'`, the least time between two group syncs, in milliseconds (default 1000). */
  fsyncIntervalMs?: number;
  /** Log size that makes the next commit fold the log into the base first (default 8 MiB). It bounds replay time, not the blob. */
  checkpointBytes?: number;
}

const POLICIES: readonly FsyncPolicy[] = ['always', 'batch', 'none'];

interface Tracked {
  name: string;
  base: FileHandle | undefined;
  log: FileHandle | undefined;
  logBytes: number;
  version: number;
  size: number;
  /** Largest size reached since the last checkpoint: the base is written directly only at and above it. */
  hw: number;
  /** Header slot counter and version of the base. */
  gen: number;
  baseVersion: number;
  lifecycle: Lifecycle;
  group: string | undefined;
  /** Where the data starts in the base file. */
  data: number;
  /** The label region the header slots name (a labelled blob). */
  label: BaseHeader['label'];
  /** Written since the last group sync. */
  dirty: boolean;
  /** Set when an I/O error left the files in a state this process cannot continue from (a restart recovers). */
  broken: Error | undefined;
}

/** A {@link BlobStore} keeping each durable blob in files under `dir`. Commits to one blob must not overlap (the kernel queues them). */
export class FileBlobStore implements BlobStore {
  /** The directory holding the blobs. */
  readonly dir: string;
  /** The fsync policy. */
  readonly fsync: FsyncPolicy;
  /** Least milliseconds between two group syncs under `'batch'`. */
  readonly fsyncIntervalMs: number;
  /** Log size that triggers a checkpoint. */
  readonly checkpointBytes: number;
  readonly #blobs = new Map<string, Tracked>();
  #tmpCounter = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastSync = 0;
  #syncing: Promise<void> = Promise.resolve();

  /** Uses (and creates, if needed) the directory `dir`. */
  constructor(dir: string, options: FileBlobStoreOptions = {}) {
    if (typeof dir !== 'string' || dir.length === 0)
      throw errors.EINVAL('FileBlobStore', 'dir', 'a directory path is a non-empty string');
    if (typeof options !== 'object' || options === null)
      throw errors.EINVAL('FileBlobStore', 'options', 'an object or undefined');
    const fsync = options.fsync ?? 'always';
    if (!POLICIES.includes(fsync))
      throw errors.EINVAL('FileBlobStore', 'options.fsync', `one of ${POLICIES.join(', ')}, not ${String(fsync)}`);
    const interval = options.fsyncIntervalMs ?? 1000;
    if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 0) {
      throw errors.EINVAL(
        'FileBlobStore',
        'options.fsyncIntervalMs',
        `a finite number of milliseconds >= 0, not ${String(interval)}`,
      );
    }
    const checkpointBytes = options.checkpointBytes ?? 8 * 1024 * 1024;
    if (!Number.isSafeInteger(checkpointBytes) || checkpointBytes < 0) {
      throw errors.EINVAL(
        'FileBlobStore',
        'options.checkpointBytes',
        `a whole number of bytes >= 0, not ${String(checkpointBytes)}`,
      );
    }
    this.dir = dir;
    this.fsync = fsync;
    this.fsyncIntervalMs = interval;
    this.checkpointBytes = checkpointBytes;
  }

  async load(): Promise<StoredBlob[]> {
    await mkdir(this.dir, { recursive: true });
    const blobs: StoredBlob[] = [];
    for (const entry of await readdir(this.dir)) {
      // A temporary file is a base that never got renamed into place: the blob was never created.
      if (entry.endsWith(TMP)) {
        // Best effort: a temporary file left behind is skipped by every load, so failing to remove it loses nothing.
        await unlink(join(this.dir, entry)).catch(() => {});
        continue;
      }
      const name = entry.slice(0, -BASE.length);
      if (!entry.endsWith(BASE) || !NAME.test(name)) continue;
      const path = join(this.dir, entry);
      const file = await readFile(path);
      const header = decodeHeader(file);
      // Renamed into place only once written and synced, a base always has a valid slot.
      if (header === undefined) throw errors.EIO('FileBlobStore.load', 'dir', `${path}: no valid header`);
      let label: LabelView | undefined;
      try {
        label = decodeLabel(header, file);
      } catch (e) {
        throw errors.EIO('FileBlobStore.load', 'dir', `${path}: ${asError(e).message}`);
      }
      const logData = await readFile(this.#path(name, LOG)).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return Buffer.alloc(0);
        throw e;
      });
      const data = file.subarray(dataOffset(header));
      const r = replay(header, data, parseLog(logData));
      if (r.valid < logData.length) await truncate(this.#path(name, LOG), r.valid);
      const t: Tracked = {
        name,
        base: undefined,
        log: undefined,
        logBytes: r.valid,
        version: r.version,
        size: r.bytes.length,
        hw: Math.max(data.length, r.hw),
        gen: header.gen,
        baseVersion: header.version,
        lifecycle: header.lifecycle,
        group: header.group,
        data: dataOffset(header),
        label: header.label,
        dirty: false,
        broken: undefined,
      };
      this.#blobs.set(name, t);
      // Fold what the crash left into the base, so the blob starts clean (no log, nothing past its size).
      if (t.logBytes > 0 || data.length !== t.size) await this.#checkpoint(t);
      blobs.push({
        name,
        version: r.version,
        lifecycle: header.lifecycle,
        group: header.group,
        ...(label === undefined ? {} : { label }),
        bytes: r.bytes,
      });
    }
    return blobs;
  }

  async commit(meta: StoredBlobMeta, change: BlobChange, content: () => Uint8Array): Promise<void> {
    if (!NAME.test(meta.name)) throw errors.EINVAL('FileBlobStore.commit', 'meta.name', 'not a canonical name');
    const t = this.#blobs.get(meta.name);
    if (t === undefined) return this.#create(meta, content());
    if (t.broken !== undefined) throw t.broken;
    if (t.logBytes > 0 && t.logBytes >= this.checkpointBytes) await this.#checkpoint(t);

    let { offset, bytes } = change;
    const old = t.size;
    if (offset > old) {
      // A gap reads as zeros: write them, so every record starts inside the blob.
      const filled = new Uint8Array(offset - old + bytes.length);
      filled.set(bytes, offset - old);
      bytes = filled;
      offset = old;
    }
    // Beyond the old size and at the high-water mark: straight into the base (no base byte a record names is overwritten).
    const split = offset + bytes.length > old && old >= t.hw ? old - offset : bytes.length;
    const inline = bytes.subarray(0, split);
    const extent = bytes.subarray(split);
    const record = encodeRecord({
      flags: 0,
      version: meta.version,
      offset,
      size: change.size,
      inline,
      extentLength: extent.length,
      extentCrc: crcOf(extent),
    });
    const recordBytes = RECORD_HEADER + inline.length;
    const log = await this.#log(t);
    const base = extent.length > 0 ? await this.#base(t) : undefined;
    try {
      // write(2) on the event loop: into the page cache it takes microseconds, less than a thread-pool round trip.
      // The fdatasyncs, which take milliseconds, stay off it.
      writeNow(log, record, t.logBytes);
      if (base !== undefined) writeNow(base, [extent], t.data + old);
      if (this.fsync === 'always') await Promise.all([log.datasync(), base?.datasync()]);
    } catch (e) {
      // Take the record back, so later records do not follow a commit that failed.
      await log.truncate(t.logBytes).catch((err: unknown) => (t.broken = asError(err)));
      throw e;
    }
    t.logBytes += recordBytes;
    t.version = meta.version;
    t.size = change.size;
    t.hw = Math.max(t.hw, change.size);
    t.lifecycle = meta.lifecycle;
    t.group = meta.group;
    if (this.fsync === 'batch') {
      t.dirty = true;
      this.#scheduleSync();
    }
  }

  async remove(name: string): Promise<void> {
    if (!NAME.test(name)) throw errors.EINVAL('FileBlobStore.remove', 'name', 'not a canonical name');
    await this.#syncing;
    const t = this.#blobs.get(name);
    this.#blobs.delete(name);
    await t?.base?.close();
    await t?.log?.close();
    // The base goes first: a log without a base is ignored at load.
    for (const suffix of [BASE, LOG]) {
      try {
        await unlink(this.#path(name, suffix));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    await this.#syncDir();
  }

  /** Syncs what `'batch'` has not synced yet, then closes the open files (the store stays usable: they reopen on the next commit). */
  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.fsync === 'batch') await this.#syncNow();
    else await this.#syncing;
    for (const t of this.#blobs.values()) {
      const { base, log } = t;
      t.base = t.log = undefined;
      await base?.close();
      await log?.close();
    }
  }

  /** Makes every commit so far durable now, whatever the policy. */
  async flush(): Promise<void> {
    await this.#syncing;
    await Promise.all([...this.#blobs.values()].map((t) => Promise.all([t.base?.datasync(), t.log?.datasync()])));
  }

  // A new blob: its base written aside with the whole content (and label), synced, renamed into place; an empty log;
  // the directory synced.
  async #create(meta: StoredBlobMeta, bytes: Uint8Array): Promise<void> {
    const labelled = meta.label !== undefined && (meta.label.secrecy.length > 0 || meta.label.integrity.length > 0);
    const label = labelled ? encodeLabel(meta.label!) : undefined;
    const header: BaseHeader = {
      gen: 0,
      version: meta.version,
      size: bytes.length,
      lifecycle: meta.lifecycle,
      group: meta.group,
      ...(label === undefined ? {} : { data: label.data, label: label.region }),
    };
    const data = dataOffset(header);
    const parts: Uint8Array[] = [encodeSlot(header), new Uint8Array(DATA_OFFSET - SLOT_SIZE)];
    if (label !== undefined) parts.push(label.bytes, new Uint8Array(data - DATA_OFFSET - label.bytes.length));
    const tmp = join(this.dir, `.${meta.name}.${process.pid}.${++this.#tmpCounter}${TMP}`);
    const file = await open(tmp, 'w');
    try {
      await writeFully(file, [...parts, bytes], 0);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, this.#path(meta.name, BASE));
    const log = await open(this.#path(meta.name, LOG), 'w+');
    await log.sync();
    await this.#syncDir();
    this.#blobs.set(meta.name, {
      name: meta.name,
      base: undefined,
      log,
      logBytes: 0,
      version: meta.version,
      size: bytes.length,
      hw: bytes.length,
      gen: 0,
      baseVersion: meta.version,
      lifecycle: meta.lifecycle,
      group: meta.group,
      data,
      label: header.label,
      dirty: false,
      broken: undefined,
    });
  }

  // Folds the log into the base in place (the steps and why they are safe: the module comment).
  async #checkpoint(t: Tracked): Promise<void> {
    try {
      const base = await this.#base(t);
      const log = await this.#log(t);
      await Promise.all([base.datasync(), log.datasync()]);
      if (t.logBytes > 0) {
        const data = Buffer.alloc(t.logBytes);
        const { bytesRead } = await log.read(data, 0, t.logBytes, 0);
        const records = parseLog(data.subarray(0, bytesRead));
        const barrier = encodeRecord({
          flags: BARRIER,
          version: t.version,
          offset: 0,
          size: t.size,
          inline: new Uint8Array(0),
          extentLength: 0,
          extentCrc: 0,
        });
        await writeFully(log, barrier, t.logBytes);
        await log.datasync();
        for (const r of records) {
          if ((r.flags & BARRIER) === 0 && r.version > t.baseVersion && r.inline.length > 0)
            await writeFully(base, [r.inline], t.data + r.offset);
        }
      }
      await base.truncate(t.data + t.size);
      await base.datasync();
      const gen = t.gen + 1;
      await writeFully(
        base,
        [
          encodeSlot({
            gen,
            version: t.version,
            size: t.size,
            lifecycle: t.lifecycle,
            group: t.group,
            ...(t.label === undefined ? {} : { data: t.data, label: t.label }),
          }),
        ],
        (gen % 2) * SLOT_SIZE,
      );
      await base.datasync();
      await log.truncate(0);
      await log.datasync();
      t.gen = gen;
      t.baseVersion = t.version;
      t.logBytes = 0;
      t.hw = t.size;
    } catch (e) {
      // The files are recoverable (that is the point of the order above), but this process's view of them is not.
      t.broken = asError(e);
      throw e;
    }
  }

  async #base(t: Tracked): Promise<FileHandle> {
    return (t.base ??= await open(this.#path(t.name, BASE), 'r+'));
  }

  async #log(t: Tracked): Promise<FileHandle> {
    return (t.log ??= await open(this.#path(t.name, LOG), 'r+'));
  }

  // Group commit: at most one sync per interval, started by the first commit after the last one.
  #scheduleSync(): void {
    if (this.#timer !== undefined) return;
    const delay = Math.max(0, this.#lastSync + this.fsyncIntervalMs - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // Never rejects: a failed sync marks the blob broken, and its next commit fails with that error.
      void this.#syncNow();
    }, delay);
    // A pending sync does not keep the process alive; close() runs it.
    this.#timer.unref?.();
  }

  #syncNow(): Promise<void> {
    const run = this.#syncing.then(async () => {
      this.#lastSync = Date.now();
      for (const t of this.#blobs.values()) {
        if (!t.dirty) continue;
        // Cleared first: a commit during the sync marks the blob again for the next one.
        t.dirty = false;
        try {
          await Promise.all([t.base?.datasync(), t.log?.datasync()]);
        } catch (e) {
          t.broken = asError(e);
        }
      }
    });
    this.#syncing = run;
    return run;
  }

  #path(name: string, suffix: string): string {
    return join(this.dir, name + suffix);
  }

  // A rename, unlink or new file is durable only once the directory itself is synced.
  async #syncDir(): Promise<void> {
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}

/**
 * Replays the log's records on the base's bytes. Stops at the first record
 * out of sequence, or whose extent is missing or torn in the base (checked
 * unless a later barrier vouches for it). Returns the content, its version,
 * where the last good record ends, and the largest size reached.
 */
function replay(
  header: BaseHeader,
  data: Uint8Array,
  records: LogRecord[],
): { bytes: Uint8Array; version: number; valid: number; hw: number } {
  let lastBarrier = -1;
  records.forEach((r, i) => {
    if ((r.flags & BARRIER) !== 0) lastBarrier = i;
  });
  // One growing buffer: one copy per doubling, not one per record. The base may be shorter than its header says when a
  // checkpoint cut it and crashed before its new slot: the cut bytes were truncated away by a record the replay applies.
  let buf = new Uint8Array(header.size);
  buf.set(data.subarray(0, header.size));
  let size = header.size;
  let version = header.version;
  let valid = 0;
  let hw = size;
  for (const [i, r] of records.entries()) {
    if ((r.flags & BARRIER) !== 0 || (version === header.version && r.version <= header.version)) {
      // A barrier, or a record the base already holds (a checkpoint ended before it emptied the log).
      valid = r.end;
      continue;
    }
    const extentStart = r.offset + r.inline.length;
    const extentEnd = extentStart + r.extentLength;
    if (r.version !== version + 1 || r.offset > size || r.size > Math.max(size, extentEnd)) break;
    if (
      r.extentLength > 0 &&
      i > lastBarrier &&
      (extentEnd > data.length || crcOf(data.subarray(extentStart, extentEnd)) !== r.extentCrc)
    )
      break;
    const need = Math.max(r.size, extentEnd);
    if (need > buf.length) {
      const grown = new Uint8Array(Math.max(need, buf.length * 2));
      grown.set(buf.subarray(0, size));
      buf = grown;
    }
    buf.set(r.inline, r.offset);
    if (r.extentLength > 0) {
      // Before a barrier the base may have been cut since: what is missing was truncated away later.
      const have = data.subarray(extentStart, Math.min(extentEnd, data.length));
      buf.set(have, extentStart);
      buf.fill(0, extentStart + have.length, extentEnd);
    }
    size = r.size;
    version = r.version;
    valid = r.end;
    hw = Math.max(hw, size);
  }
  return { bytes: buf.length === size ? buf : buf.slice(0, size), version, valid, hw };
}

// writeFully, synchronously.
function writeNow(file: FileHandle, parts: Uint8Array[], position: number): void {
  const total = parts.reduce((n, p) => n + p.length, 0);
  let written = writevSync(file.fd, parts, position);
  if (written === total) return;
  const all = Buffer.concat(parts);
  while (written < total) written += writeSync(file.fd, all, written, total - written, position + written);
}

// Writes every byte of `parts` at `position` (a write may be short).
async function writeFully(file: FileHandle, parts: Uint8Array[], position: number): Promise<void> {
  const total = parts.reduce((n, p) => n + p.length, 0);
  let { bytesWritten } = await file.writev(parts, position);
  if (bytesWritten === total) return;
  const all = Buffer.concat(parts);
  while (bytesWritten < total)
    bytesWritten += (await file.write(all, bytesWritten, total - bytesWritten, position + bytesWritten)).bytesWritten;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
