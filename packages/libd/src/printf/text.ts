/**
 * The text conversions `%c` and `%s`. Width and precision count UTF-16 code
 * units (C counts bytes); flags other than `-` have no effect, as in glibc.
 * @module
 */
import { padText } from './pad.js';
import type { ResolvedSpec } from './spec.js';

/** `%c`: the character, padded; precision is ignored as glibc ignores it. */
export function formatChar(char: string, spec: ResolvedSpec): string {
  return padText(char, spec);
}

/** `%s`: at most `precision` code units of `text`, padded. */
export function formatString(text: string, spec: ResolvedSpec): string {
  return padText(spec.precision === undefined ? text : text.slice(0, spec.precision), spec);
}
