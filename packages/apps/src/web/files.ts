/**
 * File resolution for one connection: a path under the served root names
 * the blob seeded from it in the task's first group (the kernel's pathName
 * rule, as libd's fopen resolves paths), so files imported from the host
 * and blobs written live by other tasks are served alike. Handles stay
 * open while the connection lives (a keep-alive client asking for the same
 * file again costs no lookup); a handle whose object was destroyed is
 * dropped and the path looked up again.
 * @module
 */
import {
  DeleteFlags,
  EndReadFlags,
  isDiosError,
  ObjectType,
  pathName,
  type Name,
  type SystemCalls,
} from '@dios/kernel';
import { deleteQuietly } from '@dios/libd';

/**
 * Path (under the served root) of the index: one relative path per line
 * (as importDirectory writes it), optionally followed by a tab, the size in
 * bytes, a tab and the modification time in ms since the epoch (as
 * mirrorDirectory writes it).
 */
export const INDEX_FILE = '.dios-index';

/** One line of the index. */
export interface IndexEntry {
  /** Path relative to the root, `/`-separated. */
  readonly path: string;
  /** Bytes, when the index says. */
  readonly size: number | undefined;
  /** Modification time (ms since the epoch), when the index says. */
  readonly mtimeMs: number | undefined;
}

/** The entries of an index's text (see {@link INDEX_FILE}); malformed figures are left out, not guessed. */
export function parseIndex(text: string): IndexEntry[] {
  const out: IndexEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const [path, size, mtime] = line.split('\t');
    const number = (v: string | undefined): number | undefined =>
      v !== undefined && /^\d{1,15}$/.test(v) ? Number(v) : undefined;
    out.push({ path: path!, size: number(size), mtimeMs: number(mtime) });
  }
  return out;
}

/** Most handles a connection keeps open. */
export const MAX_OPEN_FILES = 64;

const BLOB_TYPES = new Set<string>([ObjectType.SHARED_MEMORY_BLOB, ObjectType.DURABLE_BLOB]);

// pathName is a pure function (SHA-256 of group and path): remembered across connections.
const names = new Map<string, Promise<Name>>();
const MAX_NAMES = 4096;

function nameOf(group: Name, path: string): Promise<Name> {
  const key = `${group.key}\u0000${path}`;
  let name = names.get(key);
  if (name === undefined) {
    if (names.size >= MAX_NAMES) names.clear();
    name = pathName(group, path);
    names.set(key, name);
  }
  return name;
}

function isOpen(sys: SystemCalls, ref: number): boolean {
  try {
    return sys.ref(ref).open;
  } catch {
    // EBADF: the handle itself is gone.
    return false;
  }
}

/** An open blob: its handle and its name (for the ETag). */
export interface OpenFile {
  /** Handle of the task's reference. */
  readonly ref: number;
  /** The blob's name, 64 hex digits. */
  readonly name: string;
}

/** The blobs of one connection task (see the module comment). */
export class FileTable {
  readonly #sys: SystemCalls;
  readonly #root: string;
  readonly #open = new Map<string, OpenFile>();
  #index: { version: number; entries: readonly IndexEntry[] } | undefined;
  #paths: { entries: readonly IndexEntry[]; byName: ReadonlyMap<string, string> } | undefined;

  /** Files of `sys`'s first group under DIOS path `root`. */
  constructor(sys: SystemCalls, root: string) {
    this.#sys = sys;
    this.#root = root === '/' ? '' : root;
  }

  /** The DIOS path of `segments` under the root. */
  pathOf(segments: readonly string[]): string {
    return segments.length === 0 ? this.#root || '/' : `${this.#root}/${segments.join('/')}`;
  }

  /** The blob at `segments` under the root, or undefined when nothing (or something that is not a blob) is there. */
  open(segments: readonly string[]): Promise<OpenFile | undefined> {
    return this.openPath(this.pathOf(segments));
  }

  /** The blob at DIOS path `path` if this connection holds it open already (no call made); else undefined. */
  held(path: string): OpenFile | undefined {
    const held = this.#open.get(path);
    return held !== undefined && isOpen(this.#sys, held.ref) ? held : undefined;
  }

  /** The blob at DIOS path `path` (see {@link FileTable.open}); EPERM when the task's label may not read it. */
  async openPath(path: string): Promise<OpenFile | undefined> {
    const held = this.#open.get(path);
    if (held !== undefined) {
      if (isOpen(this.#sys, held.ref)) return held;
      this.#open.delete(path);
      await deleteQuietly(this.#sys, held.ref, DeleteFlags.DROP);
    }
    const group = this.#sys.groupNames[0];
    if (group === undefined) return undefined;
    const name = await nameOf(group, path);
    let found: number[];
    try {
      found = await this.#sys.lookup(name);
    } catch (e) {
      if (isDiosError(e, 'ENOENT')) return undefined;
      throw e;
    }
    // Several copies may answer; the first (local ones come first) is used, as libd does.
    for (const extra of found.slice(1)) await this.#sys.delete(extra, DeleteFlags.DROP);
    const ref = found[0]!;
    if (!BLOB_TYPES.has(this.#sys.ref(ref).type)) {
      // A stream or a task at that path: not a file (reading a stream would wait for ever).
      await this.#sys.delete(ref, DeleteFlags.DROP);
      return undefined;
    }
    // A blob whose label this task may not read (docs/ifc.md) is refused once, here, before any byte of a response
    // (EPERM: the request handler answers 403). A zero-length read with RELEASE consumes and reveals nothing.
    try {
      const probe = await this.#sys.beginRead(ref, { length: 0 });
      await this.#sys.endRead(ref, probe, EndReadFlags.RELEASE);
    } catch (e) {
      await this.#sys.delete(ref, DeleteFlags.DROP);
      throw e;
    }
    if (this.#open.size >= MAX_OPEN_FILES) {
      const [oldPath, old] = this.#open.entries().next().value as [string, OpenFile];
      this.#open.delete(oldPath);
      await deleteQuietly(this.#sys, old.ref, DeleteFlags.DROP);
    }
    const file = { ref, name: name.key };
    this.#open.set(path, file);
    return file;
  }

  /** Reads a whole (small) blob: a consistent copy of its bytes. */
  async readAll(file: OpenFile): Promise<Uint8Array> {
    for (;;) {
      const view = await this.#sys.beginRead(file.ref);
      const bytes = view.slice();
      if (await this.#sys.endRead(file.ref, view)) return bytes;
    }
  }

  /** The entries of the root's index (empty when there is no index), re-read when it changes. */
  async indexEntries(): Promise<readonly IndexEntry[]> {
    const file = await this.open([INDEX_FILE]);
    if (file === undefined) return [];
    const version = this.#sys.ref(file.ref).version;
    if (this.#index?.version !== version) {
      const text = new TextDecoder().decode(await this.readAll(file));
      this.#index = { version, entries: parseIndex(text) };
    }
    return this.#index.entries;
  }

  /**
   * The DIOS path of each file the root's index lists (and of the index
   * itself, and of `extra` paths), by the first 12 hex digits of the name
   * (what the kernel status shows): names are derived from paths, so this
   * is the index's entries hashed, worked out again only when the index
   * changes. For people reading the status page.
   */
  async pathsByName(extra: readonly string[] = []): Promise<ReadonlyMap<string, string>> {
    const entries = await this.indexEntries();
    if (this.#paths?.entries === entries) return this.#paths.byName;
    const group = this.#sys.groupNames[0];
    const byName = new Map<string, string>();
    if (group !== undefined) {
      const paths = [...extra, this.pathOf([INDEX_FILE]), ...entries.map((e) => this.pathOf(e.path.split('/')))];
      for (const path of paths) byName.set((await nameOf(group, path)).key.slice(0, 12), path);
    }
    this.#paths = { entries, byName };
    return byName;
  }

  /** Drops every handle. */
  async close(): Promise<void> {
    for (const file of this.#open.values()) await deleteQuietly(this.#sys, file.ref, DeleteFlags.DROP);
    this.#open.clear();
  }
}
