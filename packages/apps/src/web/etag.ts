/**
 * Entity tags: a blob's name and version make a strong ETag (every commit
 * bumps the version, and a name is never reused), and If-None-Match is
 * answered by comparing against it.
 * @module
 */

/** The ETag of the object named `nameHex` (64 hex digits) at `version`. */
export function etagOf(nameHex: string, version: number): string {
  // 64 bits of the name tell objects apart well enough; the version tells commits apart.
  return `"${nameHex.slice(0, 16)}-${version.toString(36)}"`;
}

/**
 * Whether an If-None-Match header matches `etag` (so a GET or HEAD is
 * answered 304): `*`, or a list holding it; weak comparison (RFC 9110
 * 13.1.2), so `W/"x"` matches `"x"`.
 */
export function noneMatchHits(header: string, etag: string): boolean {
  const value = header.trim();
  if (value === '*') return true;
  for (const part of value.split(',')) {
    let tag = part.trim();
    if (tag.startsWith('W/')) tag = tag.slice(2);
    if (tag === etag) return true;
  }
  return false;
}
