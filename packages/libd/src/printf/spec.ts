/**
 * The shape of one parsed conversion specification, `%[flags][width][.precision][length]conversion`,
 * before and after `*` widths and precisions are taken from the arguments.
 * @module
 */

/** The conversions libd's printf family understands (C's, less `%a %n %p`). */
export type Conversion = 'd' | 'i' | 'u' | 'o' | 'x' | 'X' | 'c' | 's' | 'f' | 'F' | 'e' | 'E' | 'g' | 'G' | '%';

/** C's length modifiers. They set the integer type a value wraps to; `l` on `%c`/`%s` means a wide character. */
export type LengthModifier = 'hh' | 'h' | 'l' | 'll' | 'L' | 'j' | 'z' | 't';

/** The flag characters of one specification. `'` (digit grouping) is accepted and, as in the C locale, has no effect. */
export interface Flags {
  /** `-`: justify left within the width. */
  readonly left: boolean;
  /** `+`: always write a sign for signed conversions. */
  readonly plus: boolean;
  /** space: write a space where a `+` would go. */
  readonly space: boolean;
  /** `#`: the alternative form (`0x` prefix, leading octal 0, kept decimal point and zeros). */
  readonly alt: boolean;
  /** `0`: pad numbers with zeros after the sign instead of spaces before it. */
  readonly zero: boolean;
}

/** One conversion specification as written in the format. */
export interface ConversionSpec {
  /** Offset of its `%` in the format. */
  readonly offset: number;
  /** The specification's text, e.g. `%-*.3lf`. */
  readonly text: string;
  /** Which of the flag characters (`-+ #0'`) it has. */
  readonly flags: Flags;
  /** The minimum field width: a number, `'*'` (taken from the arguments) or undefined (none). */
  readonly width: number | '*' | undefined;
  /** The precision: a number, `'*'` (taken from the arguments) or undefined (none). */
  readonly precision: number | '*' | undefined;
  /** The length modifier, if any. */
  readonly length: LengthModifier | undefined;
  /** The conversion character. */
  readonly conversion: Conversion;
}

/** A specification with `*` resolved the way C does: a negative width sets `-`, a negative precision means none. */
export interface ResolvedSpec {
  /** Flags, `left` included when a `*` width was negative. */
  readonly flags: Flags;
  /** Minimum field width, 0 for none. */
  readonly width: number;
  /** Precision, undefined for none. */
  readonly precision: number | undefined;
  /** The length modifier, if any. */
  readonly length: LengthModifier | undefined;
  /** The conversion character. */
  readonly conversion: Conversion;
}

/** The largest width or precision C's printf accepts (INT_MAX). */
export const MAX_FIELD = 2147483647;
