/**
 * Interop: DIOS FILEs and references as async iterables and web streams.
 * @module
 */
export { chunks } from './chunks.js';
export type { ByteSource, ChunkOptions, DiosReference } from './chunks.js';
export { toReadableStream, toWritableStream } from './web-streams.js';
export type { ReadableStreamOptions, WritableStreamOptions } from './web-streams.js';
