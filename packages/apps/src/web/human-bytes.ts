/**
 * Byte counts as people read them, the same on every page the server
 * makes (directory listings, the status page).
 * @module
 */

/** `n` bytes in human units (steps of 1024: `512 B`, `1.5 KiB`, `12 MiB`). */
export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
