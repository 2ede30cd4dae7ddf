/**
 * The kernel's tuning constants and the internals that tests check against
 * (chunk sizes and windows of remote I/O, retry counts, how many exited
 * tasks are remembered, the peer link, the NATS frame codec). Programs do
 * not need them: their values may change between versions without notice.
 * @module
 */
export { DEFAULT_BUFFER_SIZE } from '../core/kernel.js';
export { REMOTE_CHUNK_BYTES, REMOTE_WINDOW } from '../core/wire/remote-chunks.js';
export { MAKE_LOCAL_ATTEMPTS, MAKE_LOCAL_CHUNK_BYTES } from '../core/syscalls/make-local.js';
export { RECENT_TASKS } from '../core/kernel/monitoring.js';
export { PeerLink } from '../core/peer/peer-link.js';
export { NameDirectory } from '../core/peer/directory/name-directory.js';
export type { DirectoryStats, ShardAnswer } from '../core/peer/directory/name-directory.js';
export { HashRing, namePosition } from '../core/peer/directory/hash-ring.js';
export { decodeFrame, encodeFrame, MalformedFrameError, MAX_FRAME_DEPTH } from '../transport/nats/codec.js';
