/**
 * POSIX-like paths mapped onto names: a path names the object whose name is
 * seeded, in a group, from the normalised path. Code written against files
 * can then open "/data/input.txt" in a group and get the same object every
 * time, on every kernel holding that group.
 * @module
 */
import { errors } from './errors.js';
import { describe, Name } from './names.js';

/** Longest path accepted, in characters (PATH_MAX). */
export const PATH_MAX = 4096;

/**
 * The canonical form of a path: absolute, single slashes, no `.` or `..`
 * components, no trailing slash (but "/" itself). A relative path is taken
 * from the root. EINVAL for anything that is not a non-empty string without
 * NUL characters, or longer than {@link PATH_MAX}.
 */
export function normalizePath(path: string, syscall = 'normalizePath', argument = 'path'): string {
  if (typeof path !== 'string' || path.length === 0)
    throw errors.EINVAL(syscall, argument, `expected a non-empty path, got ${describe(path)}`);
  if (path.length > PATH_MAX) throw errors.EINVAL(syscall, argument, `longer than ${PATH_MAX} characters`);
  if (path.includes('\0')) throw errors.EINVAL(syscall, argument, 'a path cannot contain NUL');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return '/' + parts.join('/');
}

/** The name seed of a path (what create's `nameSeed` gets for it). */
export function pathSeed(path: string): string {
  return `path:${normalizePath(path)}`;
}

/** The name of the object at `path` in the group named `group`. */
export function pathName(group: Name, path: string): Promise<Name> {
  return Name.seeded(group, pathSeed(path));
}

/** {@link pathName} without a promise (see {@link Name.seededSync}). */
export function pathNameSync(group: Name, path: string): Name {
  return Name.seededSync(group, pathSeed(path));
}
