/**
 * The constants of C's `<stdio.h>` that libd's stdio uses: the end-of-file
 * marker and the `whence` values of {@link fseek}.
 * @module
 */

/** What {@link fgetc} returns at end of file (C's `EOF`). */
export const EOF = -1;

/** {@link fseek}: the offset counts from the start of the object. */
export const SEEK_SET = 0;
/** {@link fseek}: the offset counts from the current position. */
export const SEEK_CUR = 1;
/** {@link fseek}: the offset counts from the end of the object (its size). */
export const SEEK_END = 2;

/** One of {@link SEEK_SET}, {@link SEEK_CUR}, {@link SEEK_END}. */
export type Whence = typeof SEEK_SET | typeof SEEK_CUR | typeof SEEK_END;
