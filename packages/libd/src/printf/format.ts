/**
 * The printf family's public face: {@link vformat}, {@link sprintf} and {@link snprintf}.
 * @module
 */
import { errors } from '@dios/kernel';
import { ArgCursor } from './args.js';
import { formatFloat } from './floating.js';
import { formatInteger } from './integer.js';
import { parseFormat } from './parse.js';
import type { ConversionSpec, ResolvedSpec } from './spec.js';
import { formatChar, formatString } from './text.js';

/**
 * A printf argument. Integer conversions take an integral number or a bigint
 * (wrapped to the C type of the length modifier); floating conversions take a
 * number; `%c` a character code or a one-character string; `%s` a string (numbers
 * and bigints are written with `String()`).
 */
export type PrintfArg = number | bigint | string;

/** What {@link snprintf} returns. */
export interface SnprintfResult {
  /** The output, cut to at most `size - 1` UTF-16 code units (empty for size 0). */
  readonly text: string;
  /** The length of the whole output before cutting, as C's return value. */
  readonly length: number;
}

/** Takes `*` widths and precisions from the arguments, as C does: negative width means `-`, negative precision none. */
function resolve(spec: ConversionSpec, args: ArgCursor): ResolvedSpec {
  let width = spec.width === '*' ? args.field(spec, 'width') : (spec.width ?? 0);
  let precision = spec.precision === '*' ? args.field(spec, 'precision') : spec.precision;
  let flags = spec.flags;
  if (width < 0) {
    flags = { ...flags, left: true };
    width = -width;
  }
  if (precision !== undefined && precision < 0) precision = undefined;
  return { flags, width, precision, length: spec.length, conversion: spec.conversion };
}

/** Converts one specification, taking its arguments from `args`. */
function convert(spec: ConversionSpec, args: ArgCursor): string {
  const resolved = resolve(spec, args);
  switch (spec.conversion) {
    case 'd':
    case 'i':
    case 'u':
    case 'o':
    case 'x':
    case 'X':
      return formatInteger(args.integer(spec), resolved);
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
      return formatFloat(args.double(spec), resolved);
    case 'c':
      return formatChar(args.char(spec), resolved);
    case 's':
      return formatString(args.string(spec), resolved);
    case '%':
      return '%'; // glibc ignores flags, width and precision of a %% written with them
  }
}

/**
 * Formats `args` by `format` as C's `vsprintf` does, returning the text.
 * Arguments beyond those the format uses are ignored, as in C.
 *
 * Throws a `DiosError` with code `EINVAL`, naming `format` for a malformed
 * format (a `%` at the end, an unknown conversion, a width or precision above
 * INT_MAX) or `args[i]` for a missing argument or one of the wrong type; `ENOMEM`
 * when the output would be longer than the engine's largest string.
 *
 * @param caller - the function name errors report (`printf`, `fprintf`, ...); default `vformat`.
 */
export function vformat(format: string, args: readonly PrintfArg[], caller = 'vformat'): string {
  if (typeof format !== 'string') throw errors.EINVAL(caller, 'format', `expected a string, got ${typeof format}`);
  if (!Array.isArray(args)) throw errors.EINVAL(caller, 'args', `expected an array, got ${typeof args}`);
  const segments = parseFormat(format, caller);
  const cursor = new ArgCursor(args, caller);
  let out = '';
  try {
    for (const segment of segments) out += typeof segment === 'string' ? segment : convert(segment, cursor);
  } catch (e) {
    if (e instanceof RangeError) {
      throw errors.ENOMEM(
        caller,
        undefined,
        `the output would be longer than the largest string this engine can hold (${e.message})`,
      );
    }
    throw e;
  }
  return out;
}

/**
 * C's `sprintf`: formats the arguments by `format` and returns the text.
 *
 * @example
 * ```ts
 * sprintf('%-6s|%+.2e|%#x|%05.1f', 'ab', 12345.678, 255, -2.25); // 'ab    |+1.23e+04|0xff|-02.2'
 * ```
 * @throws `DiosError` `EINVAL` as {@link vformat} describes.
 */
export function sprintf(format: string, ...args: PrintfArg[]): string {
  return vformat(format, args, 'sprintf');
}

/**
 * C's `snprintf`: formats like {@link sprintf} into a buffer of `size` characters,
 * so at most `size - 1` of them are kept (none for size 0); `length` is the length
 * the whole output has, so `length >= size` means it was cut.
 *
 * @example
 * ```ts
 * snprintf(4, '%d', 123456); // { text: '123', length: 6 }
 * ```
 * @throws `DiosError` `EINVAL` naming `size` when it is not a non-negative integer, else as {@link vformat} describes.
 */
export function snprintf(size: number, format: string, ...args: PrintfArg[]): SnprintfResult {
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw errors.EINVAL('snprintf', 'size', `expected a non-negative integer, got ${String(size)}`);
  }
  const text = vformat(format, args, 'snprintf');
  return { text: size === 0 ? '' : text.slice(0, size - 1), length: text.length };
}
