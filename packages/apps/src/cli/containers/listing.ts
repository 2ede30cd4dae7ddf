/**
 * What `image ls`, `container ps` and `container stats` print: aligned
 * tables with Docker's columns, ids cut to 12 hex digits, ages as "N
 * minutes ago", sizes in kB/MB.
 * @module
 */
import type { ContainerStats, ContainerSummary, ImageSummary } from '../../containers/api.js';

/** Rows as columns padded to their widest cell, three spaces apart (the last column unpadded). */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('   ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** "3 seconds ago", "5 minutes ago", ... from an ISO time. */
export function age(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (!Number.isFinite(seconds)) return '?';
  const units: [number, string][] = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, unit] of units) {
    const n = Math.floor(seconds / size);
    if (n >= 1) return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  }
  return seconds < 1 ? 'Less than a second ago' : `${seconds} second${seconds === 1 ? '' : 's'} ago`;
}

/** Bytes as Docker prints them (decimal units: 5.2kB, 13MB). */
export function size(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${i === 0 || n >= 100 ? Math.round(n) : n.toPrecision(3).replace(/\.?0+$/, '')}${units[i]}`;
}

/** A 64-hex id (or `sha256:` digest) cut to 12 digits. */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** `dios image ls`: REPOSITORY, TAG, IMAGE ID, CREATED, SIZE; an untagged image as <none>. */
export function imageTable(images: readonly ImageSummary[], now = Date.now()): string {
  const rows = [['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE']];
  for (const image of images) {
    const tags = image.tags.length > 0 ? image.tags : ['<none>:<none>'];
    for (const t of tags) {
      const colon = t.lastIndexOf(':');
      rows.push([
        t.slice(0, colon),
        t.slice(colon + 1),
        shortId(image.digest),
        age(image.created, now),
        size(image.size),
      ]);
    }
  }
  return table(rows);
}

/** A container's STATUS cell: Created, Up, Exited (N), as Docker words them. */
function statusOf(c: ContainerSummary): string {
  if (c.status === 'running') return `Up (${c.tasks} task${c.tasks === 1 ? '' : 's'})`;
  if (c.status === 'stopped') return `Exited (${c.exitCode})`;
  return c.status === 'created' ? 'Created' : 'Creating';
}

/** `dios container ps`: CONTAINER ID, IMAGE, COMMAND, CREATED, STATUS, NAMES. */
export function containerTable(containers: readonly ContainerSummary[], now = Date.now()): string {
  const rows = [['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'NAMES']];
  for (const c of containers) {
    const command = c.command.length > 20 ? `${c.command.slice(0, 19)}…` : c.command;
    rows.push([shortId(c.id), c.image, JSON.stringify(command), age(c.created, now), statusOf(c), c.name]);
  }
  return table(rows);
}

/** `dios container stats` (one snapshot): CPU time, heap peak against the limit, bytes through the calls, calls, tasks. */
export function statsTable(stats: readonly ContainerStats[]): string {
  const rows = [
    ['CONTAINER ID', 'NAME', 'CPU TIME', 'MEM PEAK / LIMIT', 'I/O READ / WRITE', 'CALLS (FAILED)', 'TASKS'],
  ];
  for (const s of stats) {
    const limit = s.memoryLimitMb === undefined ? 'none' : size(s.memoryLimitMb * 1024 * 1024);
    rows.push([
      shortId(s.id),
      s.name,
      `${(s.cpuMs / 1000).toFixed(2)}s`,
      `${size(s.memoryBytes)} / ${limit}`,
      `${size(s.bytesRead)} / ${size(s.bytesWritten)}`,
      `${s.calls} (${s.failedCalls})`,
      `${s.tasks} (${s.tasksStarted} started)`,
    ]);
  }
  return table(rows);
}
