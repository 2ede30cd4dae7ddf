/**
 * The container engine's host part on Node (EngineHost): reading an image
 * directory with node:fs, and writing an image's files where worker threads
 * can import its modules.
 * @module
 */
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { errors, isDiosError, normalizePath, type DiosError } from '@dios/kernel';
import type { EngineHost, TreeFile } from '../../containers/api.js';

/** What an image directory written by materialize gets when it has no package.json: its `.js` files are ES modules. */
const MODULE_PACKAGE_JSON = '{"type":"module"}\n';

/**
 * The EngineHost of the `dios` command. `readTree` takes the regular files
 * under a directory, recursively, sorted by path; it REFUSES anything else
 * it meets (a symbolic link, a socket, a device) with EINVAL naming `dir`,
 * rather than leave a file out of the image unseen. `materialize` writes an
 * image's files once under `${materializeRoot}/<digest hex>/` (into a
 * temporary directory renamed into place, so a directory of that name is
 * always complete), with a `package.json` saying `"type": "module"` unless
 * the image has its own.
 */
export function nodeEngineHost(materializeRoot: string): EngineHost {
  return {
    async readTree(dir: string): Promise<TreeFile[]> {
      const info = await stat(dir).catch((e: unknown) => {
        throw hostError(e, dir);
      });
      if (!info.isDirectory()) throw errors.ENOTDIR('readTree', 'dir', `${dir} is not a directory`);
      const files: TreeFile[] = [];
      await walk(dir, '', files);
      return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },

    async readFile(path: string): Promise<Uint8Array> {
      const info = await stat(path).catch((e: unknown) => {
        throw hostError(e, path, 'readFile', 'path');
      });
      if (info.isDirectory()) throw errors.EINVAL('readFile', 'path', `${path} is a directory`);
      if (!info.isFile()) throw errors.EINVAL('readFile', 'path', `${path} is not a regular file`);
      return new Uint8Array(
        await readFile(path).catch((e: unknown) => {
          throw hostError(e, path, 'readFile', 'path');
        }),
      );
    },

    async materialize(digest: string, files: readonly TreeFile[], entry: string): Promise<string> {
      const s = 'materialize';
      const hex = /^sha256:([0-9a-f]{64})$/.exec(digest)?.[1];
      if (hex === undefined) throw errors.EINVAL(s, 'digest', `expected sha256: and 64 hex digits, got ${digest}`);
      const entryPath = normalizePath(entry, s, 'entry').slice(1);
      if (!files.some((f) => normalizePath(f.path, s, 'files').slice(1) === entryPath))
        throw errors.ENOENT(s, 'entry', `the image has no file ${entry}`);
      const target = join(materializeRoot, hex);
      const url = pathToFileURL(join(target, ...entryPath.split('/'))).href;
      if (await exists(target)) return url;
      await mkdir(materializeRoot, { recursive: true });
      const temp = await mkdtemp(join(materializeRoot, `.tmp-${hex.slice(0, 12)}-`));
      try {
        for (const file of files) {
          // Normalised, so no `..` leads out of the directory.
          const path = join(temp, ...normalizePath(file.path, s, 'files').slice(1).split('/'));
          await mkdir(dirname(path), { recursive: true });
          await writeFile(path, file.bytes);
        }
        if (!files.some((f) => normalizePath(f.path, s, 'files') === '/package.json'))
          await writeFile(join(temp, 'package.json'), MODULE_PACKAGE_JSON);
        await rename(temp, target);
      } catch (e) {
        await rm(temp, { recursive: true, force: true });
        // Another call (or process) put the same image there first: its copy is as good.
        if (!(await exists(target))) throw e;
      }
      return url;
    },
  };
}

async function walk(root: string, prefix: string, out: TreeFile[]): Promise<void> {
  const here = prefix === '' ? root : join(root, prefix);
  const entries = await readdir(here, { withFileTypes: true }).catch((e: unknown) => {
    throw hostError(e, here);
  });
  for (const entry of entries) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    const full = join(root, path);
    if (entry.isDirectory()) await walk(root, path, out);
    else if (entry.isFile()) {
      const bytes = await readFile(full).catch((e: unknown) => {
        throw hostError(e, full);
      });
      out.push({ path, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) });
    } else {
      const what = entry.isSymbolicLink() ? 'a symbolic link' : 'not a regular file or directory';
      throw errors.EINVAL('readTree', 'dir', `${relative(root, full).split(sep).join('/')} in ${root} is ${what}`);
    }
  }
}

// Node's errors as DiosErrors naming the argument (`dir` of readTree by default): what the engine's callers print.
function hostError(e: unknown, path: string, call = 'readTree', argument = 'dir'): DiosError {
  if (isDiosError(e)) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return errors.ENOENT(call, argument, `${path} does not exist`);
  if (code === 'ENOTDIR') return errors.ENOTDIR(call, argument, `${path}: a part of the path is not a directory`);
  if (code === 'EACCES' || code === 'EPERM') return errors.EACCES(call, argument, `${path}: permission denied`);
  return errors.EIO(call, argument, `${path}: ${(e as Error).message}`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    // Missing or unreachable alike: not there to be used.
    return false;
  }
}
