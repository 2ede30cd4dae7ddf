/**
 * Formatted output to a FILE: the printf family's formatting ({@link vformat})
 * written with {@link fputs}.
 * @module
 */
import { vformat, type PrintfArg } from '../printf/format.js';
import type { FILE } from './file.js';
import { fputs } from './write.js';

/** Formats like {@link sprintf} and writes the text to `file` as UTF-8; returns the number of bytes written. */
export async function fprintf(file: FILE, format: string, ...args: PrintfArg[]): Promise<number> {
  return fputs(file, vformat(format, args, 'fprintf'));
}

/** {@link fprintf} with the arguments in an array (C's `vfprintf`). */
export async function vfprintf(file: FILE, format: string, args: readonly PrintfArg[]): Promise<number> {
  return fputs(file, vformat(format, args, 'vfprintf'));
}
