/**
 * Directory listings. DIOS has no directories, only paths: a directory is
 * a prefix of the paths the served root's index lists (the index
 * importDirectory or mirrorDirectory writes), so a listing is computed
 * from it, with each file's size and time when the index has them (a
 * directory shows its newest file's time). The page fits a phone: a
 * viewport, long names that wrap, size and date that do not (smaller on a
 * narrow screen).
 * @module
 */
import { escapeHtml } from './html.js';
import { humanBytes } from './human-bytes.js';
import { INDEX_FILE, type IndexEntry } from './files.js';
import { encodeSegments } from './url-path.js';

/** One entry of a listing. */
export interface ListingEntry {
  /** Its name (one path segment). */
  readonly name: string;
  /** Whether it is a directory (a prefix of longer paths). */
  readonly directory: boolean;
  /** A file's bytes, when known (directories: undefined). */
  readonly size?: number;
  /** Modification time (ms since the epoch): a file's, or a directory's newest file's; when known. */
  readonly mtimeMs?: number;
}

/** The entries directly inside directory `segments`, given the index; undefined when it holds none. */
export function listDirectory(index: readonly IndexEntry[], segments: readonly string[]): ListingEntry[] | undefined {
  const prefix = segments.length === 0 ? '' : segments.join('/') + '/';
  const seen = new Map<string, { directory: boolean; size?: number; mtimeMs?: number }>();
  for (const entry of index) {
    if (!entry.path.startsWith(prefix) || entry.path === INDEX_FILE) continue;
    const rest = entry.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    const name = slash < 0 ? rest : rest.slice(0, slash);
    if (name === '') continue;
    const old = seen.get(name);
    const directory = (old?.directory ?? false) || slash >= 0;
    const mtimes = [old?.mtimeMs, entry.mtimeMs].filter((t): t is number => t !== undefined);
    seen.set(name, {
      directory,
      ...(directory || entry.size === undefined ? {} : { size: entry.size }),
      ...(mtimes.length === 0 ? {} : { mtimeMs: Math.max(...mtimes) }),
    });
  }
  if (seen.size === 0) return undefined;
  return [...seen]
    .map(([name, e]) => ({ name, ...e }))
    .sort((a, b) => (a.directory === b.directory ? (a.name < b.name ? -1 : 1) : a.directory ? -1 : 1));
}

/** A time as the listing shows it, in UTC: `2026-12-07 10:50`. */
export function listingDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

const STYLE = `body { font: 15px system-ui, sans-serif; margin: 1em; color: #222; }
h1 { font-size: 1.2em; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; }
td, th { padding: 4px 6px; text-align: left; border-bottom: 1px solid #eee; }
td.name { overflow-wrap: anywhere; }
td.size, td.date, th.size, th.date { white-space: nowrap; color: #555; }
td.size, th.size { text-align: right; }
@media (max-width: 480px) { body { margin: 0.5em; } td, th { padding: 4px 3px; } td.date { font-size: 0.8em; } }`;

/** An HTML page listing `entries` of directory `segments`. */
export function listingHtml(segments: readonly string[], entries: readonly ListingEntry[]): string {
  const title = escapeHtml(encodeSegments(segments, true));
  const rows = entries.map((e) => {
    const label = escapeHtml(e.name) + (e.directory ? '/' : '');
    const href = escapeHtml(encodeURIComponent(e.name) + (e.directory ? '/' : ''));
    const size = e.size === undefined ? (e.directory ? '-' : '') : humanBytes(e.size);
    const date = e.mtimeMs === undefined ? '' : `<time>${listingDate(e.mtimeMs)}</time>`;
    return `<tr><td class="name"><a href="${href}">${label}</a></td><td class="size">${size}</td><td class="date">${date}</td></tr>`;
  });
  if (segments.length > 0) rows.unshift('<tr><td class="name"><a href="../">../</a></td><td></td><td></td></tr>');
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Index of ${title}</title><style>${STYLE}</style></head>
<body><h1>Index of ${title}</h1>
<table><thead><tr><th>Name</th><th class="size">Size</th><th class="date">Modified (UTC)</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table></body></html>
`;
}
