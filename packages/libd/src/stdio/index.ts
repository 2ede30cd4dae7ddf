/**
 * libd's stdio: C's buffered FILE streams over DIOS references.
 * @module
 */
export { EOF, SEEK_CUR, SEEK_END, SEEK_SET } from './constants.js';
export type { Whence } from './constants.js';
export { FILE } from './file.js';
export type { Buffering } from './file.js';
export { fopen } from './open.js';
export type { FopenRef, FopenTarget } from './open.js';
export { fgetc, fgets, fread } from './read.js';
export { fputc, fputs, fwrite } from './write.js';
export { fprintf, vfprintf } from './fprintf.js';
export { printf, putchar, puts } from './stdout.js';
export { perror } from './perror.js';
export { fseek, ftell, rewind } from './seek.js';
export { fflush, fflushAll } from './flush.js';
export { fclose } from './close.js';
export { clearerr, feof, ferror } from './status.js';
export { setvbuf } from './setvbuf.js';
export { stdio } from './std-streams.js';
export type { StdStreams } from './std-streams.js';
