/**
 * The format-string parser: splits a printf format into literal text and
 * {@link ConversionSpec}s, rejecting anything malformed before any argument is looked at.
 * @module
 */
import { errors } from '@dios/kernel';
import { MAX_FIELD, type Conversion, type ConversionSpec, type LengthModifier } from './spec.js';

/** A piece of a parsed format: literal text, or a conversion specification. */
export type Segment = string | ConversionSpec;

const CONVERSIONS = new Set<string>(['d', 'i', 'u', 'o', 'x', 'X', 'c', 's', 'f', 'F', 'e', 'E', 'g', 'G', '%']);
const FLAG_CHARS = "-+ #0'";

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/**
 * Parses `format` into segments. Throws `EINVAL` naming `format` for a `%` at
 * the end, an unknown conversion character, or a width or precision above INT_MAX.
 * `caller` is the function name the error reports.
 */
export function parseFormat(format: string, caller: string): Segment[] {
  const segments: Segment[] = [];
  let literal = '';
  let i = 0;
  while (i < format.length) {
    const next = format.indexOf('%', i);
    if (next < 0) {
      literal += format.slice(i);
      break;
    }
    literal += format.slice(i, next);
    const spec = parseSpec(format, next, caller);
    if (spec.text === '%%') {
      literal += '%';
    } else {
      if (literal !== '') segments.push(literal);
      literal = '';
      segments.push(spec);
    }
    i = next + spec.text.length;
  }
  if (literal !== '') segments.push(literal);
  return segments;
}

/** Parses the specification whose `%` is at `start`. */
function parseSpec(format: string, start: number, caller: string): ConversionSpec {
  let j = start + 1;
  const bad = (what: string, why = ''): never => {
    throw errors.EINVAL(caller, 'format', `${what} at offset ${start}${why}`);
  };
  const flags = { left: false, plus: false, space: false, alt: false, zero: false };
  for (; j < format.length && FLAG_CHARS.includes(format[j]!); j++) {
    switch (format[j]) {
      case '-':
        flags.left = true;
        break;
      case '+':
        flags.plus = true;
        break;
      case ' ':
        flags.space = true;
        break;
      case '#':
        flags.alt = true;
        break;
      case '0':
        flags.zero = true;
        break;
      default:
        break; // "'": no grouping in the C locale
    }
  }
  const readCount = (what: string): number | '*' | undefined => {
    if (format[j] === '*') {
      j++;
      return '*';
    }
    const from = j;
    while (isDigit(format[j])) j++;
    if (from === j) return undefined;
    const n = Number(format.slice(from, j));
    if (n > MAX_FIELD)
      bad(`${what} ${format.slice(from, j)} in ${format.slice(start, j)}`, `: larger than INT_MAX (${MAX_FIELD})`);
    return n;
  };
  const width = readCount('width');
  let precision: number | '*' | undefined;
  if (format[j] === '.') {
    j++;
    precision = readCount('precision') ?? 0;
  }
  let length: LengthModifier | undefined;
  const two = format.slice(j, j + 2);
  if (two === 'hh' || two === 'll') {
    length = two;
    j += 2;
  } else if (j < format.length && 'hlLjzt'.includes(format[j]!)) {
    length = format[j] as LengthModifier;
    j++;
  }
  const c = format[j];
  if (c === undefined) bad(`incomplete conversion specification ${format.slice(start)}`, ': the format ends there');
  if (c === '$') bad(`positional argument ${format.slice(start, j + 1)}`, ': positional arguments are not supported');
  if (!CONVERSIONS.has(c!)) {
    // A lone surrogate half would make an unreadable message: show the whole code point.
    const cp = String.fromCodePoint(format.codePointAt(j)!);
    bad(`unknown conversion ${format.slice(start, j)}${cp}`);
  }
  return {
    offset: start,
    text: format.slice(start, j + 1),
    flags,
    width,
    precision,
    length,
    conversion: c as Conversion,
  };
}
