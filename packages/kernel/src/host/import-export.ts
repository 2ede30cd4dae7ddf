/**
 * Moving files between the host and durable blobs. A host task does it
 * through its system calls like any task: each host file becomes the
 * durable blob at the same path (relative to a DIOS directory) in the
 * task's first group, and back.
 * @module
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isDiosError } from '../core/abi/errors.js';
import { CreateFlags, DeleteFlags, ObjectType } from '../core/abi/flags.js';
import type { Name } from '../core/abi/names.js';
import { normalizePath, pathName, pathSeed } from '../core/abi/paths.js';
import type { TaskContext } from '../core/syscalls/task-context.js';
import { errors } from '../core/abi/errors.js';

/** Path (under an imported directory) of the blob listing the files imported there. */
export const DIRECTORY_INDEX = '.dios-index';

async function firstGroup(sys: TaskContext, call: string): Promise<Name> {
  const group = sys.groupNames[0];
  if (group === undefined) throw errors.EINVAL(call, 'sys', 'the task is a member of no group, so paths name nothing');
  return group;
}

/** Opens (creating it when missing) the durable blob at `path` in the task's first group; returns its handle. */
async function openForWrite(sys: TaskContext, path: string, call: string): Promise<number> {
  try {
    return (await sys.create(ObjectType.DURABLE_BLOB, { nameSeed: pathSeed(path) }, CreateFlags.NAME_DETERMINISTIC))
      .ref;
  } catch (e) {
    if (!isDiosError(e, 'EEXIST')) throw e;
  }
  const [ref] = await sys.lookup(await pathName(await firstGroup(sys, call), path)).catch((e: unknown) => {
    throw atPath(e, call, path);
  });
  return ref!;
}

// The kernel's error names the path's 256-bit name; the caller gave a path: say that (the kernel's error is the cause).
function atPath(e: unknown, call: string, path: string): unknown {
  if (!isDiosError(e)) return e;
  const detail = e.code === 'ENOENT' ? `no blob at ${path} in the task's first group` : `at ${path}: ${e.detail}`;
  const error = errors[e.code](call, 'diosPath', detail);
  error.cause = e;
  return error;
}

/** Replaces the blob's content with `bytes` in one atomic commit. */
async function replace(sys: TaskContext, ref: number, bytes: Uint8Array): Promise<void> {
  const buf = await sys.beginWrite(ref, bytes.length, { truncate: true });
  buf.set(bytes);
  await sys.endWrite(ref, buf);
}

/** Copies host file `hostPath` into the durable blob at `diosPath`; returns the blob's name. */
export async function importFile(sys: TaskContext, hostPath: string, diosPath: string): Promise<Name> {
  const path = normalizePath(diosPath, 'importFile', 'diosPath');
  const bytes = await readFile(hostPath);
  const ref = await openForWrite(sys, path, 'importFile');
  try {
    await replace(sys, ref, bytes);
  } finally {
    await sys.delete(ref, DeleteFlags.DROP);
  }
  return pathName(await firstGroup(sys, 'importFile'), path);
}

/** Reads the whole blob at `path` (ENOENT when there is none). */
async function readPath(sys: TaskContext, path: string, call: string): Promise<Uint8Array> {
  const [ref, ...copies] = await sys.lookup(await pathName(await firstGroup(sys, call), path)).catch((e: unknown) => {
    throw atPath(e, call, path);
  });
  try {
    for (;;) {
      const view = await sys.beginRead(ref!);
      const bytes = view.slice();
      if (await sys.endRead(ref!, view)) return bytes;
      // A write committed while we copied: read again.
    }
  } finally {
    // DROP: reading a file must not unlink it (a C program's files are single-delete).
    for (const r of [ref!, ...copies]) await sys.delete(r, DeleteFlags.DROP);
  }
}

/** Copies the blob at `diosPath` into host file `hostPath` (its directory is created); returns the byte count. */
export async function exportFile(sys: TaskContext, diosPath: string, hostPath: string): Promise<number> {
  const bytes = await readPath(sys, normalizePath(diosPath, 'exportFile', 'diosPath'), 'exportFile');
  await mkdir(dirname(hostPath), { recursive: true });
  await writeFile(hostPath, bytes);
  return bytes.length;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/**
 * Imports every file under host directory `hostDir` into durable blobs under
 * `diosDir`, and writes an index blob (`diosDir/.dios-index`, one relative
 * path per line) so the directory can be exported again. Returns the paths.
 */
export async function importDirectory(sys: TaskContext, hostDir: string, diosDir: string): Promise<string[]> {
  const base = normalizePath(diosDir, 'importDirectory', 'diosDir');
  const files = (await listFiles(hostDir)).sort();
  const rels = files.map((f) => relative(hostDir, f).split(sep).join('/'));
  for (let i = 0; i < files.length; i++) await importFile(sys, files[i]!, `${base}/${rels[i]}`);
  const ref = await openForWrite(sys, `${base}/${DIRECTORY_INDEX}`, 'importDirectory');
  try {
    await replace(sys, ref, new TextEncoder().encode(rels.map((r) => r + '\n').join('')));
  } finally {
    await sys.delete(ref, DeleteFlags.DROP);
  }
  return rels.map((r) => normalizePath(`${base}/${r}`));
}

/**
 * Exports a directory imported with {@link importDirectory} (or kept by
 * `mirrorDirectory`, whose index lines add a size and a time after a
 * tab) into host directory `hostDir`; returns the relative paths written.
 */
export async function exportDirectory(sys: TaskContext, diosDir: string, hostDir: string): Promise<string[]> {
  const base = normalizePath(diosDir, 'exportDirectory', 'diosDir');
  const index = new TextDecoder().decode(await readPath(sys, `${base}/${DIRECTORY_INDEX}`, 'exportDirectory'));
  const rels = index
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t', 1)[0]!);
  // The index is an object's bytes, so anything may be in it: no entry may lead outside hostDir.
  const targets = rels.map((rel) => {
    // Only canonical relative paths (no "..", ".", empty parts or leading "/") are entries importDirectory writes.
    if (normalizePath(rel, 'exportDirectory', 'index') !== `/${rel}`) {
      throw errors.EINVAL(
        'exportDirectory',
        'index',
        `entry "${rel}" is not a plain relative path inside the directory`,
      );
    }
    const target = resolve(hostDir, ...rel.split('/'));
    const inside = relative(resolve(hostDir), target);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
      throw errors.EINVAL('exportDirectory', 'index', `entry "${rel}" does not name a file inside the directory`);
    }
    return target;
  });
  for (let i = 0; i < rels.length; i++) await exportFile(sys, `${base}/${rels[i]}`, targets[i]!);
  return rels;
}
