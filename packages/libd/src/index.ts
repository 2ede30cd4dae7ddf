/**
 * @dios/libd: a C-standard-library-like layer over the DIOS system calls.
 * Everything here reaches the kernel through a task's eleven system calls
 * and nothing else.
 *
 * A first program (examples/hello.ts has it whole): a main made a program
 * with `defineProgram`, installed at a path, spawned with arguments and
 * waited for; inside, `printf`, `puts`, `putchar` and `perror` as in C,
 * and files opened by path with `fopen`.
 *
 * @example
 * ```ts
 * import { Kernel } from '@dios/kernel';
 * import { defineProgram, fopen, fputs, fclose, installProgram, printf, spawn, wait } from '@dios/libd';
 *
 * const hello = defineProgram(async (argv, { sys }) => {
 *   await printf(sys, 'hello, %s\n', argv[1] ?? 'world');
 *   const file = await fopen(sys, '/greetings.txt', 'w'); // by path; 'w' creates it
 *   await fputs(file, 'hi\n');
 *   await fclose(file);
 *   return 0; // the exit status
 * });
 * const kernel = await Kernel.boot({ consoleSink: (bytes) => process.stdout.write(bytes) });
 * await installProgram(kernel, kernel.init, 'hello', hello, '/bin/hello');
 * const child = await spawn(kernel.init, '/bin/hello', { argv: ['hello', 'Ada'] });
 * await wait(kernel.init, child); // 0, once "hello, Ada" is printed
 * ```
 *
 * Errors are DiosErrors with a POSIX-like code; those about a path name the
 * path (`ENOENT: no such object, fopen(/data/in.txt): ...`).
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
