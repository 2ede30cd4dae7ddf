/**
 * C's printf, puts and putchar: output to the task's standard output (the
 * `stdout` of {@link stdio}, line-buffered), as the first programs in C write it.
 * @module
 */
import { errors, type SystemCalls } from '@dios/kernel';
import { vformat, type PrintfArg } from '../printf/format.js';
import { remembering } from '../errno/last-error.js';
import { stdio } from './std-streams.js';
import { fputc, fputs } from './write.js';

/**
 * Formats like {@link sprintf} and writes the text to task `sys`'s stdout;
 * returns the number of bytes written (UTF-8), as C's printf does. Output
 * waits in stdout's buffer until a newline, a flush, or the program's end
 * ({@link defineProgram} flushes).
 *
 * Errors: the formatter's EINVAL (`format` or an argument), stdout's write
 * errors, and {@link stdio}'s when the console cannot be opened.
 *
 * @example
 * ```ts
 * await printf(sys, '%s has %d lines\n', path, lines); // resolves to the byte count
 * ```
 */
export function printf(sys: SystemCalls, format: string, ...args: PrintfArg[]): Promise<number> {
  return remembering(sys, async () => {
    const text = vformat(format, args, 'printf');
    return fputs((await stdio(sys)).stdout, text);
  });
}

/**
 * Writes `text` and a newline to task `sys`'s stdout (C's puts adds the
 * newline, unlike {@link fputs}); returns the number of bytes written,
 * newline included.
 *
 * @example
 * ```ts
 * await puts(sys, 'hello, world'); // prints "hello, world\n", resolves to 13
 * ```
 */
export function puts(sys: SystemCalls, text: string): Promise<number> {
  return remembering(sys, async () => {
    if (typeof text !== 'string') throw errors.EINVAL('puts', 'text', `expected a string, got ${typeof text}`);
    return fputs((await stdio(sys)).stdout, `${text}\n`);
  });
}

/**
 * Writes one character to task `sys`'s stdout and returns it, as C's
 * putchar: a number is written as the byte `c & 0xff` and that byte is
 * returned; a string must hold exactly one character (one code point),
 * written as UTF-8, and its code point is returned.
 *
 * Errors: EINVAL (`c`) for a number that is not an integer or a string that
 * is not one character; stdout's write errors.
 *
 * @example
 * ```ts
 * await putchar(sys, 'é'); // writes the two bytes of é, resolves to 0xe9
 * await putchar(sys, 10); // a newline
 * ```
 */
export function putchar(sys: SystemCalls, c: number | string): Promise<number> {
  return remembering(sys, async () => {
    if (typeof c === 'string') {
      if ([...c].length !== 1) throw errors.EINVAL('putchar', 'c', `expected one character, got ${JSON.stringify(c)}`);
      await fputs((await stdio(sys)).stdout, c);
      return c.codePointAt(0)!;
    }
    if (!Number.isSafeInteger(c))
      throw errors.EINVAL('putchar', 'c', `expected an integer or one character, got ${String(c)}`);
    return fputc((await stdio(sys)).stdout, c);
  });
}
