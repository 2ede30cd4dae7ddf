/**
 * The host files a FILE argument stands for: a file is itself; a directory
 * is every regular file under it, in a sorted walk (each directory's
 * names in code-unit order, a subdirectory walked where its name falls),
 * so a run counts the same files in the same order on every host. Symbolic
 * links inside the walk are followed, but a directory already walked for
 * this argument is not entered again, so a link that loops back ends
 * there. Anything else met in the walk (sockets, FIFOs, devices, dangling
 * links) is skipped, as `wc $(find -type f)` would.
 * @module
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A host file to count and its size when listed. */
export interface HostFile {
  /** Its path: the argument itself, or the argument joined with the names walked. */
  readonly path: string;
  /** Its size in bytes when it was listed (for progress: it may change before it is read). */
  readonly size: number;
}

/**
 * The files `path` stands for (see the module comment). Node's errors as
 * they are (their `path` is the file or directory at fault: ENOENT for the
 * argument, EACCES for a directory that cannot be listed).
 */
export async function hostFiles(path: string): Promise<HostFile[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [{ path, size: info.size }];
  const found: HostFile[] = [];
  await walk(path, new Set([`${info.dev}:${info.ino}`]), found);
  return found;
}

async function walk(dir: string, seen: Set<string>, found: HostFile[]): Promise<void> {
  const names = (await readdir(dir)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    const path = join(dir, name);
    let info;
    try {
      info = await stat(path);
    } catch (e) {
      // A link to nothing is not a file to count; anything else (EACCES on the way) is the user's to know.
      if ((e as { code?: unknown }).code === 'ENOENT') continue;
      throw e;
    }
    if (info.isFile()) found.push({ path, size: info.size });
    else if (info.isDirectory()) {
      const id = `${info.dev}:${info.ino}`;
      if (seen.has(id)) continue;
      seen.add(id);
      await walk(path, seen, found);
    }
  }
}
