/**
 * Bits of `ClientState.flags`: the states a client can be in besides the
 * plain one (0), so that the request path tests one number for all of them.
 * @module
 */

/** Inside MULTI: commands are queued. */
export const IN_MULTI = 1;
/** A watched key changed: the next EXEC fails. */
export const DIRTY_CAS = 2;
/** A command was refused while queueing: the next EXEC aborts. */
export const DIRTY_EXEC = 4;
/** Subscribed to a channel or pattern. */
export const PUBSUB = 8;
/** Parked by a blocking command. */
export const BLOCKED = 16;
/** CLIENT REPLY OFF. */
export const REPLY_OFF = 32;
/** CLIENT REPLY SKIP: the next command's reply is dropped. */
export const REPLY_SKIP_NEXT = 64;
/** The reply of the command running now is dropped. */
export const REPLY_SKIP = 128;
/** Running EXEC's queue: blocking commands time out at once. */
export const IN_EXEC = 256;
/** Watching keys. */
export const WATCHING = 512;
/** Attached by SYNC: gets the stream of writes (the test suite's replication stream). */
export const REPLICA = 1024;
