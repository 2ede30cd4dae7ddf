/**
 * The server's size limits, named and defaulted as Redis names them
 * (proto-max-bulk-len, client-query-buffer-limit,
 * client-output-buffer-limit), plus the one JavaScript adds: a key is held
 * as a string, and V8's strings are at most 2^29 - 24 characters.
 * @module
 */

/** Longest string V8 makes (2^29 - 24 chars on 64-bit): the longest key, pattern or name an argument may be. */
export const MAX_KEY_BYTES = 2 ** 29 - 24;

/** Largest reply or log buffer the server builds (bytes): below the 4 GiB where Node 20's typed arrays end. */
export const MAX_BUFFER_BYTES = 2 ** 31;

/** Redis' client-output-buffer-limit for one class of clients: bytes, bytes and seconds. */
export interface OutputBufferLimit {
  /** A client whose unsent replies pass this many bytes is disconnected at once (0: no limit but {@link MAX_BUFFER_BYTES}). */
  hard: number;
  /** ... or if they stay above this many bytes (0: no soft limit) ... */
  soft: number;
  /** ... for this many seconds. */
  softSeconds: number;
}

/** The limits a server enforces. */
export interface KvLimits {
  /** Longest key (or other argument read as a string: pattern, name); at most, and by default, {@link MAX_KEY_BYTES}. */
  maxKeyBytes: number;
  /** Longest bulk string (Redis' proto-max-bulk-len). */
  maxBulkBytes: number;
  /** Most bytes of one request held while it is incomplete (Redis' client-query-buffer-limit). */
  queryBufferBytes: number;
  /** Unsent replies per client (Redis' client-output-buffer-limit). */
  output: OutputBufferLimit;
}

const MB = 1024 * 1024;

/**
 * The defaults: Redis' 512 MB bulk strings and 1 GB query buffer; for the
 * output buffer, which Redis leaves unlimited for normal clients, Redis'
 * limits for replicas (256 MB, or 64 MB for 60 s).
 */
export const DEFAULT_KV_LIMITS: Readonly<KvLimits> = Object.freeze({
  maxKeyBytes: MAX_KEY_BYTES,
  maxBulkBytes: 512 * MB,
  queryBufferBytes: 1024 * MB,
  output: Object.freeze({ hard: 256 * MB, soft: 64 * MB, softSeconds: 60 }),
});

/** Largest value accepted for maxBulkBytes and queryBufferBytes (a request must fit a reply and log buffer). */
export const MAX_CONFIGURED_BYTES = 1024 * MB;

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1000,
  kb: 1024,
  m: 1000 ** 2,
  mb: 1024 ** 2,
  g: 1000 ** 3,
  gb: 1024 ** 3,
};

/** A byte count as Redis' config reads it (`1gb`, `64mb`, `100k`, `512`), or undefined if it is not one. */
export function parseBytes(text: string): number | undefined {
  const m = /^(\d+)([a-z]*)$/i.exec(text.trim());
  const unit = m === null ? undefined : UNITS[m[2]!.toLowerCase()];
  if (m === null || unit === undefined) return undefined;
  const n = Number(m[1]) * unit;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** `hard soft seconds` (e.g. `256mb 64mb 60`), as Redis' client-output-buffer-limit takes for one class, or undefined. */
export function parseOutputBufferLimit(text: string): OutputBufferLimit | undefined {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 3) return undefined;
  const hard = parseBytes(parts[0]!);
  const soft = parseBytes(parts[1]!);
  const softSeconds = /^\d+$/.test(parts[2]!) ? Number(parts[2]) : undefined;
  if (hard === undefined || soft === undefined || softSeconds === undefined || !Number.isSafeInteger(softSeconds))
    return undefined;
  return { hard, soft, softSeconds };
}

/** How CONFIG GET shows an output buffer limit (Redis' form for the normal class). */
export function formatOutputBufferLimit(limit: OutputBufferLimit): string {
  return `normal ${limit.hard} ${limit.soft} ${limit.softSeconds}`;
}
