/**
 * @dios/apps: applications on DIOS. A counting MapReduce framework whose
 * master, map and reduce tasks are DIOS tasks talking through named blobs,
 * WordCount on it (and the same WordCount in one thread, as a baseline),
 * and the `dios` command.
 *
 * @example
 * ```ts
 * import { Kernel, ObjectType } from '@dios/kernel';
 * import { installMapReducePrograms, wordCount } from '@dios/apps';
 * const kernel = await Kernel.boot();
 * await installMapReducePrograms(kernel);
 * const sys = kernel.init;
 * const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
 * const text = new TextEncoder().encode('the cat and the hat');
 * const buf = await sys.beginWrite(ref, text.length);
 * buf.set(text);
 * await sys.endWrite(ref, buf);
 * console.log(await wordCount(sys, [ref], { maps: 2, reduces: 2 })); // [{ key: 'the', count: 2 }, ...]
 * ```
 * @packageDocumentation
 */
export { installMapReducePrograms } from './mapreduce/install.js';
export { BINARY_PATHS, PROGRAM_IDS } from './mapreduce/programs.js';
export { runMapReduce } from './mapreduce/job.js';
export type { MapReduceJob, MapReduceResult } from './mapreduce/job.js';
export type { MapReduceApp } from './mapreduce/app.js';
export { KeyTable, HASH_SEED, hashStep, IDENTITY_BYTES } from './mapreduce/key-table.js';
export { compareKeyCounts, parseRecords } from './mapreduce/records.js';
export { mergeRecords } from './mapreduce/merge-records.js';
export type { KeyCount } from './mapreduce/records.js';
export { planSplits, recordAlign } from './mapreduce/splits.js';
export type { Piece } from './mapreduce/splits.js';
export { partitionOf } from './mapreduce/partition.js';
export { jobPath, mapOutputPath, outputPath, reportPath, progressPath, taskErrorPath } from './mapreduce/paths.js';
export { FAULTS_ENV, ATTEMPT_ENV, DELAY_ENV } from './mapreduce/faults.js';
export { wordCount, wordCountRecords } from './wordcount/run.js';
export type { WordCountOptions } from './wordcount/run.js';
export { wordCountSync } from './wordcount/single-threaded.js';
export { countWords } from './wordcount/tokenize.js';
export { WORD_BYTES } from './wordcount/word-bytes.js';
export { startWebServer, installWebServer, WebServerError, WEB_PROGRAM_IDS } from './web/install.js';
export type { RunningWebServer } from './web/install.js';
export { DEFAULT_WEB_OPTIONS, optionsFromArgv, optionsToArgv } from './web/options.js';
export type { WebServerOptions } from './web/options.js';
export { serverProgram, SERVER_BINARY_PATH, CONNECTION_BINARY_PATH } from './web/server.js';
export { connectionProgram, READ_BYTES, LINGER_MS, LINGER_BYTES, STOP_CHECK_MS } from './web/connection.js';
export { RequestParser, DEFAULT_LIMITS } from './web/request-parser.js';
export type { HttpRequest, ParseResult, ParserLimits } from './web/request-parser.js';
export { RequestHandler, ALLOWED_METHODS } from './web/handle-request.js';
export { formatHead, httpDate, lendWrite, writeBlob, writeBytes, writeRaw, REASONS, CHUNK_BYTES, SEND_TIMEOUT_MS } from './web/response.js';
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
export * from './kv/index.js';
export { ResponseCache, CACHE_MAX_BODY, CACHE_ENTRIES } from './web/response-cache.js';
