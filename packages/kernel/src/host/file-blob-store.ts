/**
 * A durable store in a directory of the host: one file per blob. A commit
 * writes a temporary file, fsyncs it, renames it over the blob's file and
 * fsyncs the directory, so a crash at any moment leaves each blob either at
 * its previous or at its new version, never torn.
 * @module
 */
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errors } from '../core/errors.js';
import type { BlobStore, StoredBlob, StoredBlobMeta } from '../core/store.js';

const MAGIC = 'DIOSBLOB';
const SUFFIX = '.blob';
const TMP_SUFFIX = '.tmp';
const NAME = /^[0-9a-f]{64}$/;

/** A {@link BlobStore} keeping each durable blob in a file under `dir`. */
export class FileBlobStore implements BlobStore {
  /** The directory holding the blobs. */
  readonly dir: string;
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
      const path = join(this.dir, entry);
      // A temporary file is a commit that never completed: its blob is still at the previous version.
      if (entry.endsWith(TMP_SUFFIX)) {
        await unlink(path).catch(() => {});
        continue;
      }
      if (!entry.endsWith(SUFFIX) || !NAME.test(entry.slice(0, -SUFFIX.length))) continue;
      blobs.push(decode(entry.slice(0, -SUFFIX.length), await readFile(path), path));
    }
    return blobs;
  }

  async commit(meta: StoredBlobMeta, bytes: Uint8Array): Promise<void> {
    if (!NAME.test(meta.name)) throw errors.EINVAL('FileBlobStore.commit', 'meta.name', 'not a canonical name');
    const tmp = join(this.dir, `.${meta.name}.${process.pid}.${++this.#tmpCounter}${TMP_SUFFIX}`);
    const file = await open(tmp, 'w');
    try {
      await file.writev([encodeHeader(meta, bytes.length), bytes]);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, join(this.dir, meta.name + SUFFIX));
    await this.#syncDir();
  }

  async remove(name: string): Promise<void> {
    if (!NAME.test(name)) throw errors.EINVAL('FileBlobStore.remove', 'name', 'not a canonical name');
    try {
      await unlink(join(this.dir, name + SUFFIX));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    await this.#syncDir();
  }

  // A rename or unlink is durable only once the directory itself is synced.
  async #syncDir(): Promise<void> {
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}

// File layout: "DIOSBLOB", u32 header length, header JSON (UTF-8), then the bytes.
function encodeHeader(meta: StoredBlobMeta, length: number): Uint8Array {
  const json = Buffer.from(JSON.stringify({ version: meta.version, lifecycle: meta.lifecycle, group: meta.group ?? null, length }));
  const head = Buffer.alloc(MAGIC.length + 4);
  head.write(MAGIC, 0, 'ascii');
  head.writeUInt32BE(json.length, MAGIC.length);
  return Buffer.concat([head, json]);
}

function decode(name: string, data: Buffer, path: string): StoredBlob {
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
