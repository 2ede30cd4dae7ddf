/**
 * A durable store in a directory of the host. Each blob has a snapshot file
 * (its whole content at some version) and a log of the changes committed
 * since. A commit appends one checksummed record to the log and fsyncs it;
 * now and then the store writes a new snapshot aside, fsyncs it, renames it
 * into place, fsyncs the directory and empties the log. A crash at any
 * moment leaves each blob at its last committed version: a torn log record
 * fails its checksum and is dropped at the next load.
 * @module
 */
import { mkdir, open, readdir, readFile, rename, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { errors } from '../core/errors.js';
import type { BlobChange, BlobStore, StoredBlob, StoredBlobMeta } from '../core/store.js';

const MAGIC = 'DIOSBLOB';
const SNAPSHOT = '.blob';
const LOG = '.log';
const TMP = '.tmp';
const NAME = /^[0-9a-f]{64}$/;
// Log record: magic, version, offset, size, length, crc32 (of the header before it and the bytes), then the bytes.
const RECORD_MAGIC = 0x44494f53;
const RECORD_HEADER = 4 + 8 + 8 + 8 + 4 + 4;
// The log is folded into a new snapshot once it outgrows the snapshot (and this floor).
const MIN_LOG_BEFORE_SNAPSHOT = 8 * 1024 * 1024;

interface Tracked {
  log: FileHandle | undefined;
  logBytes: number;
  snapshotBytes: number;
}

/** A {@link BlobStore} keeping each durable blob in files under `dir`. */
export class FileBlobStore implements BlobStore {
  /** The directory holding the blobs. */
  readonly dir: string;
  readonly #blobs = new Map<string, Tracked>();
  #tmpCounter = 0;

  /** Uses (and creates, if needed) the directory `dir`. */
  constructor(dir: string) {
    if (typeof dir !== 'string' || dir.length === 0) throw errors.EINVAL('FileBlobStore', 'dir', 'a directory path is a non-empty string');
    this.dir = dir;
  }

  async load(): Promise<StoredBlob[]> {
    await mkdir(this.dir, { recursive: true });
    const blobs: StoredBlob[] = [];
    for (const entry of await readdir(this.dir)) {
      // A temporary file is a snapshot that never got renamed into place: the old one still holds.
      if (entry.endsWith(TMP)) {
        await unlink(join(this.dir, entry)).catch(() => {});
        continue;
      }
      const name = entry.slice(0, -SNAPSHOT.length);
      if (!entry.endsWith(SNAPSHOT) || !NAME.test(name)) continue;
      const path = join(this.dir, entry);
      const blob = decodeSnapshot(name, await readFile(path), path);
      const snapshotBytes = blob.bytes.length;
      const logBytes = await this.#replay(blob);
      this.#blobs.set(name, { log: undefined, logBytes, snapshotBytes });
      blobs.push(blob);
    }
    return blobs;
  }

  async commit(meta: StoredBlobMeta, change: BlobChange, content: () => Uint8Array): Promise<void> {
    if (!NAME.test(meta.name)) throw errors.EINVAL('FileBlobStore.commit', 'meta.name', 'not a canonical name');
    const tracked = this.#blobs.get(meta.name);
    if (tracked === undefined || tracked.logBytes + change.bytes.length > Math.max(MIN_LOG_BEFORE_SNAPSHOT, tracked.snapshotBytes)) {
      await this.#snapshot(meta, content(), tracked);
      return;
    }
    const record = encodeRecord(meta.version, change);
    tracked.log ??= await open(this.#path(meta.name, LOG), 'a');
    await tracked.log.writev(record);
    await tracked.log.datasync();
    tracked.logBytes += RECORD_HEADER + change.bytes.length;
  }

  async remove(name: string): Promise<void> {
    if (!NAME.test(name)) throw errors.EINVAL('FileBlobStore.remove', 'name', 'not a canonical name');
    const tracked = this.#blobs.get(name);
    this.#blobs.delete(name);
    await tracked?.log?.close();
    // The snapshot goes first: a log without a snapshot is ignored at load.
    for (const suffix of [SNAPSHOT, LOG]) {
      try {
        await unlink(this.#path(name, suffix));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    await this.#syncDir();
  }

  /** Closes the open log files (the store stays usable: they reopen on the next commit). */
  async close(): Promise<void> {
    for (const tracked of this.#blobs.values()) {
      const log = tracked.log;
      tracked.log = undefined;
      await log?.close();
    }
  }

  // Writes the whole blob aside, fsyncs, renames it over the snapshot, fsyncs the directory, then empties the log.
  async #snapshot(meta: StoredBlobMeta, bytes: Uint8Array, tracked: Tracked | undefined): Promise<void> {
    const tmp = join(this.dir, `.${meta.name}.${process.pid}.${++this.#tmpCounter}${TMP}`);
    const file = await open(tmp, 'w');
    try {
      await file.writev([encodeSnapshotHeader(meta, bytes.length), bytes]);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, this.#path(meta.name, SNAPSHOT));
    // Records up to this version are in the snapshot now; a crash before the log is emptied only leaves records the
    // load skips. The (empty) log is created here, so the directory sync below makes its entry durable too.
    await tracked?.log?.close();
    const log = await open(this.#path(meta.name, LOG), 'w');
    await log.sync();
    await this.#syncDir();
    this.#blobs.set(meta.name, { log, logBytes: 0, snapshotBytes: bytes.length });
  }

  // Applies the log's valid records after the snapshot's version; cuts the log after the last good one.
  async #replay(blob: StoredBlob): Promise<number> {
    const path = this.#path(blob.name, LOG);
    let data: Buffer;
    try {
      data = await readFile(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw e;
    }
    let at = 0;
    // Changes are applied in one growing buffer: one copy per doubling, not one per record.
    let buf = blob.bytes;
    let size = blob.bytes.length;
    while (at + RECORD_HEADER <= data.length) {
      const record = decodeRecord(data, at);
      if (record === undefined) break;
      if (record.version === blob.version + 1) {
        if (record.size > buf.length) {
          const grown = new Uint8Array(Math.max(record.size, buf.length * 2));
          grown.set(buf.subarray(0, size));
          buf = grown;
        }
        if (record.size > size) buf.fill(0, size, record.size);
        buf.set(record.bytes.subarray(0, Math.max(0, Math.min(record.bytes.length, record.size - record.offset))), record.offset);
        size = record.size;
        blob.version = record.version;
      } else if (record.version > blob.version + 1) break;
      at += RECORD_HEADER + record.bytes.length;
    }
    blob.bytes = buf.length === size ? buf : buf.slice(0, size);
    if (at < data.length) await truncate(path, at);
    return at;
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

// Snapshot layout: "DIOSBLOB", u32 header length, header JSON (UTF-8), then the bytes.
function encodeSnapshotHeader(meta: StoredBlobMeta, length: number): Uint8Array {
  const json = Buffer.from(JSON.stringify({ version: meta.version, lifecycle: meta.lifecycle, group: meta.group ?? null, length }));
  const head = Buffer.alloc(MAGIC.length + 4);
  head.write(MAGIC, 0, 'ascii');
  head.writeUInt32BE(json.length, MAGIC.length);
  return Buffer.concat([head, json]);
}

function decodeSnapshot(name: string, data: Buffer, path: string): StoredBlob {
  const bad = (why: string) => errors.EIO('FileBlobStore.load', 'dir', `${path}: ${why}`);
  if (data.length < MAGIC.length + 4 || data.toString('ascii', 0, MAGIC.length) !== MAGIC) throw bad('not a blob file');
  const headerLength = data.readUInt32BE(MAGIC.length);
  const start = MAGIC.length + 4 + headerLength;
  if (start > data.length) throw bad('truncated header');
  const header = JSON.parse(data.toString('utf8', MAGIC.length + 4, start)) as {
    version: number;
    lifecycle: StoredBlob['lifecycle'];
    group: string | null;
    length: number;
  };
  if (data.length - start !== header.length) throw bad(`holds ${data.length - start} bytes, its header says ${header.length}`);
  const bytes = new Uint8Array(header.length);
  bytes.set(data.subarray(start));
  return { name, version: header.version, lifecycle: header.lifecycle, group: header.group ?? undefined, bytes };
}

function encodeRecord(version: number, change: BlobChange): Uint8Array[] {
  const head = Buffer.alloc(RECORD_HEADER);
  head.writeUInt32BE(RECORD_MAGIC, 0);
  head.writeDoubleBE(version, 4);
  head.writeDoubleBE(change.offset, 12);
  head.writeDoubleBE(change.size, 20);
  head.writeUInt32BE(change.bytes.length, 28);
  head.writeUInt32BE(checksum(head.subarray(0, 32), change.bytes), 32);
  return [head, change.bytes];
}

function decodeRecord(data: Buffer, at: number): (BlobChange & { version: number }) | undefined {
  if (data.readUInt32BE(at) !== RECORD_MAGIC) return undefined;
  const length = data.readUInt32BE(at + 28);
  const end = at + RECORD_HEADER + length;
  if (end > data.length) return undefined;
  const bytes = data.subarray(at + RECORD_HEADER, end);
  if (checksum(data.subarray(at, at + 32), bytes) !== data.readUInt32BE(at + 32)) return undefined;
  return { version: data.readDoubleBE(at + 4), offset: data.readDoubleBE(at + 12), size: data.readDoubleBE(at + 20), bytes };
}

// CRC-32 of a record's header and bytes. Empty bytes are skipped: Node 20's zlib.crc32 answers 0 for an empty
// view of an empty buffer when given a starting value.
function checksum(header: Uint8Array, bytes: Uint8Array): number {
  const head = crc32(header);
  return bytes.length === 0 ? head : crc32(bytes, head);
}
