/**
 * The server's settable parameters (CONFIG GET/SET) that change how
 * values are kept (the sizes past which Redis 7.0 converts a value to its
 * large encoding, which OBJECT ENCODING reports) or what is published.
 * @module
 */

/** Encoding thresholds, named as Redis' parameters (defaults as Redis 7.0's). */
export class KvConfig {
  /** list-max-listpack-size (alias list-max-ziplist-size). */
  listMaxListpackSize = -2;
  /** list-compress-depth. */
  listCompressDepth = 0;
  /** hash-max-listpack-entries (alias hash-max-ziplist-entries). */
  hashMaxListpackEntries = 512;
  /** hash-max-listpack-value (alias hash-max-ziplist-value). */
  hashMaxListpackValue = 64;
  /** set-max-intset-entries. */
  setMaxIntsetEntries = 512;
  /** zset-max-listpack-entries (alias zset-max-ziplist-entries). */
  zsetMaxListpackEntries = 128;
  /** zset-max-listpack-value (alias zset-max-ziplist-value). */
  zsetMaxListpackValue = 64;
  /** notify-keyspace-events: the classes of keyspace events published ('' for none), as CONFIG GET shows them. */
  notifyKeyspaceEvents = '';
  /** maxmemory in bytes (0: no limit): past it, commands that may grow the data set are refused (see admin-memory.ts). */
  maxmemory = 0;
  /** DEBUG QUICKLIST-PACKED-THRESHOLD: elements at least this long are kept as plain quicklist nodes (bytes). */
  quicklistPackedThreshold = 1 << 30;
  /** Every other parameter CONFIG SET accepted, by its primary name (shown by CONFIG GET, no effect here). */
  readonly others = new Map<string, string>();
}
