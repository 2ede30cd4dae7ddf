/**
 * Directory listings. DIOS has no directories, only paths: a directory is
 * a prefix of the paths the served root's index lists (the index
 * importDirectory writes), so a listing is computed from it.
 * @module
 */
import { escapeHtml } from './html.js';
import { INDEX_FILE } from './files.js';
import { encodeSegments } from './url-path.js';

/** One entry of a listing. */
export interface ListingEntry {
  /** Its name (one path segment). */
  readonly name: string;
  /** Whether it is a directory (a prefix of longer paths). */
  readonly directory: boolean;
}

/** The entries directly inside directory `segments`, given the index's relative paths; undefined when it holds none. */
export function listDirectory(index: readonly string[], segments: readonly string[]): ListingEntry[] | undefined {
  const prefix = segments.length === 0 ? '' : segments.join('/') + '/';
  const seen = new Map<string, boolean>();
  for (const entry of index) {
    if (!entry.startsWith(prefix) || entry === INDEX_FILE) continue;
    const rest = entry.slice(prefix.length);
    const slash = rest.indexOf('/');
    const name = slash < 0 ? rest : rest.slice(0, slash);
    if (name === '') continue;
    seen.set(name, (seen.get(name) ?? false) || slash >= 0);
  }
  if (seen.size === 0) return undefined;
  return [...seen]
    .map(([name, directory]) => ({ name, directory }))
    .sort((a, b) => (a.directory === b.directory ? (a.name < b.name ? -1 : 1) : a.directory ? -1 : 1));
}

/** An HTML page listing `entries` of directory `segments`. */
export function listingHtml(segments: readonly string[], entries: readonly ListingEntry[]): string {
  const title = escapeHtml(encodeSegments(segments, true));
  const rows = entries
    .map(
      (e) =>
        `<li><a href="${escapeHtml(encodeURIComponent(e.name) + (e.directory ? '/' : ''))}">${escapeHtml(e.name)}${e.directory ? '/' : ''}</a></li>`,
    )
    .join('\n');
  const up = segments.length > 0 ? '<li><a href="../">../</a></li>\n' : '';
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>Index of ${title}</title></head>\n<body><h1>Index of ${title}</h1>\n<ul>\n${up}${rows}\n</ul></body></html>\n`;
}
