/**
 * `@dios/apps/testing`: the pieces inside the applications that tests check
 * one by one (MapReduce's hash, record format, splits, partitions, job paths
 * and fault injection; WordCount's tokenizer; the web server's parser,
 * responses, MIME types, ETags, ranges, URL paths, files, listings, status
 * page and cache; the key-value store's RESP parser, command table, glob,
 * persistence and limits) and their tuning constants. Programs do not need
 * them: they may change between versions without notice.
 *
 * @example
 * ```ts
 * import { RequestParser } from '@dios/apps/testing';
 * const parser = new RequestParser();
 * ```
 * @module @dios/apps/testing
 */
export { HASH_SEED, hashStep, IDENTITY_BYTES } from './mapreduce/app-api/key-table.js';
export { compareKeyCounts } from './mapreduce/records.js';
export { mergeRecords } from './mapreduce/merge-records.js';
export { planSplits, recordAlign } from './mapreduce/splits.js';
export type { Piece } from './mapreduce/splits.js';
export { partitionOf } from './mapreduce/partition.js';
export { jobPath, mapOutputPath, outputPath, reportPath, progressPath, taskErrorPath } from './mapreduce/paths.js';
export { FAULTS_ENV, ATTEMPT_ENV, DELAY_ENV } from './mapreduce/faults.js';
export { countWords } from './wordcount/app/tokenize.js';
export { WORD_BYTES } from './wordcount/app/word-bytes.js';
export { serverProgram, SERVER_BINARY_PATH, CONNECTION_BINARY_PATH } from './web/server.js';
export { connectionProgram, READ_BYTES, LINGER_MS, LINGER_BYTES, STOP_CHECK_MS } from './web/connection.js';
export { RequestParser, DEFAULT_LIMITS } from './web/request-parser.js';
export type { HttpRequest, ParseResult, ParserLimits } from './web/request-parser.js';
export { RequestHandler, ALLOWED_METHODS } from './web/handle-request.js';
export {
  formatHead,
  httpDate,
  lendWrite,
  writeBlob,
  writeBytes,
  writeRaw,
  REASONS,
  CHUNK_BYTES,
  SEND_TIMEOUT_MS,
} from './web/response.js';
export type { BlobSlice, BlobWriteResult, HeaderFields } from './web/response.js';
export { contentType, DEFAULT_CONTENT_TYPE } from './web/mime.js';
export { etagOf, noneMatchHits } from './web/etag.js';
export { parseRange } from './web/range.js';
export type { RangeRequest } from './web/range.js';
export { decodeTargetPath, encodeSegments, MAX_PATH_CHARS } from './web/url-path.js';
export type { TargetPath } from './web/url-path.js';
export { FileTable, INDEX_FILE, MAX_OPEN_FILES } from './web/files.js';
export type { OpenFile } from './web/files.js';
export { listDirectory, listingHtml } from './web/directory-listing.js';
export type { ListingEntry } from './web/directory-listing.js';
export { StatusReader, statusHtml, STATUS_PATH, STATUS_JSON_PATH, PAGE_ROWS } from './web/status-page.js';
export { isLoopbackAddress, isStatusAccess, statusVisible, STATUS_ACCESS } from './web/status-access.js';
export { escapeHtml } from './web/html.js';
export { ResponseCache, CACHE_MAX_BODY, CACHE_ENTRIES } from './web/response-cache.js';
export { parseServerArgs } from './kv/program.js';
export {
  MAX_KEY_BYTES,
  MAX_BUFFER_BYTES,
  MAX_CONFIGURED_BYTES,
  parseBytes,
  parseOutputBufferLimit,
  formatOutputBufferLimit,
} from './kv/core/limits.js';
export { KV_INBOX_PATH } from './kv/inbox.js';
export { parseReply, type ParsedReply } from './kv/resp-reply.js';
export {
  RespParser,
  RespProtocolError,
  RespQueryLimitError,
  type RespParserLimits,
  MAX_BULK_BYTES,
  MAX_INLINE_BYTES,
  MAX_MULTIBULK,
} from './kv/resp-parser.js';
export { dispatch, commandTable, commandNames } from './kv/commands/table.js';
export { detachedContext, noDisconnections } from './kv/commands/context.js';
export { MAX_SCAN_CURSORS } from './kv/core/keyspace.js';
export { globMatch } from './kv/core/glob.js';
export { Persistence, encodeSnapshot } from './kv/persistence.js';
