/**
 * @dios/libd: a C-standard-library-like layer over the DIOS system calls.
 * Everything here reaches the kernel through a task's eleven system calls
 * and nothing else.
 *
 * @example
 * ```ts
 * import { sprintf } from '@dios/libd';
 * sprintf('%5.2f|%-4d|%x', 3.14159, 42, 255); // ' 3.14|42  |ff'
 * ```
 * @module @dios/libd
 */
export { sprintf, snprintf, vformat } from './printf/format.js';
export type { PrintfArg, SnprintfResult } from './printf/format.js';
export * from './stdio/index.js';
export * from './interop/index.js';
export * from './process/index.js';
export * from './ifc/index.js';
export { accept, connect, listen } from './net/socket.js';
export { deleteQuietly } from './handles/delete-quietly.js';
export { lastError } from './errno/last-error.js';
