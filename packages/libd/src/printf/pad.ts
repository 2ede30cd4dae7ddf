/**
 * Fitting a converted value into its field width.
 * @module
 */
import type { ResolvedSpec } from './spec.js';

/** Pads `text` with spaces to `spec.width`: on the right with `-`, else on the left. */
export function padText(text: string, spec: ResolvedSpec): string {
  return spec.flags.left ? text.padEnd(spec.width) : text.padStart(spec.width);
}

/**
 * Pads a number made of `prefix` (sign, `0x`) and `digits` to `spec.width`.
 * With `zeros`, the padding is zeros between prefix and digits (C's `0` flag);
 * the caller decides whether `0` applies (not with `-`, not with an integer precision, not for inf/nan).
 */
export function padNumber(prefix: string, digits: string, spec: ResolvedSpec, zeros: boolean): string {
  if (zeros && !spec.flags.left) return prefix + digits.padStart(spec.width - prefix.length, '0');
  return padText(prefix + digits, spec);
}
