/**
 * From a request target's path to a path under the served root: percent-
 * decoding per segment (so `%2F` cannot make a separator), `.` and `..`
 * resolved, and any attempt to climb above the root refused.
 * @module
 */

/** A request path made safe: its segments under the root, or the status to refuse it with. */
export type TargetPath =
  | {
      /** Accepted. */
      readonly ok: true;
      /** Segments below the served root (none for the root itself). */
      readonly segments: readonly string[];
      /** Whether the path ended in `/`. */
      readonly directory: boolean;
    }
  | {
      /** Refused. */
      readonly ok: false;
      /** 400 for a malformed path, 403 for one that climbs above the root. */
      readonly status: 400 | 403;
      /** What was wrong, for people. */
      readonly reason: string;
    };

/** Longest request path accepted, in characters. */
export const MAX_PATH_CHARS = 2048;

// What sends a path down the slow path: percent-escapes, backslashes, and segments starting with a dot.
const PLAIN_UNSAFE = /[%\\]|\/\./;

/**
 * Decodes the path of a request target (origin form `/a/b`, or the path of
 * an absolute form `http://host/a/b`). See {@link TargetPath}.
 */
export function decodeTargetPath(rawPath: string): TargetPath {
  // Fast path: nothing to decode and no dot segments, so the segments are the parts between slashes.
  if (rawPath.charCodeAt(0) === 47 && rawPath.length <= MAX_PATH_CHARS && !PLAIN_UNSAFE.test(rawPath)) {
    const parts = rawPath.split('/');
    const segments: string[] = [];
    for (let i = 1; i < parts.length; i++) if (parts[i] !== '') segments.push(parts[i]!);
    return { ok: true, segments, directory: rawPath.charCodeAt(rawPath.length - 1) === 47 };
  }
  let path = rawPath;
  const scheme = /^https?:\/\/[^/]*/i.exec(path);
  if (scheme !== null) path = path.slice(scheme[0].length) || '/';
  if (!path.startsWith('/')) return { ok: false, status: 400, reason: 'the path must start with /' };
  if (path.length > MAX_PATH_CHARS) return { ok: false, status: 400, reason: 'path too long' };
  const segments: string[] = [];
  const raw = path.split('/');
  for (let i = 1; i < raw.length; i++) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw[i]!);
    } catch {
      return { ok: false, status: 400, reason: 'bad percent-encoding' };
    }
    // A decoded separator or NUL would change what the path names.
    if (seg.includes('/') || seg.includes('\\') || seg.includes('\0'))
      return { ok: false, status: 400, reason: 'encoded separator or NUL' };
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (segments.length === 0) return { ok: false, status: 403, reason: 'the path leads outside the served root' };
      segments.pop();
      continue;
    }
    segments.push(seg);
  }
  const last = raw[raw.length - 1];
  return { ok: true, segments, directory: last === '' || last === '.' || last === '..' };
}

/** The URL path of `segments` (each percent-encoded), with a trailing `/` when `directory`. */
export function encodeSegments(segments: readonly string[], directory: boolean): string {
  const path = '/' + segments.map(encodeURIComponent).join('/');
  return directory && segments.length > 0 ? path + '/' : path;
}
