/**
 * A live mirror of a host directory in blobs. A host task writes each host
 * file into the shared-memory blob at the same path under a DIOS directory
 * (the `pathName` rule libd's fopen uses), then follows the tree: a
 * watcher on each directory (fs.watch, one inotify watch per directory,
 * where Node 20's recursive mode would take one per file and walk the tree
 * synchronously) says something changed, a periodic rescan catches what
 * the watchers missed, and each pass compares size and modification time
 * with what was mirrored. A changed file is replaced in one begin/end_write (a
 * reader sees the old bytes or the new, never half); a deleted one is
 * destroyed (its blob is single-delete, so readers' handles close); a
 * rename is a delete and a create. The directory's index
 * (`.dios-index`: relative path, size and modification time per line) is
 * rewritten after each pass that changed something.
 *
 * Shared-memory blobs, not durable ones: the host directory is the durable
 * copy, so nothing is fsync'd and start is quick. Files above a size cap
 * are left out with a warning (the blobs live in memory). Symbolic links
 * are served only when they resolve to a regular file inside the
 * directory: a link to /etc/passwd is not, and links to directories are
 * not followed (no loops).
 * @module
 */
import { watch, type FSWatcher } from 'node:fs';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { isDiosError } from '../core/abi/errors.js';
import { CreateFlags, DeleteFlags, ObjectType } from '../core/abi/flags.js';
import { normalizePath, pathName, pathSeed } from '../core/abi/paths.js';
import type { SystemCalls } from '../core/abi/system-calls.js';
import { DIRECTORY_INDEX } from './import-export.js';

/** Settings of {@link mirrorDirectory}. */
export interface MirrorOptions {
  /** Largest file mirrored, in bytes (default 64 MiB); bigger ones are skipped with a warning. */
  readonly maxFileBytes?: number;
  /**
   * Least milliseconds between safety-net rescans (default 2000; 0: none,
   * only the watchers). A big tree is rescanned less often: at least 20
   * times as long as a pass takes, so rescans cost at most about 5% of a core.
   */
  readonly rescanMs?: number;
  /**
   * Whether files and directories whose names start with `.` are mirrored
   * (default false, as static servers do: a served checkout must not hand
   * out `.git/` or `.env`); `.well-known/` is mirrored either way.
   */
  readonly dotfiles?: boolean;
  /** Told about files left out (too big, unreadable, a link leading outside, a name with a newline). */
  readonly onWarning?: (message: string) => void;
}

/** What a mirror holds now. */
export interface MirrorEntry {
  /** Path relative to the mirrored directory, `/`-separated. */
  readonly path: string;
  /** Bytes. */
  readonly size: number;
  /** Modification time of the host file, ms since the epoch. */
  readonly mtimeMs: number;
}

/** A running mirror (see the module comment). */
export interface DirectoryMirror {
  /** Resolves once the first pass has mirrored every file (rejects if the directory cannot be read). */
  readonly ready: Promise<void>;
  /** The files mirrored now, sorted by path. */
  entries(): MirrorEntry[];
  /** Runs a pass now (as the watcher would) and resolves when it is done. */
  sync(): Promise<void>;
  /** Stops watching and destroys the mirrored blobs and the index. */
  close(): Promise<void>;
}

/** The default size cap of a mirrored file: 64 MiB. */
export const MIRROR_MAX_FILE_BYTES = 64 * 1024 * 1024;

// RFC 8615's directory of site metadata (ACME challenges, security.txt): served though its name starts with a dot.
const WELL_KNOWN = '.well-known';

// Whether a path relative to the directory names a dot file or passes through a dot directory (.well-known/ excepted).
function isHidden(rel: string): boolean {
  const parts = rel.split(sep);
  return parts.some((part, i) => part.startsWith('.') && !(part === WELL_KNOWN && i < parts.length - 1));
}

interface Held {
  readonly ref: number;
  readonly size: number;
  readonly mtimeMs: number;
  // Read while it was being written (the bytes read differ from the size stat'd): read again next pass.
  readonly stale: boolean;
}

interface Found {
  readonly full: string;
  readonly size: number;
  readonly mtimeMs: number;
}

// Walks `dir`, adding the regular files (and links to regular files inside `root`) to `out` by relative path,
// and the directories to `dirs`.
async function walk(
  root: string,
  realRoot: string,
  dir: string,
  out: Map<string, Found>,
  dirs: Set<string>,
  warn: (m: string) => void,
  dotfiles: boolean,
): Promise<void> {
  dirs.add(dir);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    // Removed between the parent's listing and now: the next pass sees it gone.
    return;
  }
  for (const entry of entries) {
    if (!dotfiles && entry.name.startsWith('.') && !(entry.name === WELL_KNOWN && entry.isDirectory())) continue;
    const full = join(dir, entry.name);
    const rel = relative(root, full).split(sep).join('/');
    if (entry.isDirectory()) {
      await walk(root, realRoot, full, out, dirs, warn, dotfiles);
      continue;
    }
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    if (rel === DIRECTORY_INDEX) {
      warn(`not served: ${rel} (the mirror's index has that path)`);
      continue;
    }
    if (rel.includes('\n') || rel.includes('\t')) {
      warn(`not served: ${JSON.stringify(rel)} (a newline or tab in the name)`);
      continue;
    }
    try {
      if (entry.isSymbolicLink()) {
        const target = await realpath(full);
        const inside = relative(realRoot, target);
        const info = await stat(target);
        if (inside.startsWith('..') || inside === '' || !info.isFile()) {
          warn(`not served: ${rel} (a link to ${info.isFile() ? 'a file outside the directory' : 'a non-file'})`);
          continue;
        }
        // A link is no way around the dot-file rule (env.txt -> .env).
        if (!dotfiles && isHidden(inside)) {
          warn(`not served: ${rel} (a link to a dot file)`);
          continue;
        }
        out.set(rel, { full: target, size: info.size, mtimeMs: info.mtimeMs });
      } else {
        const info = await lstat(full);
        out.set(rel, { full, size: info.size, mtimeMs: info.mtimeMs });
      }
    } catch {
      // Gone meanwhile, or a dangling link.
    }
  }
}

async function openBlob(sys: SystemCalls, path: string): Promise<number> {
  try {
    const created = await sys.create(
      ObjectType.SHARED_MEMORY_BLOB,
      { nameSeed: pathSeed(path), lifecycle: 'single-delete' },
      CreateFlags.NAME_DETERMINISTIC,
    );
    return created.ref;
  } catch (e) {
    if (!isDiosError(e, 'EEXIST')) throw e;
  }
  const [ref, ...extra] = await sys.lookup(await pathName(sys.groupNames[0]!, path));
  for (const r of extra) await sys.delete(r, DeleteFlags.DROP);
  return ref!;
}

async function replace(sys: SystemCalls, ref: number, bytes: Uint8Array): Promise<void> {
  const buf = await sys.beginWrite(ref, bytes.length, { truncate: true });
  buf.set(bytes);
  await sys.endWrite(ref, buf);
}

/**
 * Mirrors host directory `hostDir` into blobs under DIOS path `diosRoot`
 * of `sys`'s first group, and keeps them current until closed (see the
 * module comment). `sys` is a host task's system calls, such as
 * `kernel.init`.
 */
export function mirrorDirectory(
  sys: SystemCalls,
  hostDir: string,
  diosRoot: string,
  options: MirrorOptions = {},
): DirectoryMirror {
  const base = normalizePath(diosRoot, 'mirrorDirectory', 'diosRoot');
  const prefix = base === '/' ? '' : base;
  const maxBytes = options.maxFileBytes ?? MIRROR_MAX_FILE_BYTES;
  const rescanMs = options.rescanMs ?? 2000;
  // Each warning once per path and reason, not on every pass.
  const warned = new Set<string>();
  const warn = (message: string): void => {
    if (warned.has(message)) return;
    warned.add(message);
    options.onWarning?.(message);
  };
  const held = new Map<string, Held>();
  let index: number | undefined;
  let closed = false;
  let running: Promise<void> | undefined;
  let again = false;
  let lastPassMs = 0;

  async function pass(): Promise<void> {
    const realRoot = await realpath(hostDir);
    const found = new Map<string, Found>();
    const dirs = new Set<string>();
    await walk(hostDir, realRoot, hostDir, found, dirs, warn, options.dotfiles ?? false);
    watchDirectories(dirs);
    let changed = false;
    for (const [rel, old] of held) {
      if (found.has(rel)) continue;
      held.delete(rel);
      // Destroys the single-delete blob: connection tasks holding it see it closed and look the path up again.
      await sys.delete(old.ref);
      changed = true;
    }
    for (const [rel, file] of found) {
      if (closed) return;
      const old = held.get(rel);
      if (old !== undefined && !old.stale && old.size === file.size && old.mtimeMs === file.mtimeMs) continue;
      if (file.size > maxBytes) {
        warn(`not served: ${rel} (${file.size} bytes, above the ${maxBytes}-byte cap)`);
        if (old !== undefined) {
          held.delete(rel);
          await sys.delete(old.ref);
          changed = true;
        }
        continue;
      }
      let bytes: Uint8Array;
      try {
        bytes = await readFile(file.full);
      } catch (e) {
        warn(`not served: ${rel} (${(e as { code?: string }).code ?? 'EIO'})`);
        continue;
      }
      const ref = old?.ref ?? (await openBlob(sys, `${prefix}/${rel}`));
      await replace(sys, ref, bytes);
      held.set(rel, { ref, size: bytes.length, mtimeMs: file.mtimeMs, stale: bytes.length !== file.size });
      changed = true;
    }
    if (changed || index === undefined) {
      index ??= await openBlob(sys, `${prefix}/${DIRECTORY_INDEX}`);
      const lines = [...held.keys()]
        .sort()
        .map((rel) => `${rel}\t${held.get(rel)!.size}\t${Math.round(held.get(rel)!.mtimeMs)}\n`);
      await replace(sys, index, new TextEncoder().encode(lines.join('')));
    }
  }

  // One pass at a time; a request during a pass runs one more after it.
  function sync(): Promise<void> {
    if (closed) return Promise.resolve();
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          const start = performance.now();
          await pass();
          lastPassMs = performance.now() - start;
        } while (again && !closed);
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  const watchers = new Map<string, FSWatcher>();
  let watching = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let debounce: ReturnType<typeof setTimeout> | undefined;
  const soon = (): void => {
    // Bursts of events (an editor's save, an unpacked archive) become one pass.
    if (debounce !== undefined || closed) return;
    debounce = setTimeout(() => {
      debounce = undefined;
      sync().catch(failed);
    }, 25);
  };
  const stopWatching = (e: unknown): void => {
    // Out of inotify watches (ENOSPC), or anything else: the rescans carry on alone.
    watching = false;
    for (const w of watchers.values()) w.close();
    watchers.clear();
    warn(`watching stopped (${(e as { code?: string }).code ?? 'EIO'}): changes are seen by the rescan only`);
  };
  // Each directory of the tree watched, no other: new ones added, removed ones dropped, after every pass.
  function watchDirectories(dirs: ReadonlySet<string>): void {
    for (const [dir, w] of watchers) {
      if (dirs.has(dir)) continue;
      w.close();
      watchers.delete(dir);
    }
    for (const dir of dirs) {
      if (!watching || closed || watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, soon);
        w.on('error', () => {
          // The directory went (the next pass drops it) or the watch broke: a pass looks.
          w.close();
          watchers.delete(dir);
          soon();
        });
        watchers.set(dir, w);
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT') continue;
        stopWatching(e);
      }
    }
  }
  const failed = (e: unknown): void => warn(`mirror pass failed: ${e instanceof Error ? e.message : String(e)}`);
  const rescanLater = (): void => {
    if (closed) return;
    timer = setTimeout(() => void sync().catch(failed).finally(rescanLater), Math.max(rescanMs, 20 * lastPassMs));
    timer.unref();
  };
  const ready = sync().then(() => {
    if (rescanMs > 0) rescanLater();
  });

  return {
    ready,
    entries: () =>
      [...held]
        .map(([path, h]) => ({ path, size: h.size, mtimeMs: h.mtimeMs }))
        .sort((a, b) => (a.path < b.path ? -1 : 1)),
    sync,
    async close(): Promise<void> {
      closed = true;
      for (const w of watchers.values()) w.close();
      watchers.clear();
      if (timer !== undefined) clearTimeout(timer);
      if (debounce !== undefined) clearTimeout(debounce);
      // A failed first pass was the caller's to hear (ready rejected); a failed later one was warned of.
      await Promise.allSettled([ready, running]);
      for (const h of held.values()) await sys.delete(h.ref);
      held.clear();
      if (index !== undefined) await sys.delete(index);
    },
  };
}
