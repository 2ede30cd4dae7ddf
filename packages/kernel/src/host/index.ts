/**
 * @dios/kernel/node: the host adaptation layer for Node.js. The kernel core
 * imports nothing from node:*; whatever touches the host lives here.
 *
 * @example
 * ```ts
 * import { Kernel } from '@dios/kernel';
 * import { writableConsoleSink } from '@dios/kernel/node';
 * const kernel = await Kernel.boot({ consoleSink: writableConsoleSink() });
 * ```
 * @module @dios/kernel/node
 */
export { writableConsoleSink, feedConsoleInput } from './node-console.js';
export { FileBlobStore, type FileBlobStoreOptions, type FsyncPolicy } from './file-blob-store.js';
export { DIRECTORY_INDEX, exportDirectory, exportFile, importDirectory, importFile } from './import-export.js';
export { useWorkers, WorkerPool } from './worker/worker-pool.js';
export type { WorkerPoolOptions } from './worker/worker-pool.js';
export { PURE_BUILTINS } from './worker/pure.js';
export { useNetwork, listenerPort } from './net/network.js';
export { mirrorDirectory, MIRROR_MAX_FILE_BYTES } from './directory-mirror.js';
export type { DirectoryMirror, MirrorEntry, MirrorOptions } from './directory-mirror.js';
