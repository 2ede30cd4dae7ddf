/**
 * Byte ranges (RFC 9110 14): one range of a Range header, resolved against
 * the representation's size. Several ranges are answered with the whole
 * representation (a server may ignore Range), not multipart.
 * @module
 */

/** What a Range header asks for, against a size. */
export type RangeRequest =
  | {
      /** No usable Range: send everything (200). */
      readonly kind: 'full';
    }
  | {
      /** One satisfiable range (206). */
      readonly kind: 'partial';
      /** First byte. */
      readonly start: number;
      /** Last byte (inclusive). */
      readonly end: number;
    }
  | {
      /** A valid byte range that lies past the end (416). */
      readonly kind: 'unsatisfiable';
    };

const FULL: RangeRequest = { kind: 'full' };
const SPEC = /^(\d*)-(\d*)$/;

/**
 * Resolves a Range header against `size` bytes. Headers that are not
 * `bytes=` ranges, malformed ones and lists of several ranges mean the
 * whole representation, as the RFC allows; a single range starting at or
 * past the end (or a suffix of length 0) is unsatisfiable.
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return FULL;
  const eq = header.indexOf('=');
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return FULL;
  const specs = header
    .slice(eq + 1)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (specs.length !== 1) return FULL;
  const m = SPEC.exec(specs[0]!);
  if (m === null || (m[1] === '' && m[2] === '')) return FULL;
  // Digits only, but possibly very many: Number() of a huge run is Infinity or imprecise, which still compares right.
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? Infinity : Number(m[2]);
  if (last < start) return FULL; // invalid: ignored
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(last, size - 1) };
}
